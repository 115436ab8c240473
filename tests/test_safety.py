"""The safety promise, tried as an attacker or a careless integration would.

Every call goes through `with_user(...)`, as an RPC call of that user would: the
screening the booking rules rely on cannot be forged or silently lost, spacing is
per client, overrides never lift an absolute contraindication, and a session can
never be re-pointed at another client.
"""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import NOW, MicroneedlingCase


@freeze_time(NOW)
class TestScreeningIntegrity(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Intake = cls.env["microneedling.intake"].with_user(cls.user_practitioner)
        cls.Answer = cls.env["microneedling.intake.answer"].with_user(cls.user_practitioner)

    def draft(self, partner=None, **vals):
        return self.Intake.create({"partner_id": (partner or self.client).id, **vals})

    def answer_all(self, intake, yes=()):
        for line in intake.answer_ids:
            line.answer = "yes" if line.contraindication_id.code in yes else "no"

    def test_screening_reaches_submitted_only_through_its_action(self):
        forged_values = [
            {"state": "submitted"},
            {"state": "superseded"},
            {"submitted_date": NOW},
            {"confirmed_date": NOW},
            {"consent_date": NOW},
            {"reviewer_id": self.user_manager.id},
            {"review_date": NOW},
        ]
        count = self.env["microneedling.intake"].search_count([])
        for vals in forged_values:
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "buttons only"):
                self.draft(**vals)
        self.assertEqual(self.env["microneedling.intake"].search_count([]), count)
        intake = self.screen(self.client)
        for vals in forged_values:
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "buttons only"):
                intake.with_user(self.user_practitioner).write(vals)
        self.assertEqual(intake.confirmed_date, NOW)
        # A manager is no exception: only the trusted server paths set these.
        with self.assertRaisesRegex(AccessError, "buttons only"):
            intake.with_user(self.user_manager).write({"confirmed_date": NOW})
        # And a receptionist cannot screen at all.
        with self.assertRaises(AccessError):
            self.draft().with_user(self.user_receptionist).action_submit()

    def test_consent_is_dated_by_the_server(self):
        intake = self.draft(consent_given=True)
        self.assertEqual(intake.consent_date, NOW)
        intake.consent_given = False
        self.assertFalse(intake.consent_date)

    def test_no_date_in_the_future(self):
        next_year = NOW + timedelta(days=365)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self.draft(screening_date=next_year)
        intake = self.draft()
        with self.assertRaisesRegex(ValidationError, "in the future"):
            intake.screening_date = NOW + timedelta(hours=1)
        line = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "waxing")
        with self.assertRaisesRegex(ValidationError, "last occurrence is in the future"):
            line.write({"answer": "yes", "last_occurrence": NOW + timedelta(days=3)})
        self.assertFalse(line.last_occurrence)

    def test_current_screening_is_the_last_submitted_not_the_latest_typed_date(self):
        """A screening typed with an earlier date, but submitted later, is the current one:
        a typed date cannot hide a later, real screening."""
        self.screen(self.client, when=NOW - timedelta(days=1))
        self.screen(self.client, {"pregnancy_nursing": True}, when=NOW - timedelta(days=30))
        self.assertEqual(self.client.microneedling_clearance_state, "blocked")
        series = self.make_series()
        with self.assertRaisesRegex(ValidationError, "rules out treatment"):
            self.book(series, NOW + timedelta(days=2))
        self.assertFalse(series.session_ids)

    def test_every_question_is_answered_explicitly(self):
        intake = self.draft(consent_given=True)
        self.answer_all(intake)
        untouched = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "keloid")
        untouched.answer = False
        with self.assertRaisesRegex(ValidationError, r"answer every question.*keloid"):
            intake.action_submit()
        self.assertEqual(intake.state, "draft")
        untouched.answer = "no"
        intake.action_submit()
        self.assertEqual(intake.state, "submitted")
        self.assertFalse(intake.answer_ids.filtered("present"))

    def test_clearance_cannot_be_forged(self):
        intake = self.draft(consent_given=True)
        item = self.item("herpes_prone")
        with self.assertRaisesRegex(AccessError, "Clear button"):
            self.Answer.create(
                {
                    "intake_id": intake.id,
                    "contraindication_id": self.item("weak_immune").id,
                    "answer": "yes",
                    "cleared": True,
                    "cleared_by_id": self.user_manager.id,
                    "clearance_reason": "forged",
                }
            )
        # Nor through the screening's own lines.
        line = intake.answer_ids.filtered(lambda a: a.contraindication_id == item)
        with self.assertRaisesRegex(AccessError, "Clear button"):
            intake.write(
                {"answer_ids": [fields.Command.update(line.id, {"cleared": True, "answer": "yes"})]}
            )
        self.assertFalse(line.cleared)
        # A draft answer, an absolute item, a "no": nothing a clearance applies to.
        self.answer_all(intake, yes=("herpes_prone", "pregnancy_nursing"))
        with self.assertRaisesRegex(UserError, "only a review item answered yes"):
            line._clear("looks fine")
        intake.action_submit()
        absolute = intake.answer_ids.filtered(
            lambda a: a.contraindication_id.code == "pregnancy_nursing"
        )
        with self.assertRaisesRegex(UserError, "only a review item answered yes"):
            absolute.with_user(self.user_practitioner)._clear("forged")
        line.with_user(self.user_practitioner)._clear("No outbreak for 5 years")
        self.assertEqual(line.cleared_by_id, self.user_practitioner)

    def test_answers_of_a_submitted_screening_stay_put(self):
        intake = self.screen(self.client, {"pregnancy_nursing": True})
        pregnancy = intake.answer_ids.filtered("present")
        # Deleting the answer that blocks, even as a manager, is refused.
        with self.assertRaisesRegex(UserError, "part of the client's record"):
            pregnancy.with_user(self.user_manager).unlink()
        # Moving it to a draft screening, or another answer into this one, too.
        draft = self.draft()
        with self.assertRaisesRegex(UserError, "belongs to its screening"):
            pregnancy.with_user(self.user_practitioner).intake_id = draft
        with self.assertRaisesRegex(UserError, "belongs to its screening"):
            draft.answer_ids[:1].intake_id = intake
        with self.assertRaisesRegex(UserError, "draft screening only"):
            self.Answer.create(
                {"intake_id": intake.id, "contraindication_id": self.item("keloid").id}
            )
        self.assertEqual(intake.answer_ids.filtered("present"), pregnancy)

    def test_cancelling_the_current_screening_brings_no_older_one_back(self):
        older = self.screen(self.client, when=NOW - timedelta(days=20))
        current = self.screen(self.client, {"retinol_exfoliants": NOW - timedelta(hours=10)})
        self.assertEqual(older.state, "superseded")
        current.with_user(self.user_practitioner).action_cancel()
        self.assertEqual(older.state, "superseded")
        self.assertEqual(self.client.microneedling_clearance_state, "no_screening")
        series = self.make_series()
        with self.assertRaisesRegex(ValidationError, "no submitted screening"):
            self.book(series, NOW + timedelta(days=1))
        # A practitioner's explicit re-confirmation brings the older one back.
        older.with_user(self.user_practitioner).action_confirm_unchanged()
        self.assertEqual(older.state, "submitted")
        self.assertEqual(self.client.microneedling_clearance_state, "cleared")
        self.book(series, NOW + timedelta(days=1))
        # Which is not possible while another screening is current.
        newer = self.screen(self.client)
        with self.assertRaisesRegex(UserError, "can be confirmed as unchanged"):
            older.with_user(self.user_practitioner).action_confirm_unchanged()
        self.assertEqual(newer.state, "submitted")

    def test_submitted_screening_does_not_go_back_to_draft(self):
        intake = self.screen(self.client)
        with self.assertRaisesRegex(UserError, "Only a cancelled screening goes back to draft"):
            intake.with_user(self.user_practitioner).action_reset_to_draft()
        self.assertEqual(intake.state, "submitted")
        intake.with_user(self.user_practitioner).action_cancel()
        intake.with_user(self.user_practitioner).action_reset_to_draft()
        self.assertEqual(intake.state, "draft")
        self.assertFalse(intake.submitted_date)


