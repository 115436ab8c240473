from datetime import timedelta

from freezegun import freeze_time

from .common import NOW, MicroneedlingCase

START = NOW + timedelta(days=10)  # Monday 30 November 2026, 09:00 UTC
FIRST = START - timedelta(days=3)  # the company's default: 3 days before
REMINDER = START - timedelta(days=1)


class ScreeningMessagesCase(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {"microneedling_online_screening": True, "microneedling_booking_confirmation": True}
        )
        cls.clients = {}
        for lang, name in (("en_US", "Clara English"), ("fr_FR", "Claire Française")):
            partner = cls.env["res.partner"].create(
                {"name": name, "lang": lang, "tz": "UTC", "email": f"{lang}@example.com"}
            )
            # Screened 20 days ago: the answers must be confirmed again before the visit.
            with freeze_time(NOW - timedelta(days=20)):
                cls.screen(partner, when=NOW - timedelta(days=20, hours=1))
            cls.clients[lang] = partner

    def book_visit(self, partner, start=START):
        with freeze_time(NOW):
            # No practitioner: the clients' visits are at the same hour.
            return self.book(self.make_series(partner, user_id=False), start)

    def link_mails(self, partner):
        links = self.env["microneedling.screening.link"].search([("partner_id", "=", partner.id)])
        return self.env["mail.mail"].search(
            [("model", "=", links._name), ("res_id", "in", links.ids)], order="id"
        )

    def run_cron_at(self, when):
        with freeze_time(when):
            self.env["microneedling.screening.link"]._cron_send_due()


class TestScreeningMessageTiming(ScreeningMessagesCase):
    def test_days_before_then_one_reminder_in_each_language(self):
        expected = {
            "en_US": "Monday, November 30, 2026",
            "fr_FR": "lundi 30 novembre 2026",
        }
        for lang, partner in self.clients.items():
            with self.subTest(lang=lang):
                session = self.book_visit(partner)
                self.assertFalse(self.link_mails(partner), "10 days before: not yet")
                self.run_cron_at(FIRST - timedelta(hours=1))
                self.assertFalse(self.link_mails(partner), "not before the days before")
                with freeze_time(FIRST - timedelta(hours=1)):
                    self.assertEqual(
                        session.with_user(self.user_receptionist).screening_link_status,
                        "to_send",
                    )
                self.run_cron_at(FIRST)
                self.run_cron_at(FIRST + timedelta(hours=1))  # a rerun sends nothing more
                first = self.link_mails(partner)
                self.assertEqual(len(first), 1)
                self.assertIn(expected[lang], first.body_html)
                self.assertIn("/microneedling/screening/", first.body_html)
                self.assertEqual(first.recipient_ids, partner)
                self.assertEqual(first.author_id, self.env.company.partner_id)
                self.assertNotIn({"en_US": "reminder", "fr_FR": "rappel"}[lang], first.subject)
                with freeze_time(FIRST):
                    self.assertEqual(
                        session.with_user(self.user_receptionist).screening_link_status, "sent"
                    )
                self.run_cron_at(REMINDER - timedelta(hours=1))
                self.assertEqual(len(self.link_mails(partner)), 1, "no reminder yet")
                self.run_cron_at(REMINDER)
                self.run_cron_at(REMINDER + timedelta(hours=2))
                self.run_cron_at(START - timedelta(hours=1))
                mails = self.link_mails(partner)
                self.assertEqual(len(mails), 2, "one reminder, once")
                # In the client's language (the shipped catalogs translate the subject).
                self.assertIn({"en_US": "reminder", "fr_FR": "rappel"}[lang], mails[-1].subject)
                self.assertIn(expected[lang], mails[-1].body_html)
                self.assertEqual(
                    self.url(mails[0]), self.url(mails[-1]), "the reminder carries the same link"
                )

    def url(self, mail):
        start = mail.body_html.index("/microneedling/screening/")
        return mail.body_html[start : start + 90]

    def test_no_reminder_once_done(self):
        partner = self.clients["fr_FR"]
        session = self.book_visit(partner)
        self.run_cron_at(FIRST)
        link = self.env["microneedling.screening.link"].search([("session_id", "=", session.id)])
        with freeze_time(FIRST + timedelta(hours=5)):
            link._client_confirm_unchanged()
        self.assertEqual(link.state, "done")
        for when in (REMINDER, REMINDER + timedelta(hours=3), START - timedelta(minutes=5)):
            self.run_cron_at(when)
        self.assertEqual(len(self.link_mails(partner)), 1, "no reminder after completion")
        with freeze_time(REMINDER):
            self.assertEqual(
                session.with_user(self.user_receptionist).screening_link_status, "done"
            )

    def test_nothing_sent_when_the_screening_is_current(self):
        partner = self.clients["en_US"]
        session = self.book_visit(partner)
        current = self.env["microneedling.intake"].search([("partner_id", "=", partner.id)])
        with freeze_time(START - timedelta(days=5)):
            current.with_user(self.user_practitioner).action_confirm_unchanged()
        self.run_cron_at(FIRST)
        self.run_cron_at(REMINDER)
        self.assertFalse(self.link_mails(partner))
        with freeze_time(FIRST):
            self.assertEqual(
                session.with_user(self.user_receptionist).screening_link_status, "not_needed"
            )

    def test_outdated_screening_gets_a_link(self):
        partner = self.clients["en_US"]
        self.env.company.microneedling_screening_max_age_months = 1
        current = self.env["microneedling.intake"].search([("partner_id", "=", partner.id)])
        # Confirmed recently, but taken more than a month before the visit.
        with freeze_time(START - timedelta(days=5)):
            current.with_user(self.user_practitioner).action_confirm_unchanged()
        current.sudo().write({"submitted_date": NOW - timedelta(days=40)})
        self.book_visit(partner)
        self.run_cron_at(FIRST)
        self.assertEqual(len(self.link_mails(partner)), 1)

    def test_booked_later_than_the_days_before_sends_at_once(self):
        partner = self.clients["fr_FR"]
        self.book_visit(partner, NOW + timedelta(days=2))
        mails = self.link_mails(partner)
        self.assertEqual(len(mails), 1, "sent at booking")
        self.run_cron_at(NOW + timedelta(hours=1))
        self.run_cron_at(NOW + timedelta(days=1))  # the day before: the first went < 1 day ago?
        self.assertEqual(len(self.link_mails(partner)), 2, "sent 2 days ahead: one reminder")

    def test_booked_the_day_before_gets_no_reminder_on_top(self):
        partner = self.clients["en_US"]
        self.book_visit(partner, NOW + timedelta(hours=20))
        self.run_cron_at(NOW + timedelta(hours=1))
        self.run_cron_at(NOW + timedelta(hours=10))
        self.assertEqual(len(self.link_mails(partner)), 1)

    def test_sms_when_enabled(self):
        self.env.company.microneedling_sms_enabled = True
        partner = self.clients["fr_FR"]
        partner.mobile = "+33 6 12 34 56 78"
        self.book_visit(partner)
        self.run_cron_at(FIRST)
        sms = self.env["sms.sms"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("/microneedling/screening/", sms.body)
        self.assertIn("lundi 30 novembre 2026", sms.body)

    def test_nothing_when_turned_off(self):
        self.env.company.write(
            {"microneedling_online_screening": False, "microneedling_booking_confirmation": False}
        )
        partner = self.clients["en_US"]
        session = self.book_visit(partner)
        self.run_cron_at(FIRST)
        self.run_cron_at(REMINDER)
        self.assertFalse(self.link_mails(partner))
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", session._name), ("res_id", "=", session.id)]
            )
        )


