from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from .common import NOW, MicroneedlingCase


@freeze_time(NOW)
class TestScreeningForm(MicroneedlingCase):
    """The screening form as a practitioner fills it in."""

    def new_form(self):
        form = Form(self.env["microneedling.intake"].with_user(self.user_practitioner))
        form.partner_id = self.client
        for index in range(len(form.answer_ids)):
            with form.answer_ids.edit(index) as line:
                line.answer = "no"
        return form

    def test_ticking_consent_shows_its_date_at_once(self):
        form = self.new_form()
        self.assertFalse(form.consent_date)
        form.consent_given = True
        self.assertEqual(form.consent_date, NOW, "the date shows before the screening is saved")
        form.consent_given = False
        self.assertFalse(form.consent_date, "unticked: no consent date")
        form.consent_given = True

    def test_server_dates_the_consent_on_save(self):
        form = self.new_form()
        form.consent_given = True
        # The form does not send the date it shows: the server's own clock wins.
        with freeze_time(NOW + timedelta(minutes=30)):
            intake = form.save()
            intake.action_submit()
        self.assertEqual(intake.consent_date, NOW + timedelta(minutes=30))
        self.assertEqual(intake.state, "submitted")

    def test_draft_screening_stays_editable(self):
        form = self.new_form()
        form.consent_given = True
        form.screening_date = NOW - timedelta(hours=1)
        with form.answer_ids.edit(0) as line:
            line.answer = "yes"
        with form.answer_ids.edit(0) as line:
            self.assertEqual(line.answer, "yes")
        self.assertEqual(form.save().screening_date, NOW - timedelta(hours=1))

    def test_submitted_screening_is_read_only_in_the_form(self):
        intake = self.screen(self.client)
        self.assertEqual(intake.state, "submitted")
        for state in ("submitted", "superseded", "cancelled"):
            with self.subTest(state=state):
                if state != intake.state:
                    intake._trusted().write({"state": state})
                form = Form(intake.with_user(self.user_practitioner))
                for name, value in (
                    ("partner_id", self.env["res.partner"].create({"name": "Other"})),
                    ("screening_date", NOW - timedelta(hours=2)),
                    ("consent_given", False),
                ):
                    with self.assertRaisesRegex(AssertionError, "readonly"):
                        setattr(form, name, value)
                # The answers list is read-only too: no editable line, no new line.
                with self.assertRaisesRegex(AssertionError, "editable"):
                    form.answer_ids.edit(0)
                with self.assertRaisesRegex(AssertionError, "editable"):
                    form.answer_ids.new()
                # Notes may still be added to a submitted screening.
                form.notes = "<p>Client called back</p>"