@freeze_time(NOW)
class TestOverrides(MicroneedlingCase):
    def test_absolute_contraindication_cannot_be_overridden(self):
        self.screen(self.client, {"pregnancy_nursing": True})
        series = self.make_series()
        with self.assertRaisesRegex(ValidationError, "Pregnancy or nursing"):
            self.book(
                series,
                NOW + timedelta(days=1),
                user=self.user_manager,
                override_reason="Client insists",
            )
        self.assertFalse(series.sudo().session_ids)

    def test_manager_overrides_a_window_or_review_block_when_booking(self):
        retinol = self.env["res.partner"].create({"name": "Rhea Retinol"})
        self.screen(retinol, {"retinol_exfoliants": NOW - timedelta(hours=10)})
        series = self.make_series(retinol)
        with Form(self.env["microneedling.session"].with_user(self.user_manager)) as form:
            form.series_id = series
            form.start = NOW + timedelta(days=1)
            form.override_reason = "Retinol was a 0.01 % night cream, cleared by the doctor"
        session = form.record
        self.assertEqual(session.state, "booked")
        self.assertEqual(session.override_user_id, self.user_manager)
        review = self.env["res.partner"].create({"name": "Hera Herpes"})
        self.screen(review, {"herpes_prone": True})
        booked = self.book(
            self.make_series(review),
            NOW + timedelta(days=1, hours=1),  # the practitioner's next free hour
            user=self.user_manager,
            override_reason="Antiviral prophylaxis prescribed",
        )
        self.assertEqual(booked.override_user_id, self.user_manager)

    def test_only_a_manager_overrides(self):
        self.screen(self.client, {"herpes_prone": True})
        series = self.make_series()
        for user in (self.user_receptionist, self.user_practitioner):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.book(series, NOW + timedelta(days=1), user=user, override_reason="why not")
        self.assertFalse(series.session_ids)

    def test_overridden_session_keeps_the_absolute_rule(self):
        """An override given for a window does not carry over to a later pregnancy."""
        self.screen(self.client, {"retinol_exfoliants": NOW - timedelta(hours=10)})
        series = self.make_series()
        session = self.book(
            series, NOW + timedelta(days=1), user=self.user_manager, override_reason="Mild"
        )
        self.screen(self.client, {"pregnancy_nursing": True})
        with self.assertRaisesRegex(ValidationError, "Pregnancy or nursing"):
            session.with_user(self.user_manager).write({"override_reason": "Still fine"})


