import pathlib
import subprocess
import tempfile
from datetime import timedelta
from unittest.mock import patch

import polib
import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError

from .common import NOW, MicroneedlingCase

I18N = pathlib.Path(__file__).resolve().parent.parent / "i18n"
LANGS = {
    "en_US": None,
    "es_ES": "es",
    "fr_FR": "fr",
    "de_DE": "de",
    "it_IT": "it",
    "pt_BR": "pt_BR",
}
MESSAGE_OFFSETS = {
    "aftercare_step_immediate": timedelta(0),
    "aftercare_step_12h": timedelta(hours=12),
    "aftercare_step_24h": timedelta(hours=24),
    "aftercare_step_48h": timedelta(days=2),
    "aftercare_step_72h": timedelta(hours=72),
    "aftercare_step_7d": timedelta(days=7),
}


def translated(lang, msgid):
    """The shipped catalog's translation of msgid (the source text for English)."""
    code = LANGS[lang]
    if not code:
        return msgid
    entry = polib.pofile(str(I18N / f"{code}.po")).find(msgid)
    return entry.msgstr if entry and entry.msgstr else None


class AftercareCase(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Schedule = cls.env["microneedling.aftercare.schedule"]
        cls.env.company.write({"phone": "+33 1 23 45 67 89", "email": "care@clinic.example"})
        for code in ("es_ES", "fr_FR", "de_DE", "it_IT", "pt_BR"):
            cls.env["res.lang"]._activate_lang(code)

    @classmethod
    def done_session(cls, partner=None, planned=6, start=None):
        """A booked session of a new series, marked done by the practitioner at NOW."""
        partner = partner or cls.client
        cls.screen(partner)
        series = cls.make_series(partner, planned_session_count=planned)
        session = cls.book(series, start or cls.free_hour(NOW - timedelta(hours=1)))
        session.with_user(cls.user_practitioner).action_done()
        return session

    def run_cron(self):
        self.Schedule._cron_process_due()

    def lines(self, session, step_xmlid):
        step = self.env.ref(f"microneedling_treatment.{step_xmlid}")
        return session.aftercare_schedule_ids.filtered(lambda line: line.step_id == step)

    def client_messages(self, session):
        return session.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and session.partner_id in m.partner_ids
        ).sorted("id")


