from datetime import date, datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from .common import NOW, MicroneedlingCase


@freeze_time(NOW)
class TestReceptionDesk(MicroneedlingCase):
    def test_quick_create_books_into_open_series(self):
        self.screen(self.client)
        series = self.make_series()
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        session = Session.create(
            {"booking_partner_id": self.client.id, "start": NOW + timedelta(days=2)}
        )
        self.assertEqual(session.series_id, series)
        self.assertEqual(session.session_label, "session 1/6")
        self.assertEqual(session.clearance_state, "cleared")
        self.assertEqual(session.clearance_color, 10)

    def test_session_clearance_is_at_its_start(self):
        """Reception sees whether each session can go ahead, not only the client today."""
        self.screen(self.client, {"retinol_exfoliants": NOW - timedelta(hours=1)})
        series = self.make_series()
        later = self.book(series, NOW + timedelta(days=5))
        inside = self.book(series, NOW + timedelta(days=1), state="planned")
        self.assertEqual(self.client.microneedling_clearance_state, "blocked")
        self.assertEqual((later.clearance_state, later.clearance_label), ("cleared", "Cleared"))
        self.assertEqual(inside.clearance_state, "blocked")
        self.assertEqual(inside.clearance_label, "Blocked until 11/23/2026 08:00")
        self.assertEqual((later.clearance_color, inside.clearance_color), (10, 1))

    def test_quick_create_starts_a_series(self):
        self.screen(self.client)
        view = self.env.ref("microneedling_treatment.microneedling_session_view_form_quick_create")
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with Form(Session.with_context(default_start=NOW + timedelta(days=2)), view=view) as form:
            form.booking_partner_id = self.client
            form.user_id = self.user_practitioner
        session = form.record
        self.assertEqual(session.series_id.partner_id, self.client)
        self.assertEqual(session.series_id.kind, "course")
        self.assertEqual(session.series_id.user_id, self.user_practitioner)

    def test_quick_create_ignores_another_companys_series(self):
        other = self.env["res.company"].create({"name": "Second Spa"})
        self.user_receptionist.company_ids |= other
        self.screen(self.client)
        # An open series at the second spa (a tune-up: one open course at a time).
        self.complete_course(self.client)
        foreign = self.env["microneedling.series"].create(
            {"partner_id": self.client.id, "company_id": other.id, "kind": "tune_up"}
        )
        # Both companies ticked in the switcher, the current one first.
        Session = (
            self.env["microneedling.session"]
            .with_user(self.user_receptionist)
            .with_context(allowed_company_ids=[self.env.company.id, other.id])
        )
        session = Session.create(
            {"booking_partner_id": self.client.id, "start": NOW + timedelta(days=2)}
        )
        self.assertNotEqual(session.series_id, foreign)
        self.assertEqual(session.company_id, self.env.company)

    def test_quick_create_for_blocked_client_refused_as_a_whole(self):
        self.screen(self.client, {"pregnancy_nursing": True})
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with self.assertRaisesRegex(ValidationError, "rules out treatment"):
            Session.create({"booking_partner_id": self.client.id, "start": NOW + timedelta(days=2)})
        self.assertFalse(
            self.env["microneedling.series"].search([("partner_id", "=", self.client.id)])
        )

    def test_start_series_from_opportunity(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Microneedling consultation",
                "type": "opportunity",
                "contact_name": "Nadia New",
                "email_from": "nadia@example.com",
            }
        )
        stage = lead.stage_id
        action = lead.action_start_microneedling_series()
        series = self.env["microneedling.series"].browse(action["res_id"])
        self.assertEqual(series.partner_id.name, "Nadia New")
        self.assertEqual(lead.partner_id, series.partner_id)
        self.assertEqual(series.lead_id, lead)
        self.assertEqual(lead.microneedling_series_count, 1)
        self.assertTrue(series.activity_ids, "the client's screening is asked for")
        # The series' sessions show on the opportunity (and on the contact).
        self.screen(series.partner_id)
        session = self.book(series, NOW + timedelta(days=2))
        lead.invalidate_recordset(["microneedling_session_count"])
        self.assertEqual(lead.microneedling_session_count, 1)
        action = lead.action_view_microneedling_sessions()
        self.assertEqual(self.env["microneedling.session"].search(action["domain"]), session)
        self.assertEqual(series.partner_id.microneedling_session_count, 1)
        self.assertNotEqual(lead.stage_id, stage)
        self.assertGreaterEqual(lead.stage_id.sequence, stage.sequence)
        # A second click opens the same series, and the lead stays where it is.
        stage = lead.stage_id
        self.assertEqual(lead.action_start_microneedling_series()["res_id"], series.id)
        self.assertEqual(lead.microneedling_series_count, 1)
        self.assertEqual(lead.stage_id, stage)

    def test_book_next_session_proposes_free_slots_in_window(self):
        self.user_practitioner.tz = "Europe/Paris"
        self.screen(self.client)
        series = self.make_series()
        first = self.book(series, NOW - timedelta(hours=2))  # Friday 20/11 08:00 Paris
        first.with_user(self.user_practitioner).action_done()
        window_open = series.window_open_date
        # The practitioner is busy at the first candidate slot.
        busy_start = window_open.replace(hour=8, minute=0)  # 09:00 Paris
        self.env["calendar.event"].create(
            {
                "name": "Training",
                "start": busy_start,
                "stop": busy_start + timedelta(hours=1),
                "partner_ids": [(4, self.user_practitioner.partner_id.id)],
            }
        )
        action = series.with_user(self.user_receptionist).action_book_next_session()
        wizard = self.env["microneedling.book.next.wizard"].browse(action["res_id"])
        slots = wizard.offered_slot_ids
        self.assertEqual(len(slots), 10)
        self.assertTrue(
            all(series.window_open_date <= s.start <= series.overdue_date for s in slots)
        )
        self.assertNotIn(busy_start, slots.mapped("start"))
        self.assertTrue(all(s.start.weekday() < 5 for s in slots))
        action = slots[0].action_book()
        session = self.env["microneedling.session"].browse(action["res_id"])
        self.assertEqual(session.series_id, series)
        self.assertEqual(session.sequence_number, 2)

    def test_book_next_skips_client_blocked_period(self):
        self.screen(self.client)
        series = self.make_series()
        first = self.book(series, NOW - timedelta(hours=2))
        first.with_user(self.user_practitioner).action_done()
        self.item("recent_procedure").window_hours = 32 * 24
        self.screen(self.client, {"recent_procedure": NOW}, when=NOW)
        slots = series.env["microneedling.book.next.wizard"]._free_slots(series)
        self.assertTrue(slots)
        self.assertGreater(NOW + timedelta(days=32), series.window_open_date)
        self.assertTrue(all(start >= NOW + timedelta(days=32) for start in slots))

    def _done_series(self, done_at):
        """A series whose first session was done at `done_at` (frozen there)."""
        with freeze_time(done_at + timedelta(hours=1)):
            self.screen(self.client, when=done_at - timedelta(days=1))
            series = self.make_series()
            self.book(series, done_at).with_user(self.user_practitioner).action_done()
        return series

    def test_book_next_keeps_wall_clock_hours_across_daylight_saving(self):
        self.user_practitioner.tz = "Europe/Paris"
        # Window 19/03/2027 to 02/04/2027: Paris moves to summer time on 28/03.
        series = self._done_series(datetime(2027, 2, 19, 9, 0))
        paris = pytz.timezone("Europe/Paris")
        with freeze_time(datetime(2027, 3, 1)):
            slots = series.env["microneedling.book.next.wizard"]._candidate_slots(series)
        local = [pytz.utc.localize(start).astimezone(paris) for start in slots]
        self.assertEqual({start.hour for start in local}, set(range(9, 18)))
        after_change = [start for start in local if start.date() >= date(2027, 3, 29)]
        self.assertTrue(after_change)
        self.assertEqual(
            (after_change[0].hour, after_change[0].utcoffset()), (9, timedelta(hours=2))
        )

    def test_book_next_for_overdue_series_looks_ahead_from_today(self):
        series = self._done_series(NOW - timedelta(days=60))
        self.assertTrue(series.is_overdue)
        slots = series.env["microneedling.book.next.wizard"]._free_slots(series)
        self.assertTrue(slots)
        self.assertTrue(all(NOW <= start <= NOW + timedelta(days=14) for start in slots))

    def test_book_next_stays_inside_an_open_window(self):
        series = self._done_series(NOW - timedelta(days=35))  # window: day 28 to day 42
        slots = series.env["microneedling.book.next.wizard"]._free_slots(series, count=200)
        self.assertTrue(slots)
        self.assertTrue(all(NOW <= start <= series.overdue_date for start in slots))

    def test_book_next_says_when_the_block_outlasts_the_window(self):
        series = self._done_series(NOW - timedelta(days=30))
        self.item("recent_procedure").window_hours = 30 * 24
        self.screen(self.client, {"recent_procedure": NOW}, when=NOW)
        with self.assertRaisesRegex(UserError, "is blocked until 12/20/2026 09:00, after this"):
            series.env["microneedling.book.next.wizard"]._free_slots(series)

    def test_book_next_needs_a_practitioner_and_a_free_hour(self):
        series = self._done_series(NOW - timedelta(days=30))
        practitioner = series.user_id
        series.user_id = False
        with self.assertRaisesRegex(UserError, "has no practitioner"):
            series.env["microneedling.book.next.wizard"]._free_slots(series)
        series.user_id = practitioner
        self.env["calendar.event"].create(
            {
                "name": "Away",
                "start": NOW - timedelta(days=1),
                "stop": NOW + timedelta(days=30),
                "partner_ids": [(4, practitioner.partner_id.id)],
            }
        )
        with self.assertRaisesRegex(UserError, "has no free hour"):
            series.env["microneedling.book.next.wizard"]._free_slots(series)

    def test_practitioner_confirms_answers_unchanged(self):
        intake = self.screen(self.client, when=NOW - timedelta(days=20))
        session = self.book(self.make_series(), NOW - timedelta(hours=1))
        with freeze_time(NOW + timedelta(days=10)):
            session.with_user(self.user_practitioner).action_confirm_screening_unchanged()
            self.assertEqual(intake.confirmed_date, NOW + timedelta(days=10))

    def _week_queries(self, count, weeks_ahead):
        """Queries to load one calendar week of `count` sessions, as the web client does."""
        Session = self.env["microneedling.session"]
        monday = NOW + timedelta(weeks=weeks_ahead)
        clients = self.env["res.partner"].create(
            [{"name": f"Week client {i}"} for i in range(count)]
        )
        for client in clients:
            self.screen(client)
        # Ten practitioners, each in one session at a time.
        practitioners = self.user_practitioner | self.env["res.users"].create(
            [
                {
                    "name": f"Practitioner {weeks_ahead}-{i}",
                    "login": f"mn_week_{weeks_ahead}_{i}",
                    "groups_id": [
                        (6, 0, [self.env.ref("microneedling_treatment.group_practitioner").id])
                    ],
                }
                for i in range(9)
            ]
        )
        series = self.env["microneedling.series"].create(
            [
                {"partner_id": c.id, "user_id": practitioners[i % 10].id}
                for i, c in enumerate(clients)
            ]
        )
        Session.create(
            [
                {"series_id": s.id, "start": monday + timedelta(hours=i // 10, minutes=i % 10)}
                for i, s in enumerate(series)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        # What the session calendar's searchRead asks for: the arch's fields, the
        # date, colour and title fields.
        field_names = [
            "display_name",
            "start",
            "stop",
            "partner_id",
            "session_label",
            "progress_label",
            "clearance_label",
            "clearance_color",
            "user_id",
            "state",
        ]
        domain = [("start", ">=", monday), ("start", "<", monday + timedelta(days=7))]
        reception = Session.with_user(self.user_receptionist)
        reception.search_read(domain, field_names)  # warm the caches
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        result = reception.search_read(domain, field_names)
        self.assertEqual(len(result), count)
        return self.cr.sql_log_count - before

    def test_calendar_week_costs_constant_queries(self):
        self.assertEqual(
            self._week_queries(30, weeks_ahead=20), self._week_queries(300, weeks_ahead=30)
        )