@freeze_time(NOW)
class TestSessionBelongsToItsClient(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client)
        cls.pregnant = cls.env["res.partner"].create({"name": "Penny Pregnant"})
        cls.screen(cls.pregnant, {"pregnancy_nursing": True})

    def test_session_cannot_be_repointed_at_another_client(self):
        session = self.book(self.make_series(), NOW + timedelta(days=1))
        for user in (self.user_receptionist, self.user_practitioner, self.user_manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(AccessError, "Client"):
                    session.with_user(user).write({"partner_id": self.pregnant.id})
                other = self.env["res.company"].create({"name": f"Other {user.login}"})
                with self.assertRaisesRegex(AccessError, "Company"):
                    session.with_user(user).write({"company_id": other.id})
        self.assertEqual(session.partner_id, self.client)
        self.assertEqual(session.company_id, self.env.company)
        # Nor moved into another client's series, whatever that client's clearance.
        other_client = self.env["res.partner"].create({"name": "Olga Other"})
        self.screen(other_client)
        other_series = self.make_series(other_client)
        for user in (self.user_receptionist, self.user_manager):
            with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "belong to"):
                session.with_user(user).write({"series_id": other_series.id})
        self.assertEqual(session.series_id.partner_id, self.client)
        # Nor linked by hand to a calendar event of someone else's: deleting that event
        # would cancel the session.
        event = (
            self.env["calendar.event"]
            .with_user(self.user_employee)
            .create({"name": "Mine", "start": NOW, "stop": NOW + timedelta(hours=1)})
        )
        with self.assertRaisesRegex(AccessError, "linked to a microneedling session"):
            event.write({"microneedling_session_id": session.id})
        with self.assertRaisesRegex(AccessError, "linked to a microneedling session"):
            self.env["calendar.event"].with_user(self.user_receptionist).create(
                {
                    "name": "Hijack",
                    "start": NOW,
                    "stop": NOW + timedelta(hours=1),
                    "microneedling_session_id": session.id,
                }
            )
        # Nor created pointing at another client than its series'.
        with self.assertRaisesRegex(AccessError, "Client"):
            self.book(
                self.make_series(self.pregnant),
                NOW + timedelta(days=40),
                partner_id=self.client.id,
            )

    def test_series_state_and_counters_cannot_be_forged(self):
        """A forged 'completed' course would open tune-ups; forged counters hide sessions."""
        series = self.make_series()
        for vals in (
            {"state": "done"},
            {"session_done_count": 6},
            {"last_done_date": NOW},
            {"overdue_date": NOW},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "cannot be set"):
                series.with_user(self.user_receptionist).write(vals)
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "cannot be set"):
                self.make_series(self.pregnant, **vals)
        self.assertEqual(series.state, "new")


