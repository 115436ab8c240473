"""Holes a privacy review found in the desk work (on 87749f2): each test failed there.
Files given when completing an activity are the user's own uploads; the side-effect
form shows only a session the user may change; a practitioner works for the series'
company; reception cannot close the side-effect follow-up; only managers follow the
protocol catalog."""

import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from .common import NOW, MicroneedlingCase


@freeze_time(NOW)
class TestDeskReviewPrivacy(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client)
        cls.series = cls.make_series()
        cls.session = cls.book(cls.series, NOW - timedelta(hours=1))
        cls.session.with_user(cls.user_practitioner).action_done()
        cls.side_effects = cls.env.ref("microneedling_treatment.mail_activity_type_side_effects")
        cls.other = cls.env["res.company"].create({"name": "Second Spa"})

    def _other_spas_file(self):
        """A screening of the second spa and a file on it: nothing the first spa reads."""
        foreign = (
            self.env["microneedling.intake"]
            .with_company(self.other)
            .create({"partner_id": self.client.id, "company_id": self.other.id})
        )
        secret = self.env["ir.attachment"].create(
            {
                "name": "other-spa-consent.pdf",
                "datas": base64.b64encode(b"other spa secret"),
                "res_model": foreign._name,
                "res_id": foreign.id,
            }
        )
        return foreign, secret

    def follow_up(self):
        activity = self.session.activity_ids.filtered(
            lambda a: a.activity_type_id == self.side_effects
        )
        self.assertEqual(len(activity), 1)
        return activity

    def test_activity_done_moves_foreign_attachment(self):
        """Completing a session activity with attachment_ids of a file the user may not
        read relocates that file onto a practitioner-only message (sudo message_post)."""
        foreign, secret = self._other_spas_file()
        as_prac = secret.with_user(self.user_practitioner)
        with self.assertRaises(AccessError):
            as_prac.check("read")
        activity = self.follow_up().with_user(self.user_practitioner)
        with self.assertRaises(AccessError):
            activity.action_feedback(feedback="fine", attachment_ids=[secret.id])
        self.env.invalidate_all()
        with self.assertRaises(AccessError, msg="the practitioner now reads the other spa's file"):
            as_prac.read(["raw"])
        self.assertEqual(
            (secret.res_model, secret.res_id),
            (foreign._name, foreign.id),
            "another company's file was moved off its record",
        )

    def test_reception_activity_done_moves_foreign_attachment(self):
        foreign, secret = self._other_spas_file()
        # A call reception may complete (the side-effect follow-up is a practitioner's).
        activity = self.session.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_practitioner.id
        ).with_user(self.user_receptionist)
        with self.assertRaises(AccessError):
            activity.action_feedback(feedback="called", attachment_ids=[secret.id])
        self.assertEqual((secret.res_model, secret.res_id), (foreign._name, foreign.id))

    def test_wizard_other_company_activity(self):
        activity = self.follow_up()
        self.session.sudo().clinical_notes = "<p>Foreign secret note</p>"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE microneedling_session SET company_id=%s WHERE id=%s",
            [self.other.id, self.session.id],
        )
        self.env.cr.execute(
            "UPDATE microneedling_series SET company_id=%s WHERE id=%s",
            [self.other.id, self.series.id],
        )
        # Assigned to someone else: only the document would grant access.
        self.env.cr.execute(
            "UPDATE mail_activity SET user_id=%s WHERE id=%s", [self.user_manager.id, activity.id]
        )
        self.env.invalidate_all()
        Wizard = self.env["microneedling.side.effect.wizard"].with_user(self.user_practitioner)
        with self.assertRaises(AccessError):
            Wizard.create({"activity_id": activity.id})

    def test_start_wizard_foreign_practitioner(self):
        foreign = new_test_user(
            self.env,
            login="mn_foreign_prac",
            groups="microneedling_treatment.group_practitioner",
            company_id=self.other.id,
            company_ids=[(6, 0, self.other.ids)],
            name="Fiona Foreign",
        )
        self.user_receptionist.groups_id += self.env.ref("sales_team.group_sale_salesman")
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_receptionist)
            .create(
                {
                    "name": "Consultation",
                    "type": "opportunity",
                    "contact_name": "Nadia New",
                    "user_id": self.user_receptionist.id,
                }
            )
        )
        wizard = (
            self.env["microneedling.series.start.wizard"]
            .with_user(self.user_receptionist)
            .create({"lead_id": lead.id, "user_id": foreign.id})
        )
        with self.assertRaisesRegex(ValidationError, "does not work for"):
            wizard.action_confirm()
        self.assertFalse(lead.microneedling_series_ids, "nothing is half-saved")

    def test_reception_closes_side_effect_follow_up_by_rpc(self):
        """The form refused reception, but the activity's own RPC methods did not:
        reception marked the practitioner's side-effect follow-up done and wrote into
        the clinical notes."""
        activity = self.follow_up()
        with self.assertRaisesRegex(AccessError, "Only a practitioner records"):
            activity.with_user(self.user_receptionist).action_feedback(
                feedback="No side effects at all"
            )
        self.assertTrue(activity.exists(), "reception closed the side-effect follow-up")
        self.assertNotIn("No side effects at all", str(self.session.sudo().clinical_notes or ""))

    def test_practitioner_follows_the_protocol_chatter(self):
        """The catalog's chatter is the managers' audit, but a practitioner (read access)
        may follow an item and is then notified of what managers write there."""
        item = self.item("pregnancy_nursing")
        self.user_practitioner.notification_type = "email"
        item.with_user(self.user_practitioner).message_subscribe(
            partner_ids=self.user_practitioner.partner_id.ids
        )
        message = item.with_user(self.user_manager).message_post(
            body="Lowering the window after the audit finding",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        notified = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "=", message.id),
                    ("res_partner_id", "=", self.user_practitioner.partner_id.id),
                ]
            )
        )
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", message.id)])
            .filtered(lambda m: self.user_practitioner.partner_id in m.recipient_ids)
        )
        self.assertFalse(
            notified or mails,
            f"the practitioner is sent the managers' audit message: {mails.mapped('body_html')}",
        )