class TestBookingConfirmation(ScreeningMessagesCase):
    def confirmation(self, session):
        mail = self.env["mail.mail"].search(
            [("model", "=", session._name), ("res_id", "=", session.id)]
        )
        self.assertEqual(len(mail), 1)
        return mail

    def test_dates_computed_for_the_visit(self):
        session = self.book_visit(self.clients["en_US"], NOW + timedelta(days=20))
        body = self.confirmation(session).body_html
        # Visit on Thursday 10 December 2026, 09:00 UTC.
        self.assertIn("No waxing of the area to be treated from November 26, 2026", body)
        self.assertIn("from December 3, 2026 (one week before)", body)
        self.assertIn("Monday, December 7, 2026, 9:00", body)
        self.assertNotIn("already applies", body, "three weeks ahead: nothing applies yet")
        self.assertIn("new medication, injectables", body)
        self.assertNotIn("/microneedling/screening/", body, "the confirmation carries no link")

    def test_which_already_apply_when_booked_late(self):
        session = self.book_visit(self.clients["en_US"], NOW + timedelta(days=10))
        body = self.confirmation(session).body_html
        self.assertEqual(body.count("This already applies."), 1, "waxing only (10 days ahead)")
        self.assertIn("two weeks before). This already applies.", body)
        session = self.book_visit(self.clients["fr_FR"], NOW + timedelta(days=5))
        with freeze_time(NOW):
            lines = session._microneedling_pretreatment_lines()
        self.assertEqual(
            [line["applies"] for line in lines], [True, True, False], "72 h not yet 5 days ahead"
        )
        self.assertIn("11 novembre 2026", self.confirmation(session).body_html)

    def test_planned_then_booked_sends_once(self):
        partner = self.clients["en_US"]
        with freeze_time(NOW):
            session = self.book(self.make_series(partner), START, state="planned")
            self.assertFalse(
                self.env["mail.mail"].search(
                    [("model", "=", session._name), ("res_id", "=", session.id)]
                )
            )
            session.action_book()
            session.write({"start": START + timedelta(hours=1)})
        self.confirmation(session)