@freeze_time(NOW)
class TestSpacingPerClient(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client)

    def test_tune_up_too_close_to_the_course(self):
        course = self.complete_course(self.client)
        last = max(course.session_ids.mapped("start"))
        tune_up = self.make_series(kind="tune_up")
        # The course ended five weeks ago: the tune-up is recorded as done.
        practitioner = self.user_practitioner
        with self.assertRaisesRegex(ValidationError, "at least 28 days apart"):
            self.book(tune_up, last + timedelta(days=3), user=practitioner, state="done")
        self.assertFalse(tune_up.session_ids)
        self.assertTrue(
            self.book(tune_up, last + timedelta(days=28), user=practitioner, state="done")
        )

    def test_spacing_across_series_and_kinds(self):
        self.complete_course(self.client)
        course = self.make_series()
        session = self.book(course, NOW + timedelta(days=7))
        tune_up = self.make_series(kind="tune_up")
        with self.assertRaisesRegex(ValidationError, "the client has another session"):
            self.book(tune_up, NOW + timedelta(days=14))
        later = self.book(tune_up, NOW + timedelta(days=40))
        # Moving either next to the other is refused too.
        with self.assertRaisesRegex(ValidationError, "at least 28 days apart"):
            later.start = session.start + timedelta(days=5)
        self.assertEqual(later.start, NOW + timedelta(days=40))

    def test_one_open_course_per_client(self):
        first = self.make_series()
        with self.assertRaisesRegex(ValidationError, "one open course at a time"):
            self.make_series()
        # Cancelled, the client may start another; re-opening the first is then refused.
        first.with_user(self.user_receptionist).action_cancel()
        second = self.make_series()
        with self.assertRaisesRegex(ValidationError, "one open course at a time"):
            first.with_user(self.user_receptionist).action_reopen()
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(second.state, "new")


@freeze_time(NOW)
class TestSessionTimes(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client, when=NOW - timedelta(days=60))

    def test_no_booking_in_the_past(self):
        series = self.make_series()
        for user in (self.user_receptionist, self.user_manager):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(ValidationError, "in the past"),
            ):
                self.book(series, NOW - timedelta(days=3), user=user)
        self.assertFalse(series.session_ids)
        # Earlier today (a walk-in) is still a booking; moving it into last week is not.
        session = self.book(series, NOW - timedelta(hours=2))
        with self.assertRaisesRegex(ValidationError, "in the past"):
            session.start = NOW - timedelta(days=7)
        self.assertEqual(session.start, NOW - timedelta(hours=2))
        # A session that took place is recorded as done by a practitioner.
        done = self.book(
            series, NOW - timedelta(days=40), user=self.user_practitioner, state="done"
        )
        self.assertEqual(done.state, "done")

    def test_not_done_before_it_takes_place(self):
        series = self.make_series()
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self.book(series, NOW + timedelta(days=2), user=self.user_practitioner, state="done")
        self.assertFalse(series.session_ids)
        # Nor by writing the state, past the button's own check.
        session = self.book(series, NOW + timedelta(days=2))
        with self.assertRaisesRegex(ValidationError, "in the future"):
            session.with_user(self.user_practitioner).write({"state": "done"})
        self.assertEqual(session.state, "booked")


