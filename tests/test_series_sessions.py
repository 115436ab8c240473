from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user

from .common import NOW, MicroneedlingCase


@freeze_time(NOW)
class TestSeriesRules(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client)

    def test_course_defaults_to_six_sessions(self):
        series = self.make_series()
        self.assertEqual(series.planned_session_count, 6)
        self.assertEqual(series.state, "new")
        self.assertTrue(series.name.startswith("MN/"))

    def test_course_needs_three_sessions(self):
        with self.assertRaisesRegex(ValidationError, "at least 3 sessions"):
            self.make_series(planned_session_count=2)
        self.assertEqual(self.make_series(planned_session_count=3).planned_session_count, 3)

    def test_cannot_book_more_than_planned(self):
        series = self.make_series(planned_session_count=3)
        for week in (1, 5, 9):
            self.book(series, NOW + timedelta(weeks=week))
        with self.assertRaisesRegex(ValidationError, "plans 3 sessions"):
            self.book(series, NOW + timedelta(weeks=13))

    def test_tune_up_needs_completed_course(self):
        with self.assertRaisesRegex(ValidationError, "not completed a microneedling course"):
            self.make_series(kind="tune_up")
        course = self.complete_course(self.client)
        self.assertEqual(course.state, "done")
        self.assertEqual(course.progress, 100.0)
        tune_up = self.make_series(kind="tune_up")
        self.assertEqual(tune_up.planned_session_count, 1)

    def test_sessions_four_weeks_apart(self):
        series = self.make_series()
        first = self.book(series, NOW + timedelta(days=1))
        too_soon = first.start + timedelta(days=28) - timedelta(minutes=1)
        with self.assertRaisesRegex(ValidationError, "at least 28 days apart"):
            self.book(series, too_soon)
        second = self.book(series, first.start + timedelta(days=28))
        self.assertEqual(second.sequence_number, 2)
        # Moving the first one next to the second is refused as well.
        with self.assertRaisesRegex(ValidationError, "at least 28 days apart"):
            first.start = second.start - timedelta(days=3)
        self.assertEqual(first.start, NOW + timedelta(days=1))

    def test_spacing_follows_company_setting(self):
        self.env.company.microneedling_min_interval_days = 35
        series = self.make_series()
        first = self.book(series, NOW + timedelta(days=1))
        with self.assertRaisesRegex(ValidationError, "at least 35 days apart"):
            self.book(series, first.start + timedelta(days=30))

    def test_cancelled_session_frees_its_slot(self):
        series = self.make_series()
        first = self.book(series, NOW + timedelta(days=1))
        first.action_cancel()
        self.assertEqual(self.book(series, NOW + timedelta(days=2)).sequence_number, 1)

    def test_overdue(self):
        series = self.make_series()
        session = self.book(
            series, NOW - timedelta(days=50), user=self.user_practitioner, state="done"
        )
        self.assertEqual(series.overdue_date, session.start + timedelta(days=42))
        self.assertTrue(series.is_overdue)
        Series = self.env["microneedling.series"]
        self.assertIn(series, Series.search([("is_overdue", "=", True)]))
        self.book(series, NOW + timedelta(days=1))
        self.assertFalse(series.is_overdue, "its next session is booked, late as it is")
        series.session_ids.filtered(lambda s: s.state == "booked").action_cancel()
        with freeze_time(session.start + timedelta(days=41)):
            series.invalidate_recordset(["is_overdue"])
            self.assertFalse(series.is_overdue)
            self.assertNotIn(series, Series.search([("is_overdue", "=", True)]))

    def test_done_requires_recent_confirmation(self):
        series = self.make_series()
        session = self.book(series, NOW + timedelta(days=9))
        practitioner_session = session.with_user(self.user_practitioner)
        with freeze_time(session.start):
            with self.assertRaisesRegex(ValidationError, "must be confirmed at most 7 days"):
                practitioner_session.action_done()
            company = self.env.company
            intake = self.env["microneedling.intake"]._current_for_partners(self.client, company)[
                self.client.id, company.id
            ]
            intake.with_user(self.user_practitioner).action_confirm_unchanged()
            practitioner_session.action_done()
        self.assertEqual(session.state, "done")
        self.assertEqual(series.state, "in_progress")
        self.assertEqual(series.session_done_count, 1)

    def test_done_rechecks_contraindications(self):
        series = self.make_series()
        session = self.book(series, NOW - timedelta(hours=1))
        self.screen(self.client, {"pregnancy_nursing": True}, when=NOW)
        with self.assertRaisesRegex(ValidationError, "Pregnancy"):
            session.with_user(self.user_practitioner).action_done()
        self.assertEqual(session.state, "booked")

    def test_only_practitioner_marks_done(self):
        session = self.book(self.make_series(), NOW + timedelta(hours=2))
        with self.assertRaises(AccessError):
            session.with_user(self.user_receptionist).write({"state": "done"})

    def test_done_session_cannot_be_deleted(self):
        session = self.book(self.make_series(), NOW - timedelta(hours=2))
        session.with_user(self.user_practitioner).action_done()
        with self.assertRaises(UserError):
            session.unlink()

    def test_cannot_mark_done_before_the_session(self):
        session = self.book(self.make_series(), NOW + timedelta(hours=2))
        with self.assertRaisesRegex(UserError, "has not started yet"):
            session.with_user(self.user_practitioner).action_done()

    def test_done_session_is_clinical_record(self):
        session = self.book(self.make_series(), NOW - timedelta(hours=2))
        session.with_user(self.user_practitioner).action_done()
        receptionist_session = session.with_user(self.user_receptionist)
        for vals in ({"state": "booked"}, {"start": NOW}, {"date_done": NOW}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                receptionist_session.write(vals)
        session.with_user(self.user_practitioner).action_reset_to_booked()
        self.assertEqual(session.state, "booked")

    def test_event_link_cannot_be_forged(self):
        session = self.book(self.make_series(), NOW + timedelta(hours=2))
        foreign = self.env["calendar.event"].create(
            {"name": "Board meeting", "start": NOW, "stop": NOW + timedelta(hours=1)}
        )
        forged = session.with_user(self.user_receptionist).with_context(
            microneedling_event_sync=True
        )
        with self.assertRaises(AccessError):
            forged.write({"event_id": foreign.id, "state": "cancelled"})
        forged.action_cancel()
        self.assertTrue(foreign.exists())
        self.assertFalse(session.event_id)

    def test_series_client_locked_once_booked(self):
        series = self.make_series()
        self.book(series, NOW + timedelta(days=1))
        other = self.env["res.partner"].create({"name": "Other Olga"})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            series.partner_id = other

    def test_form_books_a_session(self):
        series = self.make_series()
        with Form(self.env["microneedling.session"].with_user(self.user_receptionist)) as form:
            form.series_id = series
            form.start = NOW + timedelta(days=3)
        session = form.record
        self.assertEqual(session.stop, session.start + timedelta(hours=1))
        self.assertEqual(session.user_id, self.user_practitioner)
        self.assertTrue(session.event_id)


@freeze_time(NOW)
class TestOverride(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client, {"retinol_exfoliants": NOW - timedelta(hours=1)})
        cls.series = cls.make_series()
        # A planned session needs no clearance until it is booked.
        cls.session = cls.book(cls.series, NOW + timedelta(hours=3), state="planned")

    def _book_blocked(self, session):
        session.action_book()

    def test_override_is_manager_only(self):
        for user in (self.user_receptionist, self.user_practitioner):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.session.with_user(user)._override("Client insists")
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.session.with_user(user).write({"override_reason": "sneaky"})

    def test_override_needs_reason(self):
        with self.assertRaisesRegex(UserError, "needs a reason"):
            self.session.with_user(self.user_manager)._override(" ")

    def test_override_allows_blocked_session_and_is_tracked(self):
        with self.assertRaisesRegex(ValidationError, "time-bound contraindication"):
            self._book_blocked(self.session)
        wizard = (
            self.env["microneedling.session.override.wizard"]
            .with_user(self.user_manager)
            .create({"session_id": self.session.id, "reason": "Retinol was 0.01%, doctor agreed"})
        )
        wizard.action_confirm()
        self._book_blocked(self.session)
        self.assertEqual(self.session.state, "booked")
        self.assertEqual(self.session.override_user_id, self.user_manager)
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written before commit
        tracked = self.session.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "override_reason"
        )
        self.assertEqual(tracked.new_value_text, "Retinol was 0.01%, doctor agreed")
        self.assertEqual(tracked.mail_message_id.author_id, self.user_manager.partner_id)
        # The override is for this slot: moving the session needs a new one.
        with self.assertRaisesRegex(ValidationError, "time-bound contraindication"):
            self.session.write({"start": NOW + timedelta(hours=5)})
        self.assertEqual(self.session.start, NOW + timedelta(hours=3))

    def test_override_does_not_lift_spacing(self):
        self.session.with_user(self.user_manager)._override("Approved")
        self._book_blocked(self.session)
        with self.assertRaisesRegex(ValidationError, "days apart"):
            self.book(self.series, NOW + timedelta(days=3), user=self.user_manager)