@freeze_time(NOW)
class TestAftercareTimeline(AftercareCase):
    def test_done_session_gets_the_whole_timeline(self):
        session = self.done_session()
        self.assertEqual(session.date_done, NOW)
        self.assertEqual(len(session.aftercare_schedule_ids), 12)
        for xmlid, offset in MESSAGE_OFFSETS.items():
            self.assertEqual(self.lines(session, xmlid).scheduled_date, NOW + offset, xmlid)
        self.assertEqual(
            self.lines(session, "aftercare_step_window_open").scheduled_date,
            session.start + timedelta(days=28),
        )
        self.assertEqual(
            self.lines(session, "aftercare_step_window_close").scheduled_date,
            session.start + timedelta(days=38),
        )
        self.assertEqual(
            self.lines(session, "aftercare_step_overdue").scheduled_date,
            session.start + timedelta(days=42),
        )
        # Client messages wait for their time; staff follow-ups are planned at once.
        messages = session.aftercare_schedule_ids.filtered(lambda line: line.kind == "message")
        self.assertEqual(session.series_id.aftercare_pending_ids, messages)
        planned = session.aftercare_schedule_ids - messages
        self.assertEqual(set(planned.mapped("state")), {"planned"})
        self.assertEqual(len(planned.activity_id), 4)

    def test_each_message_at_its_time_exactly_once(self):
        session = self.done_session()
        sent = 0
        # Done at 09:00 (the client's time zone is UTC): the 12 h message falls due at
        # 21:00, in the quiet hours (21:00-08:00), and goes out the next morning.
        quiet = {"aftercare_step_12h": NOW + timedelta(hours=23)}
        for xmlid, offset in sorted(MESSAGE_OFFSETS.items(), key=lambda item: item[1]):
            line = self.lines(session, xmlid)
            when = quiet.get(xmlid, NOW + offset)
            self.assertEqual(line.send_date, when, xmlid)
            if offset:
                with freeze_time(when - timedelta(minutes=1)):
                    self.run_cron()
                self.assertEqual(line.state, "pending", f"{xmlid} ran early")
            with freeze_time(when):
                self.run_cron()
                self.run_cron()  # a rerun changes nothing
            self.assertEqual(line.state, "done", xmlid)
            messages = self.client_messages(session)
            # The 24 h message and the day-1 check-in share a time; messages only count here.
            sent = len(messages)
            self.assertEqual(messages[-1].subject, line.step_id.mail_template_id.subject, xmlid)
        self.assertEqual(sent, len(MESSAGE_OFFSETS))

    def test_immediate_message_content_channel_and_sheet(self):
        self.env.company.microneedling_sms_enabled = True
        self.client.mobile = "+33 6 12 34 56 78"
        self.client.email = "clara@example.com"
        session = self.done_session()
        self.run_cron()
        message = self.client_messages(session)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, "Your microneedling aftercare guide")
        for text in (
            "12 to 24 hours",
            "72 hours",
            "Clean",
            "Heal",
            "Hydrate",
            "Stimulate",
            "Makeup",
            "Protect",
            "milia",
            "+33 1 23 45 67 89",
        ):
            self.assertIn(text, message.body)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertTrue(message.attachment_ids.name.endswith(".pdf"))
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.state, "outgoing", "queued for the mail queue, not sent inline")
        self.assertEqual(mail.recipient_ids, self.client, "the client only: staff get activities")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("72 h", sms.body)
        # Queued with the line's transaction, never sent from inside it (a rollback cannot
        # unsend it); the SMS queue runs once the batch is committed.
        self.assertEqual(sms.state, "outgoing")
        sms_queue = self.env.ref("sms.ir_cron_sms_scheduler_action")
        self.assertEqual(
            self.env["ir.cron.trigger"].search([("cron_id", "=", sms_queue.id)]).call_at, NOW
        )

    def test_concurrency_error_mid_batch_loses_and_repeats_nothing(self):
        sessions = self.done_session() | self.done_session(
            self.env["res.partner"].create({"name": "Second Sam", "email": "sam@example.com"})
        )
        Schedule = type(self.Schedule)
        conflict = psycopg2.errors.SerializationFailure("could not serialize access")
        send = Schedule._send_messages
        calls = []

        def flaky_send(lines, sheets):
            calls.append(lines.step_id)
            if len(calls) == 2:
                raise conflict
            return send(lines, sheets)

        with freeze_time(NOW + timedelta(days=1)):
            # The first step's messages go, then the next step hits a concurrent update:
            # no line's fault, so the whole batch rolls back, as its transaction would.
            with (
                patch.object(Schedule, "_send_messages", flaky_send),
                self.assertRaises(psycopg2.errors.SerializationFailure),
            ):
                self.run_cron()
            for session in sessions:
                self.assertFalse(self.client_messages(session))
                self.assertEqual(self.lines(session, "aftercare_step_immediate").state, "pending")
            self.run_cron()
            self.run_cron()
        for session in sessions:
            self.assertEqual(len(self.client_messages(session)), 3)
            self.assertEqual(len(session.activity_ids), 2, "the planned calls, once")

    def test_crash_of_one_step_fails_its_lines_only(self):
        sessions = self.done_session() | self.done_session(
            self.env["res.partner"].create({"name": "Second Sam", "email": "sam@example.com"})
        )
        Schedule = type(self.Schedule)
        send = Schedule._send_messages
        day_one = self.env.ref("microneedling_treatment.aftercare_step_24h")

        def crash_on_day_one(lines, sheets):
            if lines.step_id == day_one:
                raise RuntimeError("crash")
            return send(lines, sheets)

        with freeze_time(NOW + timedelta(days=1)):
            with patch.object(Schedule, "_send_messages", crash_on_day_one):
                self.run_cron()
            self.run_cron()
        for session in sessions:
            self.assertEqual(len(self.client_messages(session)), 2, "sent, and only once")
            failed = self.lines(session, "aftercare_step_24h")
            self.assertEqual(failed.state, "failed")
            self.assertEqual(failed.error_message, "RuntimeError: crash")
            self.assertEqual(self.lines(session, "aftercare_step_12h").state, "done")

    def test_no_sms_without_mobile_or_setting(self):
        session = self.done_session()
        self.client.mobile = "+33 6 12 34 56 78"
        self.run_cron()
        self.assertTrue(self.client_messages(session))
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.client.id)]))

    def test_staff_activities(self):
        reception = self.user_receptionist
        self.env.company.write(
            {
                "microneedling_reception_user_id": reception.id,
                "microneedling_manager_user_id": self.user_manager.id,
            }
        )
        session = self.done_session()
        series = session.series_id
        # Right after "Mark Done", every follow-up is planned with its deadline.
        checkin = self.env.ref("microneedling_treatment.mail_activity_type_checkin_call")
        activity = session.activity_ids.filtered(lambda a: a.activity_type_id == checkin)
        self.assertEqual(activity.user_id, self.user_practitioner)
        self.assertEqual(activity.date_deadline, (NOW + timedelta(days=1)).date())
        side_effects = self.env.ref("microneedling_treatment.mail_activity_type_side_effects")
        activity = session.activity_ids.filtered(lambda a: a.activity_type_id == side_effects)
        self.assertEqual(activity.date_deadline, (NOW + timedelta(days=7)).date())
        window = session.start + timedelta(days=28)
        book_next = self.env.ref("microneedling_treatment.mail_activity_type_book_next")
        activity = series.activity_ids.filtered(lambda a: a.activity_type_id == book_next)
        self.assertEqual(activity.user_id, reception)
        self.assertEqual(activity.date_deadline, window.date())
        overdue = self.env.ref("microneedling_treatment.mail_activity_type_series_overdue")
        activity = series.activity_ids.filtered(lambda a: a.activity_type_id == overdue)
        self.assertEqual(activity.user_id, self.user_manager)
        self.assertEqual(activity.date_deadline, (session.start + timedelta(days=42)).date())
        for day in (1, 7):
            with freeze_time(NOW + timedelta(days=day)):
                self.run_cron()
        with freeze_time(window):
            self.run_cron()
        invitation = self.client_messages(session).filtered(
            lambda m: m.subject == "Time to book your next microneedling session"
        )
        self.assertTrue(invitation)
        self.assertIn(self.client.name, invitation.body)
        with freeze_time(session.start + timedelta(days=42)):
            self.run_cron()
        self.assertFalse(series.aftercare_pending_ids)
        self.assertEqual(len(series.activity_ids), 2, "planned once, never again by the cron")

    def test_booked_next_session_skips_window_steps(self):
        session = self.done_session()
        series = session.series_id
        self.assertEqual(len(series.activity_ids), 2, "book next, overdue: planned")
        booked = self.book(series, session.start + timedelta(days=30))
        # Withdrawn as soon as the next session is booked...
        for xmlid in ("book_next", "overdue"):
            self.assertEqual(self.lines(session, f"aftercare_step_{xmlid}").state, "cancelled")
        self.assertFalse(series.activity_ids)
        # ... planned again if that booking is cancelled...
        booked.action_cancel()
        self.assertEqual(len(series.activity_ids), 2)
        self.assertEqual(self.lines(session, "aftercare_step_book_next").state, "planned")
        # ... and the client's invitations are skipped when their time comes.
        self.book(series, session.start + timedelta(days=31))
        with freeze_time(session.start + timedelta(days=43)):
            self.run_cron()
        for xmlid in ("window_open", "window_close"):
            self.assertEqual(self.lines(session, f"aftercare_step_{xmlid}").state, "skipped")
        self.assertFalse(series.activity_ids)

    def test_moving_done_time_moves_planned_follow_ups(self):
        session = self.done_session()
        checkin = self.lines(session, "aftercare_step_checkin")
        self.assertEqual(checkin.activity_id.date_deadline, (NOW + timedelta(days=1)).date())
        session.with_user(self.user_practitioner).date_done = NOW + timedelta(days=2)
        self.assertEqual(checkin.activity_id.date_deadline, (NOW + timedelta(days=3)).date())
        # Cancelling the session removes the follow-ups not done yet; a done one stays done.
        checkin.activity_id.action_feedback(feedback="All good")
        self.assertEqual(checkin.state, "done")
        session.with_user(self.user_practitioner).action_reset_to_booked()
        self.assertEqual(checkin.state, "done")
        self.assertFalse(session.activity_ids)
        self.assertFalse(session.series_id.activity_ids)

    def test_paused_aftercare_holds_messages_back(self):
        session = self.done_session()
        self.env.company.microneedling_aftercare_paused = True
        self.run_cron()
        self.assertFalse(self.client_messages(session))
        self.assertEqual(self.lines(session, "aftercare_step_immediate").state, "pending")
        self.assertTrue(session.activity_ids, "staff follow-ups are still planned")
        self.env.company.microneedling_aftercare_paused = False
        self.run_cron()
        self.assertEqual(len(self.client_messages(session)), 1)

    def test_aftercare_cannot_be_switched_off_by_archiving(self):
        """Settings > Technical: the scheduler cannot be archived or deleted; nor does
        any automation rule carry the timeline any more."""
        cron = self.env.ref("microneedling_treatment.ir_cron_aftercare_process")
        with self.assertRaisesRegex(UserError, "Pause Aftercare Messages"):
            cron.write({"active": False})
        with self.assertRaisesRegex(UserError, "Pause Aftercare Messages"):
            cron.unlink()
        self.assertTrue(cron.active)
        # Other scheduled actions archived: a done session still schedules its own
        # timeline, with no automation rule in between.
        self.env["ir.cron"].search([("id", "!=", cron.id)], limit=1).write({"active": False})
        session = self.done_session()
        self.assertEqual(len(session.aftercare_schedule_ids), 12)

    def test_undo_withdraws_and_redo_never_repeats(self):
        session = self.done_session()
        self.run_cron()
        practitioner_session = session.with_user(self.user_practitioner)
        practitioner_session.action_reset_to_booked()
        states = set(session.aftercare_schedule_ids.mapped("state"))
        self.assertEqual(states, {"done", "cancelled"})
        with freeze_time(NOW + timedelta(days=8)):
            self.run_cron()
        self.assertEqual(len(self.client_messages(session)), 1)
        # Done again two hours later: pending steps come back, the sent one does not.
        with freeze_time(NOW + timedelta(hours=2)):
            practitioner_session.action_done()
            self.run_cron()
        self.assertEqual(len(self.client_messages(session)), 1)
        self.assertEqual(
            self.lines(session, "aftercare_step_12h").scheduled_date, NOW + timedelta(hours=14)
        )

    def test_cancel_withdraws(self):
        session = self.done_session()
        session.with_user(self.user_practitioner).write({"state": "cancelled"})
        self.assertEqual(set(session.aftercare_schedule_ids.mapped("state")), {"cancelled"})
        with freeze_time(NOW + timedelta(days=50)):
            self.run_cron()
        self.assertFalse(self.client_messages(session))

    def test_moving_done_time_moves_pending_steps(self):
        session = self.done_session()
        session.with_user(self.user_practitioner).date_done = NOW + timedelta(hours=3)
        self.assertEqual(
            self.lines(session, "aftercare_step_12h").scheduled_date, NOW + timedelta(hours=15)
        )
        with freeze_time(NOW + timedelta(hours=12)):
            self.run_cron()
        self.assertEqual(self.lines(session, "aftercare_step_12h").state, "pending")

    def test_no_backfill_for_sessions_done_long_ago(self):
        """Importing history never messages clients about it."""
        self.screen(self.client)
        series = self.make_series()
        old = self.env["microneedling.session"].create(
            {
                "series_id": series.id,
                "start": NOW - timedelta(days=30),
                "state": "done",
                "date_done": NOW - timedelta(days=30),
            }
        )
        self.run_cron()
        self.assertFalse(self.client_messages(old))
        self.assertFalse(old.activity_ids)
        past = old.aftercare_schedule_ids.filtered(lambda line: line.scheduled_date < NOW)
        self.assertEqual(set(past.mapped("state")), {"skipped"})

    def test_rules_are_editable_data(self):
        step = self.env.ref("microneedling_treatment.aftercare_step_12h")
        step.with_user(self.user_manager).write({"offset": 10})
        session = self.done_session()
        self.assertEqual(
            self.lines(session, "aftercare_step_12h").scheduled_date, NOW + timedelta(hours=10)
        )
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "microneedling_treatment"),
                (
                    "model",
                    "in",
                    (
                        "microneedling.aftercare.step",
                        "mail.template",
                        "sms.template",
                        "mail.activity.type",
                    ),
                ),
            ]
        )
        self.assertTrue(data and all(data.mapped("noupdate")))


