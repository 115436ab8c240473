from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import screen_client


@tagged("post_install", "-at_install", "microneedling")
class TestPractitionerDeskTours(HttpCase):
    """The practitioner's desk in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.practitioner = new_test_user(
            cls.env,
            login="tour_desk_practitioner",
            name="Desk Practitioner",
            groups="microneedling_treatment.group_practitioner",
            tz="UTC",
        )
        cls.now = fields.Datetime.now()

    def test_practitioner_completes_side_effect_follow_up(self):
        partner = self.env["res.partner"].create({"name": "Follow-up Fiona"})
        screen_client(self.env(user=self.practitioner), partner, when=self.now - timedelta(days=1))
        series = self.env["microneedling.series"].create(
            {"partner_id": partner.id, "user_id": self.practitioner.id}
        )
        session = self.env["microneedling.session"].create(
            {"series_id": series.id, "start": self.now - timedelta(hours=1)}
        )
        session.with_user(self.practitioner).action_done()
        # Recorded earlier: the form starts from it, nothing is entered twice.
        cold_sores = self.env.ref("microneedling_treatment.side_effect_cold_sores")
        milia = self.env.ref("microneedling_treatment.side_effect_milia")
        session.side_effect_ids = cold_sores
        side_effects = self.env.ref("microneedling_treatment.mail_activity_type_side_effects")
        activity = session.activity_ids.filtered(lambda a: a.activity_type_id == side_effects)
        self.assertEqual(activity.user_id, self.practitioner)
        self.start_tour(
            f"/odoo/microneedling-sessions/{session.id}",
            "microneedling_side_effect_follow_up_tour",
            login="tour_desk_practitioner",
        )
        self.assertFalse(activity.exists(), "the follow-up is done")
        session.invalidate_recordset()
        self.assertEqual(session.side_effect_ids, cold_sores | milia)
        self.assertIn("Tiny white bumps on the chin", str(session.clinical_notes))
        chatter = "\n".join(str(body) for body in session.message_ids.mapped("body"))
        self.assertIn("Side-effect Follow-up", chatter)
        for text in ("Tiny white bumps", "Milia", cold_sores.name):
            self.assertNotIn(text, chatter, f"{text!r} is in the chatter")

    def test_submitted_screening_reads_as_a_record(self):
        partner = self.env["res.partner"].create({"name": "Screened Sam"})
        intake = screen_client(
            self.env(user=self.practitioner),
            partner,
            {"weak_immune": True},
            when=self.now - timedelta(days=1),
        )
        self.start_tour(
            f"/odoo/microneedling-screenings/{intake.id}",
            "microneedling_submitted_screening_tour",
            login="tour_desk_practitioner",
        )
        answer = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "weak_immune")
        self.assertTrue(answer.cleared)
        self.assertEqual(answer.clearance_reason, "GP letter: immune system fine")
        self.assertTrue(intake.consent_given, "nothing else changed")