@freeze_time(NOW)
class TestEventSync(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client, {"waxing": NOW - timedelta(days=10)})  # blocked until NOW + 4 d
        cls.series = cls.make_series()
        cls.start = NOW + timedelta(days=5)

    def test_booking_creates_event(self):
        session = self.book(self.series, self.start)
        event = session.event_id
        self.assertEqual((event.start, event.stop), (session.start, session.stop))
        self.assertEqual(event.user_id, self.user_practitioner)
        self.assertIn(self.client, event.partner_ids)
        self.assertEqual(event.microneedling_session_id, session)
        self.assertIn("1/6", event.name)

    def test_event_title_follows_numbering_and_plan(self):
        """Cancelling session 1, or moving session 2 before it, renumbers the others'
        events; changing the planned count retitles them all."""
        first = self.book(self.series, self.start)
        second = self.book(self.series, self.start + timedelta(days=30))
        third = self.book(self.series, self.start + timedelta(days=60))
        self.assertEqual(
            [s.event_id.name for s in first | second | third],
            [f"Clara Client - session {n}/6" for n in (1, 2, 3)],
        )
        first.action_cancel()
        self.assertEqual(second.event_id.name, "Clara Client - session 1/6")
        self.assertEqual(third.event_id.name, "Clara Client - session 2/6")
        self.series.planned_session_count = 4
        self.assertEqual(third.event_id.name, "Clara Client - session 2/4")
        # A drag on the calendar renumbers the other session's event too.
        second.event_id.write(
            {
                "start": self.start + timedelta(days=90),
                "stop": self.start + timedelta(days=90, hours=1),
            }
        )
        self.assertEqual(third.event_id.name, "Clara Client - session 1/4")
        self.assertEqual(second.event_id.name, "Clara Client - session 2/4")
        self.assertEqual((second.event_id.start, second.event_id.stop), (second.start, second.stop))

    def test_session_move_moves_event(self):
        session = self.book(self.series, self.start)
        session.write(
            {
                "start": self.start + timedelta(days=1),
                "stop": self.start + timedelta(days=1, hours=2),
            }
        )
        self.assertEqual(session.event_id.start, self.start + timedelta(days=1))
        self.assertEqual(session.event_id.stop, self.start + timedelta(days=1, hours=2))

    def test_move_sends_the_client_no_change_notice(self):
        self.client.email = "clara@example.com"
        session = self.book(self.series, self.start)
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search([("recipient_ids", "in", self.client.ids)])
        session.write({"start": self.start + timedelta(days=1)})
        self.assertEqual(session.event_id.start, self.start + timedelta(days=1))
        self.assertEqual(Mail.search([("recipient_ids", "in", self.client.ids)]), before)

    def test_new_practitioner_attends_instead(self):
        other = new_test_user(
            self.env, login="mn_practitioner2", groups="microneedling_treatment.group_practitioner"
        )
        session = self.book(self.series, self.start)
        session.with_user(self.user_practitioner).user_id = other
        event = session.event_id
        self.assertEqual(event.user_id, other)
        self.assertEqual(event.partner_ids, self.client | other.partner_id)
        # And from the Calendar app: the organizer changed on the event.
        event.with_user(self.user_receptionist).user_id = self.user_practitioner
        self.assertEqual(session.user_id, self.user_practitioner)
        self.assertEqual(event.partner_ids, self.client | self.user_practitioner.partner_id)

    def test_event_drag_moves_session(self):
        session = self.book(self.series, self.start)
        session.event_id.with_user(self.user_receptionist).write(
            {"start": self.start + timedelta(hours=3), "stop": self.start + timedelta(hours=4)}
        )
        self.assertEqual(session.start, self.start + timedelta(hours=3))
        self.assertEqual(session.stop, self.start + timedelta(hours=4))

    def test_linked_event_not_archived_or_repeated(self):
        session = self.book(self.series, self.start)
        event = session.event_id.with_user(self.user_receptionist)
        for vals in ({"active": False}, {"recurrency": True, "rrule_type": "weekly"}):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, "belong to microneedling sessions"):
                    event.write(vals)
                self.assertTrue(event.active)
                self.assertFalse(event.recurrency)
        # Other events stay the Calendar app's business.
        other = self.env["calendar.event"].create(
            {"name": "Team meeting", "start": self.start, "stop": self.start + timedelta(hours=1)}
        )
        other.write({"active": False})
        self.assertFalse(other.active)

    def test_refused_drag_leaves_both_unchanged(self):
        session = self.book(self.series, self.start)
        event = session.event_id
        with self.assertRaisesRegex(ValidationError, "time-bound contraindication"):
            event.with_user(self.user_receptionist).write(
                {"start": NOW + timedelta(days=1), "stop": NOW + timedelta(days=1, hours=1)}
            )
        session.invalidate_recordset()
        event.invalidate_recordset()
        self.assertEqual(session.start, self.start)
        self.assertEqual(event.start, self.start)

    def test_deleting_event_cancels_session(self):
        session = self.book(self.series, self.start)
        session.event_id.with_user(self.user_receptionist).unlink()
        self.assertEqual(session.state, "cancelled")
        self.assertFalse(session.event_id)

    def test_cancel_or_delete_session_removes_event(self):
        session = self.book(self.series, self.start)
        event = session.event_id
        session.action_cancel()
        self.assertFalse(event.exists())
        other = self.book(self.series, self.start + timedelta(weeks=5))
        other_event = other.event_id
        other.unlink()
        self.assertFalse(other_event.exists())

    def test_event_created_for_series_books_session(self):
        event = (
            self.env["calendar.event"]
            .with_user(self.user_receptionist)
            .create(
                {
                    "name": "Booking",
                    "start": self.start,
                    "stop": self.start + timedelta(hours=1),
                    "microneedling_series_id": self.series.id,
                    "user_id": self.user_practitioner.id,
                }
            )
        )
        session = event.microneedling_session_id
        self.assertEqual(session.series_id, self.series)
        self.assertEqual(session.event_id, event)
        self.assertEqual(session.start, self.start)

    def test_event_created_in_window_refused(self):
        with self.assertRaisesRegex(ValidationError, "time-bound contraindication"):
            self.env["calendar.event"].with_user(self.user_receptionist).create(
                {
                    "name": "Too early",
                    "start": NOW + timedelta(days=1),
                    "stop": NOW + timedelta(days=1, hours=1),
                    "microneedling_series_id": self.series.id,
                }
            )
        self.assertFalse(self.series.session_ids)
        self.assertFalse(
            self.env["calendar.event"].search([("microneedling_series_id", "=", self.series.id)])
        )