@freeze_time(NOW)
class TestAftercareLanguages(AftercareCase):
    def test_one_client_per_language(self):
        for lang in LANGS:
            with self.subTest(lang=lang):
                partner = self.env["res.partner"].create(
                    {
                        "name": f"Client {lang}",
                        "lang": lang,
                        "email": f"{lang}@example.com",
                        "tz": "Europe/Paris",
                    }
                )
                session = self.done_session(partner)
                self.run_cron()
                message = self.client_messages(session)
                expected = translated(lang, "Your microneedling aftercare guide")
                self.assertTrue(expected, f"no {lang} translation of the subject")
                self.assertEqual(message.subject, expected)
                # Hours in: the practitioner's earlier sessions start before 08:00
                # in Paris, when the invitation waits for the end of the quiet hours.
                with freeze_time(session.start + timedelta(days=28, hours=8)):
                    self.run_cron()
                invitation = self.client_messages(session).filtered(
                    lambda m, lang=lang: m.subject
                    == translated(lang, "Time to book your next microneedling session")
                )
                window = session.with_context(lang=lang)
                start = (
                    self.env["ir.qweb.field.date"]
                    .with_context(lang=lang)
                    .value_to_html(window.aftercare_window_start, {})
                )
                self.assertIn(str(start), invitation.body)

    def test_sms_within_two_segments(self):
        session = self.done_session()
        templates = self.env["sms.template"].search([("model", "=", "microneedling.session")])
        self.assertEqual(len(templates), 8)
        for lang in LANGS:
            self.client.lang = lang
            for template in templates:
                body = template._render_field("body", session.ids, compute_lang=True)[session.id]
                with self.subTest(lang=lang, template=template.name):
                    self.assertLessEqual(sms_segments(body), 2, body)


