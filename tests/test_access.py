from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import NOW, MicroneedlingCase, screen_client


@freeze_time(NOW)
class TestAccess(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.intake = cls.screen(cls.client, {"herpes_prone": True})
        cls.answer = cls.intake.answer_ids[0]

    def test_receptionist_never_reads_answers(self):
        Answer = self.env["microneedling.intake.answer"].with_user(self.user_receptionist)
        Intake = self.env["microneedling.intake"].with_user(self.user_receptionist)
        with self.assertRaises(AccessError):
            Answer.search([("present", "=", True)])
        with self.assertRaises(AccessError):
            self.answer.with_user(self.user_receptionist).read(["present"])
        with self.assertRaises(AccessError):
            Intake.search_read([("partner_id", "=", self.client.id)], ["state"])
        with self.assertRaises(AccessError):
            Answer._read_group([], ["contraindication_id"], ["__count"])
        with self.assertRaises(AccessError):
            Answer.create(
                {"intake_id": self.intake.id, "contraindication_id": self.item("keloid").id}
            )

    def test_receptionist_sees_clearance_status_only(self):
        partner = self.client.with_user(self.user_receptionist)
        self.assertEqual(partner.microneedling_clearance_state, "review")
        self.assertEqual(partner.microneedling_clearance_label, "Needs Practitioner Review")
        fields_info = self.env["res.partner"].with_user(self.user_receptionist).fields_get()
        self.assertIn("microneedling_clearance_state", fields_info)

    def test_clinical_record_is_practitioner_only(self):
        series = self.make_series()
        session = self.book(series, False, state="planned")
        session.with_user(self.user_practitioner).write({"needle_depth": 1.5, "device": "Pen A6"})
        with self.assertRaises(AccessError):
            session.with_user(self.user_receptionist).read(["needle_depth"])
        with self.assertRaises(AccessError):
            session.with_user(self.user_receptionist).write({"device": "Other"})
        fields_info = (
            self.env["microneedling.session"].with_user(self.user_receptionist).fields_get()
        )
        self.assertNotIn("needle_depth", fields_info)
        self.assertNotIn("clinical_notes", fields_info)

    def test_override_reason_is_practitioner_only(self):
        """The manager's reason is usually clinical; reception sees that, not why."""
        self.screen(self.client, {"pregnancy_nursing": True})
        session = self.book(self.make_series(), False, state="planned")
        session.with_user(self.user_manager)._override("Obstetrician's written approval")
        desk = session.with_user(self.user_receptionist)
        self.assertEqual(
            desk.read(["override_user_id"])[0]["override_user_id"][0], self.user_manager.id
        )
        with self.assertRaises(AccessError):
            desk.read(["override_reason"])
        with self.assertRaises(AccessError):
            desk.search([("override_reason", "!=", False)])
        # The form and the search view still load for reception, without the field.
        views = desk.get_views([(False, "form"), (False, "search")])
        self.assertNotIn("override_reason", views["models"]["microneedling.session"]["fields"])
        self.assertEqual(
            session.with_user(self.user_practitioner).override_reason,
            "Obstetrician's written approval",
        )

    def test_employee_without_role_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.env["microneedling.series"].with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.client.with_user(self.user_employee).read(["microneedling_clearance_state"])

    def test_practitioner_reviews_answers(self):
        answer = self.answer.with_user(self.user_practitioner)
        self.assertTrue(answer.read(["present"]))
        herpes = self.intake.answer_ids.filtered(
            lambda a: a.contraindication_id.code == "herpes_prone"
        )
        wizard = (
            self.env["microneedling.answer.clearance.wizard"]
            .with_user(self.user_practitioner)
            .create({"answer_id": herpes.id, "reason": "Prophylaxis prescribed"})
        )
        wizard.action_confirm()
        self.assertTrue(herpes.cleared)
        self.assertEqual(self.client.microneedling_clearance_state, "cleared")
        with self.assertRaises(AccessError):
            self.item("waxing").with_user(self.user_practitioner).window_hours = 24

    def test_manager_configures_catalog(self):
        item = self.item("waxing").with_user(self.user_manager)
        item.window_hours = 10 * 24
        self.assertEqual(item.window_hours, 240)
        # The answers of a submitted screening are the client's record, even for a manager.
        with self.assertRaisesRegex(UserError, "part of the client's record"):
            self.answer.with_user(self.user_manager).unlink()
        draft = self.env["microneedling.intake"].create({"partner_id": self.client.id})
        draft.answer_ids[:1].with_user(self.user_manager).unlink()

    def test_multi_company_rules(self):
        other = self.env["res.company"].create({"name": "Second Spa"})
        self.user_practitioner.write({"company_ids": [(4, other.id)]})
        foreign = (
            self.env["microneedling.intake"]
            .with_company(other)
            .create({"partner_id": self.client.id, "company_id": other.id})
        )
        Intake = self.env["microneedling.intake"].with_user(self.user_practitioner)
        visible = Intake.with_context(allowed_company_ids=[self.env.company.id]).search([])
        self.assertNotIn(foreign, visible)
        visible_both = Intake.with_context(
            allowed_company_ids=[self.env.company.id, other.id]
        ).search([])
        self.assertIn(foreign, visible_both)

    def test_screening_counts_in_its_own_company_only(self):
        other = self.env["res.company"].create({"name": "Second Spa"})
        self.user_practitioner.write({"company_ids": [(4, other.id)]})
        self.user_receptionist.write({"company_ids": [(4, other.id)]})
        here = self.env.company
        # Cleared here; at the second spa she declared a pregnancy.
        self.screen(self.client)
        screen_client(
            self.env(user=self.user_practitioner, context={"allowed_company_ids": [other.id]}),
            self.client,
            {"pregnancy_nursing": True},
        )
        client = self.client.with_user(self.user_receptionist)
        self.assertEqual(client.with_company(here).microneedling_clearance_state, "cleared")
        self.assertEqual(client.with_company(other).microneedling_clearance_state, "blocked")
        series_here = self.make_series()
        session_here = self.book(series_here, NOW + timedelta(days=1))
        self.assertEqual(session_here.clearance_state, "cleared")
        # One open course at a time: the client moves to the second spa.
        series_here.action_cancel()
        foreign_series = (
            self.env["microneedling.series"]
            .with_user(self.user_receptionist)
            .with_company(other)
            .create({"partner_id": self.client.id, "company_id": other.id})
        )
        with self.assertRaisesRegex(ValidationError, "rules out treatment"):
            self.env["microneedling.session"].with_user(self.user_receptionist).with_company(
                other
            ).create({"series_id": foreign_series.id, "start": NOW + timedelta(days=1)})
        self.assertFalse(foreign_series.session_ids)
