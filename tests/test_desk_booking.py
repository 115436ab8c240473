"""Issue #14, booking at the desk: double bookings, the practitioner a session takes,
numbering, overdue series, overridden sessions and staff without an email address."""

import re
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, new_test_user

from .common import NOW, MicroneedlingCase


class DoubleBookingCase(MicroneedlingCase):
    """Two screened clients of one practitioner; the first is booked in three days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_client = cls.env["res.partner"].create({"name": "Olga Other", "lang": "en_US"})
        cls.screen(cls.client)
        cls.screen(cls.other_client)
        cls.series = cls.make_series()
        cls.other_series = cls.make_series(cls.other_client)
        cls.start = NOW + timedelta(days=3)
        cls.first = cls.book(cls.series, cls.start)


@freeze_time(NOW)
class TestDoubleBooking(DoubleBookingCase):
    def _busy_event(self, partner, name, start, stop, **vals):
        return self.env["calendar.event"].create(
            {"name": name, "start": start, "stop": stop, "partner_ids": [(4, partner.id)], **vals}
        )

    def test_practitioner_cannot_be_in_two_sessions_at_once(self):
        with self.assertRaisesRegex(
            ValidationError, r"Paula Practitioner is busy .*Clara Client - session 1/6"
        ):
            self.book(self.other_series, self.start + timedelta(minutes=30))
        # Back to back is fine.
        second = self.book(self.other_series, self.start + timedelta(hours=1))
        # Moving or resizing onto the first session is refused as well.
        with self.assertRaisesRegex(ValidationError, "Paula Practitioner is busy"):
            second.with_user(self.user_receptionist).write({"start": self.start})
        with self.assertRaisesRegex(ValidationError, "Paula Practitioner is busy"):
            second.with_user(self.user_receptionist).write(
                {
                    "start": self.start - timedelta(minutes=30),
                    "stop": self.start + timedelta(hours=2),
                }
            )
        self.assertEqual(second.start, self.start + timedelta(hours=1))
        # Dragging the appointment in the calendar goes through the same rule.
        with self.assertRaisesRegex(ValidationError, "Paula Practitioner is busy"):
            second.event_id.with_user(self.user_receptionist).write(
                {"start": self.start, "stop": self.start + timedelta(hours=1)}
            )

    def test_one_batch_cannot_double_book_a_practitioner(self):
        day = self.start + timedelta(days=1)
        third = self.env["res.partner"].create({"name": "Theo Third"})
        self.screen(third)
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with self.assertRaisesRegex(ValidationError, "Paula Practitioner is busy"):
            Session.create(
                [
                    {"series_id": self.other_series.id, "start": day},
                    {"series_id": self.make_series(third).id, "start": day},
                ]
            )

    def test_another_practitioner_takes_the_same_hour(self):
        colleague = new_test_user(
            self.env,
            login="mn_colleague",
            groups="microneedling_treatment.group_practitioner",
            name="Carla Colleague",
        )
        session = self.book(self.other_series, self.start, user_id=colleague.id)
        self.assertEqual(session.user_id, colleague)

    def test_practitioners_busy_calendar_event_is_named(self):
        self._busy_event(
            self.user_practitioner.partner_id,
            "Dentist",
            self.start + timedelta(days=1),
            self.start + timedelta(days=1, hours=2),
        )
        with self.assertRaisesRegex(ValidationError, "Paula Practitioner is busy .*Dentist"):
            self.book(self.other_series, self.start + timedelta(days=1, hours=1))

    def test_free_or_declined_events_do_not_block(self):
        day = self.start + timedelta(days=1)
        self._busy_event(
            self.user_practitioner.partner_id,
            "Optional webinar",
            day,
            day + timedelta(hours=1),
            show_as="free",
        )
        declined = self._busy_event(
            self.user_practitioner.partner_id, "Team lunch", day, day + timedelta(hours=1)
        )
        declined.attendee_ids.filtered(
            lambda a: a.partner_id == self.user_practitioner.partner_id
        ).do_decline()
        session = self.book(self.other_series, day)
        self.assertEqual(session.state, "booked")

    def test_private_event_is_not_named_to_reception(self):
        day = self.start + timedelta(days=1)
        self._busy_event(
            self.user_practitioner.partner_id,
            "Fertility clinic",
            day,
            day + timedelta(hours=1),
            privacy="private",
            user_id=self.user_practitioner.id,
        )
        with self.assertRaises(ValidationError) as refused:
            self.book(self.other_series, day)
        self.assertIn("a private appointment", str(refused.exception))
        self.assertNotIn("Fertility", str(refused.exception))

    def test_client_cannot_be_in_two_places_at_once(self):
        day = self.start + timedelta(days=1)
        self._busy_event(self.other_client, "Hair colouring", day, day + timedelta(hours=2))
        colleague = new_test_user(
            self.env,
            login="mn_colleague2",
            groups="microneedling_treatment.group_practitioner",
            name="Carla Colleague",
        )
        with self.assertRaisesRegex(ValidationError, "Olga Other is busy .*Hair colouring"):
            self.book(self.other_series, day + timedelta(hours=1), user_id=colleague.id)


@freeze_time(NOW)
class TestDeskBooking(MicroneedlingCase):
    def test_quick_created_session_takes_the_series_practitioner(self):
        self.screen(self.client)
        series = self.make_series()
        view = self.env.ref("microneedling_treatment.microneedling_session_view_form_quick_create")
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with Form(Session.with_context(default_start=NOW + timedelta(days=2)), view=view) as form:
            form.booking_partner_id = self.client
        session = form.record
        self.assertEqual(session.series_id, series)
        self.assertEqual(session.user_id, self.user_practitioner)
        self.assertIn(self.user_practitioner.partner_id, session.event_id.partner_ids)
        # A practitioner chosen in the dialog wins.
        colleague = new_test_user(
            self.env,
            login="mn_colleague",
            groups="microneedling_treatment.group_practitioner",
            name="Carla Colleague",
        )
        with Form(Session.with_context(default_start=NOW + timedelta(days=40)), view=view) as form:
            form.booking_partner_id = self.client
            form.user_id = colleague
        self.assertEqual(form.record.user_id, colleague)

    def test_refused_booking_does_not_consume_a_series_number(self):
        sequence = self.env.ref("microneedling_treatment.seq_microneedling_series")
        self.screen(self.client, {"pregnancy_nursing": True})
        before = sequence.number_next_actual
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with self.assertRaisesRegex(ValidationError, "rules out treatment"):
            Session.create({"booking_partner_id": self.client.id, "start": NOW + timedelta(days=2)})
        sequence.invalidate_recordset()
        self.assertEqual(sequence.number_next_actual, before)
        other = self.env["res.partner"].create({"name": "Next Client"})
        self.screen(other)
        series = self.make_series(other)
        self.assertTrue(series.name.endswith(f"{before:04d}"), series.name)

    def test_overdue_ends_when_the_next_session_is_booked(self):
        self.screen(self.client, when=NOW - timedelta(days=70))
        series = self.make_series()
        self.book(series, NOW - timedelta(days=60), user=self.user_practitioner, state="done")
        self.screen(self.client)
        self.assertTrue(series.is_overdue)
        self.assertIn(series, series.search([("is_overdue", "=", True)]))
        # Booked for next week: no longer overdue, although later than the overdue date.
        self.book(series, NOW + timedelta(days=7))
        series.invalidate_recordset()
        self.assertFalse(series.is_overdue)
        self.assertNotIn(series, series.search([("is_overdue", "=", True)]))

    def test_overridden_session_shows_as_overridden(self):
        self.screen(self.client, {"retinol_exfoliants": NOW - timedelta(hours=1)})
        series = self.make_series()
        session = self.book(series, NOW + timedelta(days=1), state="planned")
        self.assertEqual(session.clearance_state, "blocked")
        session.with_user(self.user_manager)._override("Client stopped retinol early")
        session.action_book()
        session.invalidate_recordset()
        self.assertEqual(session.with_user(self.user_receptionist).clearance_state, "overridden")
        self.assertEqual(session.with_user(self.user_receptionist).clearance_label, "Overridden")
        self.assertNotEqual(session.clearance_color, 2)  # not the "needs review" colour

    def test_staff_without_email_can_book_and_clear(self):
        for user in (self.user_receptionist, self.user_practitioner, self.user_manager):
            user.partner_id.email = False
        intake = self.screen(self.client, {"herpes_prone": True})
        answer = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "herpes_prone")
        wizard = (
            self.env["microneedling.answer.clearance.wizard"]
            .with_user(self.user_practitioner)
            .create({"answer_id": answer.id, "reason": "Antiviral prophylaxis prescribed"})
        )
        wizard.action_confirm()
        self.assertTrue(answer.cleared)
        view = self.env.ref("microneedling_treatment.microneedling_session_view_form_quick_create")
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with Form(Session.with_context(default_start=NOW + timedelta(days=2)), view=view) as form:
            form.booking_partner_id = self.client
            form.user_id = self.user_practitioner
        session = form.record
        self.assertEqual(session.state, "booked")
        self.assertIn(self.user_practitioner.partner_id, session.event_id.partner_ids)
        # A series assigned to another practitioner (who is told), a screening to-do,
        # an override, a cancellation and a done session, all by staff without email.
        colleague = new_test_user(
            self.env,
            login="mn_colleague_no_email",
            groups="microneedling_treatment.group_practitioner",
            name="Carla Colleague",
        )
        newcomer = self.env["res.partner"].create({"name": "Nina Newcomer"})
        series = self.make_series(newcomer, user_id=colleague.id)
        series.with_user(self.user_receptionist)._request_screening()
        self.assertEqual(series.activity_ids.user_id, colleague)
        self.screen(newcomer, {"retinol_exfoliants": NOW - timedelta(hours=1)})
        blocked = self.book(series, NOW + timedelta(days=1), state="planned")
        blocked.with_user(self.user_manager)._override("Stopped retinol, doctor agrees")
        blocked.with_user(self.user_receptionist).action_book()
        blocked.with_user(self.user_receptionist).action_cancel()
        with freeze_time(session.start + timedelta(hours=1)):
            intake.with_user(self.user_practitioner).action_confirm_unchanged()
            session.with_user(self.user_practitioner).action_done()
        self.assertEqual(session.state, "done")

    def test_quick_create_for_an_unscreened_client_plans_and_asks_for_a_screening(self):
        newcomer = self.env["res.partner"].create({"name": "Nina Newcomer"})
        view = self.env.ref("microneedling_treatment.microneedling_session_view_form_quick_create")
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with Form(Session.with_context(default_start=NOW + timedelta(days=2)), view=view) as form:
            form.booking_partner_id = newcomer
            self.assertTrue(form.booking_screening_missing)
            form.user_id = self.user_practitioner
        session = form.record
        self.assertEqual(session.state, "planned")
        self.assertFalse(session.event_id, "a planned session holds no calendar slot")
        todo = session.series_id.activity_ids
        self.assertEqual(todo.user_id, self.user_practitioner)
        self.assertEqual(todo.summary, "Screen the client before the first session")
        # Once screened, reception books it.
        self.screen(newcomer)
        session.with_user(self.user_receptionist).action_book()
        self.assertEqual(session.state, "booked")
        # A screened client is booked at once.
        with Form(Session.with_context(default_start=NOW + timedelta(days=60)), view=view) as form:
            form.booking_partner_id = newcomer
            self.assertFalse(form.booking_screening_missing)
        self.assertEqual(form.record.state, "booked")

    def test_book_next_skips_the_clients_and_practitioners_busy_hours_only(self):
        with freeze_time(NOW - timedelta(days=30)):
            self.screen(self.client, when=NOW - timedelta(days=31))
            series = self.make_series()
            self.book(series, NOW - timedelta(days=30) + timedelta(hours=1))
        with freeze_time(NOW - timedelta(days=30) + timedelta(hours=2)):
            series.session_ids.with_user(self.user_practitioner).action_done()
        Wizard = self.env["microneedling.book.next.wizard"].with_user(self.user_receptionist)
        first = Wizard._candidate_slots(series)[0]
        Event = self.env["calendar.event"]
        hour = timedelta(hours=1)
        # The client's own busy appointment, then the practitioner's, each take the hour.
        client_busy = Event.create(
            {
                "name": "Hair",
                "start": first,
                "stop": first + hour,
                "partner_ids": [(4, self.client.id)],
            }
        )
        self.assertNotIn(first, Wizard._candidate_slots(series))
        client_busy.show_as = "free"
        self.assertIn(first, Wizard._candidate_slots(series))
        Event.create(
            {
                "name": "Dentist",
                "start": first,
                "stop": first + hour,
                "partner_ids": [(4, self.user_practitioner.partner_id.id)],
            }
        )
        self.assertNotIn(first, Wizard._candidate_slots(series))

    def test_unscreened_client_gets_the_online_screening_link_for_the_planned_visit(self):
        self.env.company.microneedling_online_screening = True
        newcomer = self.env["res.partner"].create(
            {"name": "Nina Newcomer", "email": "nina@example.com", "lang": "en_US"}
        )
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        session = Session.create(
            {"booking_partner_id": newcomer.id, "start": NOW + timedelta(days=20)}
        )
        self.assertEqual(session.state, "planned")
        Link = self.env["microneedling.screening.link"]
        link = Link._for_sessions(session)
        self.assertEqual(link.state, "sent", "sent at once, not N days before the visit")
        mail = self.env["mail.mail"].search([("model", "=", Link._name), ("res_id", "=", link.id)])
        self.assertEqual(mail.recipient_ids, newcomer)
        token = re.search(r"/microneedling/screening/([0-9a-f]{64})", mail.body_html).group(1)
        self.assertEqual(Link._get_by_token(token), link, "the link opens for a planned visit")
        self.assertEqual(session.with_user(self.user_receptionist).screening_link_status, "sent")
        # Once the visit is cancelled, the link no longer opens.
        session.with_user(self.user_receptionist).action_cancel()
        self.assertFalse(Link._get_by_token(token))

    def test_session_practitioner_works_for_its_company(self):
        other = self.env["res.company"].create({"name": "Second Spa"})
        foreign = new_test_user(
            self.env,
            login="mn_foreign_session",
            groups="microneedling_treatment.group_practitioner",
            name="Fiona Foreign",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.screen(self.client)
        series = self.make_series()
        with self.assertRaisesRegex(ValidationError, "Fiona Foreign does not work for"):
            self.book(series, NOW + timedelta(days=2), user_id=foreign.id)
        self.assertFalse(series.session_ids, "nothing is half-saved")
