"""Defects a second adversarial review found in the desk work (on 87749f2): each test
failed there. Every slot Book Next offers books; a cancelled series books nothing; an
odd quick-create value is refused cleanly; a booking left open in the past is no next
session; a settings change to a namesake is logged."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError

from .common import NOW, MicroneedlingCase


@freeze_time(NOW)
class TestDeskReviewBookNext(MicroneedlingCase):
    """Adversarial review: every slot the Book Next wizard offers must book."""

    def _refusals(self, slots):
        """[(start, message)] of the slots whose booking is refused (each tried alone,
        rolled back)."""
        refused = []
        for slot in slots:
            try:
                with self.env.cr.savepoint():
                    slot.with_user(self.user_receptionist).action_book()
                    raise _Rollback()
            except _Rollback:
                continue
            except (UserError, ValidationError) as error:
                refused.append((slot.start, str(error).splitlines()[-1]))
        return refused

    def _wizard(self, series):
        action = series.with_user(self.user_receptionist).action_book_next_session()
        return self.env["microneedling.book.next.wizard"].browse(action["res_id"])

    def test_tune_up_slots_respect_spacing_with_the_course(self):
        """A tune-up right after the course: the window starts from the tune-up's own
        (empty) history, but the spacing rule counts the client's course sessions."""
        course = self.make_series(planned_session_count=3)
        for days in (70, 40, 10):
            start = NOW - timedelta(days=days)
            self.screen(self.client, when=start - timedelta(days=1))
            self.book(course, start, user=self.user_practitioner, state="done")
        self.assertEqual(course.state, "done")
        self.screen(self.client)
        tune_up = self.make_series(kind="tune_up")
        wizard = self._wizard(tune_up)
        self.assertTrue(wizard.offered_slot_ids)
        self.assertEqual(self._refusals(wizard.offered_slot_ids), [])

    def test_client_all_day_event_in_client_time_zone(self):
        """The booking rule reads a client's all-day appointment in the client's time
        zone; the wizard reads it in the practitioner's (UTC here)."""
        self.client.tz = "Pacific/Auckland"  # UTC+13 in November
        self.screen(self.client)
        series = self.make_series()
        day = date(2026, 11, 25)
        self.env["calendar.event"].create(
            {
                "name": "Client's day off",
                "allday": True,
                "start_date": day,
                "stop_date": day,
                "partner_ids": [(4, self.client.id)],
            }
        )
        wizard = self._wizard(series)
        eve = wizard.slot_ids.filtered(lambda s: s.start.date() == date(2026, 11, 24))
        self.assertEqual(self._refusals(eve), [])

    def test_practitioner_without_tz_all_day_event(self):
        """A practitioner without a time zone: the rule falls back on the company's
        time zone for their all-day appointment, the wizard on UTC."""
        self.env.company.partner_id.tz = "Asia/Tokyo"
        self.user_practitioner.tz = False
        self.screen(self.client)
        series = self.make_series()
        day = date(2026, 11, 25)
        self.env["calendar.event"].create(
            {
                "name": "Annual leave",
                "allday": True,
                "start_date": day,
                "stop_date": day,
                "partner_ids": [(4, self.user_practitioner.partner_id.id)],
            }
        )
        wizard = self._wizard(series)
        eve = wizard.slot_ids.filtered(lambda s: s.start.date() == date(2026, 11, 24))
        self.assertEqual(self._refusals(eve), [])

    def test_book_next_refuses_a_cancelled_series(self):
        self.screen(self.client)
        series = self.make_series()
        series.action_cancel()
        self.assertEqual(series.state, "cancelled")
        # Either the wizard refuses the cancelled series, or its slot's booking does.
        with self.assertRaisesRegex(UserError, "[Cc]ancel"):
            wizard = self._wizard(series)
            action = wizard.offered_slot_ids[:1].with_user(self.user_receptionist).action_book()
            session = self.env["microneedling.session"].browse(action["res_id"])
            self.assertEqual((session.state, session.series_id.state), ("booked", "cancelled"))


class _Rollback(Exception):
    pass


class TestDeskReviewContraindication(MicroneedlingCase):
    def test_window_value_overflow(self):
        item = self.item("recent_procedure")
        with self.assertRaisesRegex(ValidationError, "Window"):
            item.write({"window_value": 100_000_000, "window_unit": "days"})
            item.flush_recordset()


@freeze_time(NOW)
class TestDeskReviewSeries(MicroneedlingCase):
    def test_overdue_despite_a_past_booking_never_closed(self):
        """Last session done 60 days ago; the booking made for 10 days ago was never
        marked done or no-show: nothing is coming, the series is overdue."""
        with freeze_time(NOW - timedelta(days=59)):
            self.screen(self.client, when=NOW - timedelta(days=61))
            series = self.make_series()
            self.book(series, NOW - timedelta(days=60), user=self.user_practitioner, state="done")
        with freeze_time(NOW - timedelta(days=12)):
            self.screen(self.client, when=NOW - timedelta(days=12))
            self.book(series, NOW - timedelta(days=10))
        self.assertLess(series.overdue_date, NOW)
        self.assertTrue(series.is_overdue)
        self.assertIn(series, self.env["microneedling.series"].search([("is_overdue", "=", True)]))


class TestDeskReviewProtocolLog(MicroneedlingCase):
    def test_reception_user_change_to_a_namesake_is_logged(self):
        from odoo.tests import new_test_user

        namesake = new_test_user(
            self.env,
            login="mn_receptionist_2",
            groups="microneedling_treatment.group_receptionist",
            name="Rita Receptionist",
        )
        company = self.env.company
        company.microneedling_reception_user_id = self.user_receptionist
        Log = self.env["microneedling.protocol.log"].sudo()
        before = Log.search_count([("setting", "=", "microneedling_reception_user_id")])
        company.microneedling_reception_user_id = namesake
        after = Log.search_count([("setting", "=", "microneedling_reception_user_id")])
        self.assertEqual(after, before + 1)


@freeze_time(NOW)
class TestDeskReviewQuickCreate(MicroneedlingCase):
    def test_quick_create_odd_booking_partner(self):
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        for value in (True, "abc", -1, 0.5):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, "Book for Client"),
            ):
                Session.create({"booking_partner_id": value, "start": NOW + timedelta(days=2)})