@freeze_time(NOW)
class TestAftercareSheet(AftercareCase):
    def test_sheet_is_a_real_pdf_in_the_client_language(self):
        for lang, heading in (("en_US", "Microneedling aftercare"), ("fr_FR", None)):
            with self.subTest(lang=lang):
                partner = self.env["res.partner"].create({"name": f"Sheet {lang}", "lang": lang})
                session = self.done_session(partner)
                report = self.env.ref("microneedling_treatment.action_report_aftercare_sheet")
                pdf, kind = (
                    self.env["ir.actions.report"]
                    .with_context(force_report_rendering=True)
                    ._render_qweb_pdf(report, session.ids)
                )
                self.assertEqual(kind, "pdf")
                self.assertTrue(pdf.startswith(b"%PDF"))
                with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
                    handle.write(pdf)
                    handle.flush()
                    text = subprocess.run(
                        ["pdftotext", handle.name, "-"], capture_output=True, check=True, text=True
                    ).stdout
                expected = heading or translated(lang, "Microneedling aftercare")
                self.assertTrue(expected)
                self.assertIn(expected, " ".join(text.split()))


GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_segments(text):
    """Segments an SMS takes: GSM-7 (160, or 153 per part) unless a character needs UCS-2."""
    if all(char in GSM7 or char in GSM7_EXTENDED for char in text):
        length = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        return 1 if length <= 160 else -(-length // 153)
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else -(-length // 67)
