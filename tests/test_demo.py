from datetime import timedelta

from odoo import fields

from .common import MicroneedlingCase


class TestDemoData(MicroneedlingCase):
    """The demo a spa owner opens with `make run` (the test database has it too)."""

    def test_demo_done_sessions_have_their_timeline(self):
        """Sessions the demo marks done during the install, before rules are hooked."""
        practitioners = self.env.ref(
            "microneedling_treatment.demo_user_practitioner_ana"
        ) | self.env.ref("microneedling_treatment.demo_user_practitioner_ben")
        done = self.env["microneedling.session"].search(
            [("state", "=", "done"), ("series_id.user_id", "in", practitioners.ids)]
        )
        self.assertTrue(done)
        steps = self.env["microneedling.aftercare.step"].search_count([])
        for session in done:
            self.assertEqual(len(session.aftercare_schedule_ids), steps, session.display_name)

    def test_demo_has_sessions_on_install_day_for_each_practitioner(self):
        """'My Day' and the current calendar week are never empty on a fresh demo."""
        for xmlid in ("demo_user_practitioner_ana", "demo_user_practitioner_ben"):
            practitioner = self.env.ref(f"microneedling_treatment.{xmlid}")
            sessions = self.env["microneedling.session"].search(
                [("user_id", "=", practitioner.id), ("state", "=", "booked")]
            )
            same_day = sessions.filtered(lambda s: s.start.date() == s.create_date.date())
            self.assertTrue(same_day, practitioner.login)
            self.assertEqual(set(same_day.mapped("clearance_state")), {"cleared"})

    def test_demo_covers_every_situation(self):
        Series = self.env["microneedling.series"]
        demo = Series.search([("partner_id.email", "=like", "%@example.com")])
        self.assertEqual(len(demo.partner_id), 20)
        self.assertGreaterEqual(len(set(demo.partner_id.mapped("lang"))), 6)
        self.assertEqual(set(demo.mapped("state")), {"new", "in_progress", "done"})
        self.assertTrue(demo.filtered("is_overdue"))
        self.assertTrue(demo.filtered(lambda s: s.kind == "tune_up"))
        clearances = set(demo.partner_id.mapped("microneedling_clearance_state"))
        self.assertEqual(clearances, {"cleared", "blocked", "review", "no_screening"})

    def test_demo_receptionist_quick_creates_a_course(self):
        """The demo's receptionist books from the calendar: no 'configure the sender's
        email address' on the new course's chatter."""
        receptionist = self.env.ref("microneedling_treatment.demo_user_receptionist")
        practitioner = self.env.ref("microneedling_treatment.demo_user_practitioner_ana")
        completed = self.env["microneedling.series"].search(
            [
                ("state", "=", "done"),
                ("kind", "=", "course"),
                ("partner_id.email", "=like", "%@example.com"),
            ]
        )
        client = completed.partner_id.filtered(
            lambda p: not p.microneedling_series_ids.filtered(
                lambda s: s.state in ("new", "in_progress")
            )
        )[:1]
        self.assertTrue(client, "the demo has a client who completed a course")
        session = (
            self.env["microneedling.session"]
            .with_user(receptionist)
            .create(
                {
                    "booking_partner_id": client.id,
                    "user_id": practitioner.id,
                    "start": fields.Datetime.now() + timedelta(days=3),
                }
            )
        )
        self.assertEqual(session.series_id.kind, "course")
        self.assertEqual(session.series_id.create_uid, receptionist)
        self.assertEqual(session.user_id, practitioner)