@freeze_time(NOW)
class TestCheckQueryCount(MicroneedlingCase):
    def _measure(self, partner):
        series = self.make_series(partner)
        session = self.book(series, self.free_hour(NOW + timedelta(days=200)))
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self.assertFalse(session._get_booking_problems())
        return self.cr.sql_log_count - before

    def test_constant_queries_whatever_the_history(self):
        # Same current answers; only the history differs.
        fresh = self.env["res.partner"].create({"name": "Fresh Fiona"})
        self.screen(fresh, {"waxing": NOW - timedelta(days=41)})
        warm_up = self.env["res.partner"].create({"name": "Warm-up Wendy"})
        self.screen(warm_up, {"waxing": NOW - timedelta(days=41)})
        self._measure(warm_up)  # registry caches (groups, company settings) fill once
        veteran = self._veteran()
        self.assertEqual(self._measure(fresh), self._measure(veteran))

    def _veteran(self):
        """A client with a completed 6-session course and 30 screenings since; her
        current answers are the same as the fresh clients' (waxing 41 days ago)."""
        veteran = self.env["res.partner"].create({"name": "Veteran Vera"})
        self.complete_course(veteran, sessions=6)
        for days in range(30, 0, -1):
            self.screen(
                veteran,
                {"waxing": NOW - timedelta(days=40 + days)},
                when=NOW - timedelta(days=days),
            )
        return veteran

    def _booking_queries(self, partner):
        series = self.make_series(partner)
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        start = self.free_hour(NOW + timedelta(days=200))
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        Session.create({"series_id": series.id, "start": start})
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_booking_costs_at_most_35_queries_whatever_the_history(self):
        """A whole booking (every protocol check, the lock, the calendar event), as
        bench/bench_booking.py measures it: 33 queries there."""
        fresh = self.env["res.partner"].create({"name": "Fresh Fiona"})
        self.screen(fresh, {"waxing": NOW - timedelta(days=41)})
        warm_up = self.env["res.partner"].create({"name": "Warm-up Wendy"})
        self.screen(warm_up, {"waxing": NOW - timedelta(days=41)})
        self._booking_queries(warm_up)
        veteran = self._veteran()
        fresh_queries = self._booking_queries(fresh)
        self.assertLessEqual(fresh_queries, 35)
        self.assertEqual(fresh_queries, self._booking_queries(veteran))