@freeze_time(NOW)
class TestSideEffectFollowUp(MicroneedlingCase):
    """Completing the day-7 side-effect follow-up through its form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client)
        cls.series = cls.make_series()
        cls.session = cls.book(cls.series, NOW - timedelta(hours=1))
        cls.session.with_user(cls.user_practitioner).action_done()
        cls.side_effects = cls.env.ref("microneedling_treatment.mail_activity_type_side_effects")
        cls.checkin = cls.env.ref("microneedling_treatment.mail_activity_type_checkin_call")
        cls.milia = cls.env.ref("microneedling_treatment.side_effect_milia")
        cls.infection = cls.env.ref("microneedling_treatment.side_effect_infection")
        cls.Wizard = cls.env["microneedling.side.effect.wizard"]

    def activity(self, activity_type=None):
        activity = self.session.activity_ids.filtered(
            lambda a: a.activity_type_id == (activity_type or self.side_effects)
        )
        self.assertEqual(len(activity), 1)
        return activity

    def open_form(self, activity, user=None):
        action = activity.with_user(
            user or self.user_practitioner
        ).action_microneedling_record_side_effects()
        self.assertEqual(action["res_model"], self.Wizard._name)
        self.assertEqual(action["target"], "new")
        return Form(
            self.Wizard.with_user(user or self.user_practitioner).with_context(**action["context"])
        )

    def clinical(self):
        return self.session.with_user(self.user_practitioner)

    def chatter_text(self, user):
        messages = (
            self.env["mail.message"]
            .with_user(user)
            .search([("model", "=", self.session._name), ("res_id", "=", self.session.id)])
        )
        return "\n".join(str(body) for body in messages.mapped("body"))

    def test_only_the_side_effect_follow_up_opens_the_form(self):
        activity = self.activity()
        checkin = self.activity(self.checkin)
        self.assertTrue(activity.microneedling_side_effect_form)
        self.assertFalse(checkin.microneedling_side_effect_form)
        # The web client reads the flag from the activity's payload.
        payload = activity.with_user(self.user_practitioner).activity_format()
        self.assertTrue(payload["mail.activity"][0]["microneedling_side_effect_form"])
        with self.assertRaisesRegex(UserError, "not a session's side-effect follow-up"):
            checkin.with_user(self.user_practitioner).action_microneedling_record_side_effects()

    def test_form_records_on_the_session_and_not_in_the_chatter(self):
        activity = self.activity()
        # Recorded earlier on the session: the form starts from it.
        self.clinical().write(
            {"side_effect_ids": [(6, 0, self.milia.ids)], "clinical_notes": "<p>Earlier note</p>"}
        )
        form = self.open_form(activity)
        self.assertEqual(form.session_id, self.session)
        self.assertEqual(form.side_effect_ids[:], self.milia, "no double entry")
        self.assertIn("Earlier note", str(form.recorded_notes))
        form.side_effect_ids.add(self.infection)
        form.note = "Redness around the chin, resolving"
        wizard = form.save()
        wizard.action_confirm()

        self.assertFalse(activity.exists(), "the follow-up is done")
        self.assertEqual(self.clinical().side_effect_ids, self.milia | self.infection)
        notes = str(self.clinical().clinical_notes)
        self.assertIn("Earlier note", notes)
        self.assertIn("Redness around the chin, resolving", notes)
        self.assertEqual(notes.count("Redness around the chin"), 1)
        line = self.session.aftercare_schedule_ids.filtered(
            lambda s: s.step_id.activity_type_id == self.side_effects
        )
        self.assertEqual(line.state, "done")
        # The "done" message says which activity was done, and nothing clinical.
        done = self.env["mail.message"].search(
            [
                ("model", "=", self.session._name),
                ("res_id", "=", self.session.id),
                ("mail_activity_type_id", "=", self.side_effects.id),
            ]
        )
        self.assertEqual(len(done), 1)
        self.assertEqual(done.author_id, self.user_practitioner.partner_id)
        self.assertFalse(done.microneedling_clinical, "reception reads that it was done")
        for user in (self.user_receptionist, self.user_practitioner):
            chatter = self.chatter_text(user)
            for text in ("Redness", "chin", self.milia.name, self.infection.name):
                self.assertNotIn(text, chatter, f"{text!r} in the chatter read by {user.name}")

    def test_unticking_removes_a_side_effect(self):
        self.clinical().side_effect_ids = self.milia
        form = self.open_form(self.activity())
        form.side_effect_ids.remove(id=self.milia.id)
        form.save().action_confirm()
        self.assertFalse(self.clinical().side_effect_ids)
        self.assertNotIn("Side-effect", str(self.clinical().clinical_notes or ""))

    def test_reception_is_refused_clearly(self):
        activity = self.activity()
        with self.assertRaisesRegex(AccessError, "Only a practitioner records"):
            activity.with_user(self.user_receptionist).action_microneedling_record_side_effects()
        with self.assertRaises(AccessError):
            self.Wizard.with_user(self.user_receptionist).create({"activity_id": activity.id})
        wizard = self.Wizard.with_user(self.user_practitioner).create(
            {"activity_id": activity.id, "side_effect_ids": [(6, 0, self.milia.ids)]}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_receptionist).action_confirm()
        self.assertTrue(activity.exists(), "nothing done")
        self.assertFalse(self.clinical().side_effect_ids, "nothing recorded")

    def test_the_session_comes_from_the_activity(self):
        partner = self.env["res.partner"].create({"name": "Olga Other"})
        self.screen(partner)
        other = self.book(self.make_series(partner), NOW + timedelta(days=3))
        wizard = self.Wizard.with_user(self.user_practitioner).create(
            {"activity_id": self.activity().id, "session_id": other.id}
        )
        self.assertEqual(wizard.session_id, self.session)

    def test_a_done_follow_up_cannot_be_completed_twice(self):
        # "Keep done" activities stay, inactive, once done: their form is refused.
        self.side_effects.keep_done = True
        activity = self.activity()
        wizard = self.Wizard.with_user(self.user_practitioner).create({"activity_id": activity.id})
        activity.with_user(self.user_practitioner).action_feedback()
        self.assertFalse(activity.active)
        with self.assertRaisesRegex(UserError, "already done"):
            wizard.action_confirm()


@freeze_time(NOW)
class TestSeriesFromOpportunity(MicroneedlingCase):
    """Starting a series from a CRM opportunity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_receptionist.groups_id += cls.env.ref("sales_team.group_sale_salesman")
        cls.user_practitioner.groups_id += cls.env.ref("sales_team.group_sale_salesman")
        cls.Lead = cls.env["crm.lead"]

    def lead(self, user=None, **vals):
        return self.Lead.with_user(user or self.user_receptionist).create(
            {"name": "Microneedling consultation", "type": "opportunity", **vals}
        )

    def start(self, lead, practitioner=None):
        """Start the series as the lead's salesperson would; pick `practitioner` if asked."""
        action = lead.action_start_microneedling_series()
        if action["res_model"] == "microneedling.series.start.wizard":
            self.assertTrue(practitioner, "the form asks for a practitioner")
            form = Form(
                self.env[action["res_model"]]
                .with_user(lead.env.user)
                .with_context(**action["context"])
            )
            form.user_id = practitioner
            action = form.save().action_confirm()
        self.assertEqual(action["res_model"], "microneedling.series")
        return self.env["microneedling.series"].browse(action["res_id"])

    def screening_todo(self, series):
        todo = self.env.ref("mail.mail_activity_data_todo")
        return series.activity_ids.filtered(lambda a: a.activity_type_id == todo)

    def test_practitioner_salesperson_runs_the_series(self):
        lead = self.lead(
            self.user_practitioner, contact_name="Nadia New", user_id=self.user_practitioner.id
        )
        series = self.start(lead)
        self.assertEqual(series.user_id, self.user_practitioner)
        self.assertEqual(self.screening_todo(series).user_id, self.user_practitioner)

    def test_reception_salesperson_chooses_the_practitioner(self):
        lead = self.lead(contact_name="Nadia New", user_id=self.user_receptionist.id)
        action = lead.action_start_microneedling_series()
        self.assertEqual(action["res_model"], "microneedling.series.start.wizard")
        self.assertFalse(lead.microneedling_series_ids, "nothing started before the choice")
        self.assertFalse(lead.partner_id)
        series = self.start(lead, self.user_practitioner)
        self.assertEqual(series.user_id, self.user_practitioner)
        todo = self.screening_todo(series)
        self.assertEqual(todo.user_id, self.user_practitioner, "the screening to-do is clinical")
        self.assertNotEqual(todo.user_id, self.user_receptionist)
        # A second click opens the same series.
        self.assertEqual(lead.action_start_microneedling_series()["res_id"], series.id)

    def test_non_practitioner_is_refused(self):
        lead = self.lead(contact_name="Nadia New")
        with self.assertRaisesRegex(UserError, "Rita Receptionist is not a practitioner"):
            lead._microneedling_start_series(self.user_receptionist)
        self.assertFalse(lead.microneedling_series_ids)
        self.assertFalse(lead.partner_id, "nothing half-saved")

    def test_client_named_after_the_person_not_the_title(self):
        cases = [
            ({"contact_name": "Nadia New"}, "Nadia New"),
            ({"contact_name": "Nadia New", "partner_name": "Acme Spa"}, "Nadia New"),
            ({"partner_name": "Olga Old"}, "Olga Old"),
            ({"email_from": '"Paz Pérez" <paz@example.com>'}, "Paz Pérez"),
        ]
        for vals, name in cases:
            with self.subTest(vals=vals):
                series = self.start(self.lead(**vals), self.user_practitioner)
                self.assertEqual(series.partner_id.name, name)
                self.assertFalse(series.partner_id.is_company, "the client is a person")

    def test_opportunity_without_a_person_is_refused(self):
        lead = self.lead(email_from="info@example.com")
        with self.assertRaisesRegex(UserError, "Microneedling consultation.*Contact Name"):
            self.start(lead, self.user_practitioner)
        self.assertFalse(lead.partner_id)
        self.assertFalse(
            self.env["res.partner"].search([("name", "=", "Microneedling consultation")])
        )

    def test_company_customer_gets_the_person_as_client(self):
        company = self.env["res.partner"].create({"name": "Acme Spa", "is_company": True})
        lead = self.lead(partner_id=company.id, contact_name="Nadia New")
        lead.contact_name = "Nadia New"
        series = self.start(lead, self.user_practitioner)
        self.assertEqual(series.partner_id.name, "Nadia New")
        self.assertEqual(series.partner_id.parent_id, company)

    def test_existing_contact_is_kept(self):
        lead = self.lead(partner_id=self.client.id)
        series = self.start(lead, self.user_practitioner)
        self.assertEqual(series.partner_id, self.client)

    def test_client_speaks_the_opportunity_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        french = self.env["res.lang"]._lang_get("fr_FR")
        lead = self.lead(contact_name="Nadia New", lang_id=french.id)
        series = self.start(lead, self.user_practitioner)
        self.assertEqual(series.partner_id.lang, "fr_FR")
