from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import screen_client


@tagged("post_install", "-at_install", "microneedling")
class TestReceptionTours(HttpCase):
    """The reception desk, calendar, practitioner and manager flows in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(
            cls.env,
            login="tour_desk",
            groups="microneedling_treatment.group_receptionist,sales_team.group_sale_salesman",
            tz="UTC",  # the calendar tour reads hours in the browser's (UTC) time
        )
        cls.practitioner = new_test_user(
            cls.env,
            login="tour_practitioner",
            name="Tour Practitioner",
            groups="microneedling_treatment.group_practitioner",
        )
        cls.manager = new_test_user(
            cls.env, login="tour_manager", groups="microneedling_treatment.group_manager"
        )
        cls.now = fields.Datetime.now()

    def _client(self, name, answers=None):
        partner = self.env["res.partner"].create({"name": name})
        screen_client(
            self.env(user=self.practitioner), partner, answers, when=self.now - timedelta(days=1)
        )
        return partner

    def _series(self, partner):
        return self.env["microneedling.series"].create(
            {"partner_id": partner.id, "user_id": self.practitioner.id}
        )

    def test_receptionist_books_next_session(self):
        series = self._series(self._client("Cleared Carla"))
        self.start_tour(
            f"/odoo/microneedling-series/{series.id}",
            "microneedling_book_next_tour",
            login="tour_desk",
        )
        self.assertEqual(len(series.session_ids), 1)
        self.assertEqual(series.session_ids.state, "booked")

    def test_receptionist_quick_creates_from_calendar(self):
        partner = self._client("Quick Quinn")
        self.start_tour(
            "/odoo/microneedling-sessions",
            "microneedling_calendar_quick_create_tour",
            login="tour_desk",
        )
        session = partner.microneedling_series_ids.session_ids
        self.assertEqual(len(session), 1, "one session booked, in a new series")
        self.assertEqual(session.series_id.kind, "course")
        self.assertEqual(session.user_id, self.practitioner)
        self.assertEqual(session.series_id.user_id, self.practitioner, "the course's practitioner")
        self.assertEqual(session.start.isoweekday(), 3)
        self.assertEqual((session.start.hour, session.start.minute), (10, 0))
        self.assertGreater(session.start, self.now + timedelta(days=1))
        self.assertEqual(session.event_id.start, session.start)

    def _next_wednesday_10(self):
        """Wednesday of next week, 10:00 UTC: the slot the quick-create tours select."""
        today = self.now.date()
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return datetime.combine(monday + timedelta(days=2), time(10, 0))

    def test_receptionist_quick_creates_with_the_series_practitioner(self):
        partner = self._client("Desk Dora")
        series = self._series(partner)
        self.start_tour(
            "/odoo/microneedling-sessions",
            "microneedling_calendar_quick_create_desk_tour",
            login="tour_desk",
        )
        session = series.session_ids
        self.assertEqual(len(session), 1)
        self.assertEqual(session.user_id, self.practitioner)
        self.assertEqual(session.start, self._next_wednesday_10())
        self.assertIn(self.practitioner.partner_id, session.event_id.partner_ids)

    def test_double_booking_refused_with_the_conflict_named(self):
        first = self._series(self._client("First Fay"))
        self.env["microneedling.session"].create(
            {"series_id": first.id, "start": self._next_wednesday_10()}
        )
        second = self._client("Second Sol")
        self.start_tour(
            "/odoo/microneedling-sessions",
            "microneedling_calendar_double_booking_tour",
            login="tour_desk",
        )
        self.assertFalse(second.microneedling_series_ids, "nothing is half-saved")

    def test_receptionist_quick_create_refused_for_blocked_client(self):
        partner = self._client("Pregnant Petra", {"pregnancy_nursing": True})
        self.start_tour(
            "/odoo/microneedling-sessions",
            "microneedling_calendar_quick_create_blocked_tour",
            login="tour_desk",
        )
        self.assertFalse(partner.microneedling_series_ids, "nothing is half-saved")

    def test_receptionist_reads_refusal_reasons(self):
        series = self._series(self._client("Pregnant Paula", {"pregnancy_nursing": True}))
        self.start_tour(
            f"/odoo/microneedling-series/{series.id}",
            "microneedling_blocked_client_tour",
            login="tour_desk",
        )
        self.assertFalse(series.session_ids)

    def test_series_started_from_crm(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Consultation Nadia",
                "type": "opportunity",
                "contact_name": "Nadia New",
                "user_id": self.receptionist.id,
            }
        )
        self.start_tour(
            f"/odoo/crm/{lead.id}", "microneedling_crm_start_series_tour", login="tour_desk"
        )
        series = lead.microneedling_series_ids
        self.assertEqual(series.partner_id.name, "Nadia New")
        # The salesperson is not a practitioner: the practitioner chosen runs the series
        # and is asked to screen the client.
        self.assertEqual(series.user_id, self.practitioner)
        self.assertEqual(series.activity_ids.user_id, self.practitioner)

    def test_practitioner_rescreens_and_marks_done(self):
        partner = self._client("Tour Client")
        series = self._series(partner)
        session = self.env["microneedling.session"].create(
            {"series_id": series.id, "start": self.now - timedelta(minutes=5)}
        )
        # Answers last confirmed ten days ago: without the one-click re-screening,
        # "Mark Done" is refused.
        intake = self.env["microneedling.intake"].search([("partner_id", "=", partner.id)])
        self.env.cr.execute(
            "UPDATE microneedling_intake SET confirmed_date = %s WHERE id = %s",
            [self.now - timedelta(days=10), intake.id],
        )
        intake.invalidate_recordset(["confirmed_date"])
        self.start_tour(
            "/odoo/microneedling-my-day",
            "microneedling_practitioner_day_tour",
            login="tour_practitioner",
        )
        self.assertGreaterEqual(intake.confirmed_date, self.now)
        self.assertIn(
            "confirmed the answers are unchanged", "".join(intake.message_ids.mapped("body"))
        )
        self.assertEqual(session.state, "done")
        self.assertTrue(session.aftercare_schedule_ids)

    def test_manager_overrides_with_reason(self):
        partner = self._client(
            "Retinol Rhea", {"retinol_exfoliants": self.now - timedelta(hours=2)}
        )
        session = self.env["microneedling.session"].create(
            {
                "series_id": self._series(partner).id,
                "start": self.now + timedelta(hours=3),
                "state": "planned",
            }
        )
        self.start_tour(
            f"/odoo/microneedling-sessions/{session.id}",
            "microneedling_manager_override_tour",
            login="tour_manager",
        )
        self.assertEqual(session.state, "booked")
        self.assertEqual(session.override_user_id, self.manager)
        self.assertEqual(session.override_reason, "Dermatologist approved in writing")

    def test_refused_drag_snaps_back(self):
        retinol = self.item_window(days=8)
        partner = self._client(
            "Retinol Rita", {"retinol_exfoliants": self.now - timedelta(hours=1)}
        )
        blocked_until = self.now - timedelta(hours=1) + timedelta(hours=retinol.window_hours)
        start = (blocked_until + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        if start.isoweekday() == 7:  # the en_US week starts on Sunday: keep a day before it
            retinol.window_hours += 24
            start += timedelta(days=1)
        series = self.env["microneedling.series"].create({"partner_id": partner.id})
        session = self.env["microneedling.session"].create({"series_id": series.id, "start": start})
        self.start_tour(
            "/odoo/microneedling-sessions",
            "microneedling_calendar_drag_refused_tour",
            login="tour_desk",
        )
        session.invalidate_recordset()
        self.assertEqual(session.start, start)
        self.assertEqual(session.event_id.start, start)

    def item_window(self, days):
        item = self.env.ref("microneedling_treatment.contraindication_retinol_exfoliants")
        item.window_hours = days * 24
        return item