@freeze_time(NOW)
class TestReviewedHoles(MicroneedlingCase):
    """Holes an adversarial review found: each one tried again, as it was found."""

    def test_override_covers_only_the_answers_it_was_given_for(self):
        self.screen(self.client, {"herpes_prone": True})
        session = self.book(
            self.make_series(),
            NOW + timedelta(days=1),
            user=self.user_manager,
            override_reason="Herpes: prophylaxis prescribed",
        )
        # A later screening adds an uncleared review item and a running window.
        self.screen(
            self.client,
            {
                "weak_immune": True,
                "recent_injectables": NOW - timedelta(hours=1),
                "herpes_prone": True,
            },
        )
        with (
            freeze_time(NOW + timedelta(days=1, hours=2)),
            self.assertRaisesRegex(ValidationError, "Weak immune system"),
        ):
            session.with_user(self.user_practitioner).action_done()
        self.assertEqual(session.state, "booked")

    def test_deleting_an_event_cancels_its_session_only_for_who_may_cancel_it(self):
        self.screen(self.client)
        session = self.book(self.make_series(), NOW + timedelta(days=1))
        with self.assertRaises(AccessError):
            session.event_id.with_user(self.user_employee).unlink()
        self.assertEqual(session.state, "booked")
        session.event_id.with_user(self.user_receptionist).unlink()
        self.assertEqual(session.state, "cancelled")

    def test_a_reopened_course_keeps_one_open_course_and_tune_ups_eligible(self):
        course = self.complete_course(self.client)
        self.make_series()  # a new course, now that the first one is completed
        with self.assertRaisesRegex(ValidationError, "one open course at a time"):
            course.with_user(self.user_receptionist).write({"planned_session_count": 4})
        with self.assertRaisesRegex(ValidationError, "one open course at a time"):
            course.session_ids[:1].with_user(self.user_practitioner).action_reset_to_booked()
        self.assertEqual(course.state, "done")

    def test_a_tune_up_loses_nothing_to_a_reopened_course(self):
        other = self.env["res.partner"].create({"name": "Tina Tune-up"})
        course = self.complete_course(other)
        self.make_series(other, kind="tune_up")
        with self.assertRaisesRegex(ValidationError, "not completed a microneedling course"):
            course.with_user(self.user_receptionist).write({"planned_session_count": 6})
        self.assertEqual(course.state, "done")

    def test_restoring_a_past_cancelled_session_is_a_booking_in_the_past(self):
        self.screen(self.client, when=NOW - timedelta(days=200))
        series = self.make_series()
        past = self.book(series, NOW + timedelta(days=1))
        past.action_cancel()
        with (
            freeze_time(NOW + timedelta(days=90)),
            self.assertRaisesRegex(ValidationError, "in the past"),
        ):
            past.with_user(self.user_receptionist).write({"state": "booked"})
        self.assertEqual(past.state, "cancelled")
        with self.assertRaisesRegex(ValidationError, "in the past"):
            self.book(series, NOW - timedelta(days=90), state="planned")

    def test_a_practitioners_activity_note_stays_with_clinicians(self):
        self.screen(self.client)
        session = self.book(self.make_series(), NOW + timedelta(days=1))
        session.with_user(self.user_practitioner).activity_schedule(
            "mail.mail_activity_data_todo",
            note="Client disclosed HIV+ status, check immune",
            user_id=self.user_practitioner.id,
        )
        Activity = self.env["mail.activity"].with_user(self.user_receptionist)
        notes = Activity.search_read(
            [("res_model", "=", session._name), ("res_id", "=", session.id)], ["note"]
        )
        self.assertTrue(notes)
        self.assertFalse([n for n in notes if "HIV" in (n["note"] or "")])
        self.assertFalse(Activity.search([("note", "ilike", "HIV")]))
        Message = self.env["mail.message"]
        self.assertFalse(
            Message.with_user(self.user_receptionist).search([("body", "ilike", "HIV")])
        )
        self.assertTrue(
            Message.with_user(self.user_practitioner).search([("body", "ilike", "HIV")])
        )

    def test_any_text_a_practitioner_posts_is_practitioner_only(self):
        self.screen(self.client)
        session = self.book(self.make_series(), NOW + timedelta(days=1))
        for message_type in ("comment", "notification", "auto_comment"):
            session.with_user(self.user_practitioner).message_post(
                body=f"SECRET {message_type}", message_type=message_type
            )
        found = (
            self.env["mail.message"]
            .with_user(self.user_receptionist)
            .search([("body", "ilike", "SECRET")])
        )
        self.assertFalse(found)
