import base64
import re
import secrets
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.microneedling_treatment.models import microneedling_screening_attempt as attempt

from .common import screen_client

PNG_1PX = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
INVALID_TEXT = "This link is no longer valid"


@tagged("post_install", "-at_install", "microneedling")
class ScreeningLinkCase(HttpCase):
    """A booked visit whose client must confirm or fill in the screening online."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "name": "Calyx Test Clinic",
                "microneedling_online_screening": True,
                "microneedling_booking_confirmation": True,
            }
        )
        cls.receptionist = new_test_user(
            cls.env,
            login="por_desk",
            groups="microneedling_treatment.group_receptionist",
            tz="UTC",
        )
        cls.practitioner = new_test_user(
            cls.env,
            login="por_practitioner",
            groups="microneedling_treatment.group_practitioner",
            tz="UTC",
        )
        cls.now = fields.Datetime.now()
        cls.client_a = cls._client("Clara Client", "clara@example.com")
        cls.client_b = cls._client("Bruno Other", "bruno@example.com")
        cls.session_a = cls._book(cls.client_a)
        # The hour after: their practitioner is in one session at a time.
        cls.session_b = cls._book(cls.client_b, days=2, hours=1)
        cls.Link = cls.env["microneedling.screening.link"]
        cls.link_a = cls.Link.search([("session_id", "=", cls.session_a.id)])
        cls.link_b = cls.Link.search([("session_id", "=", cls.session_b.id)])
        cls.items = cls.env["microneedling.contraindication"].search([])

    @classmethod
    def _client(cls, name, email, lang="en_US"):
        partner = cls.env["res.partner"].create(
            {"name": name, "email": email, "lang": lang, "tz": "UTC"}
        )
        # Screened 20 days ago: its confirmation is too old for a visit in 2 days.
        intake = screen_client(
            cls.env(user=cls.practitioner), partner, when=cls.now - timedelta(days=20)
        )
        intake.sudo().write(
            {
                "submitted_date": cls.now - timedelta(days=20),
                "confirmed_date": cls.now - timedelta(days=20),
            }
        )
        return partner

    @classmethod
    def _book(cls, partner, days=2, hours=0):
        series = cls.env["microneedling.series"].create(
            {"partner_id": partner.id, "user_id": cls.practitioner.id}
        )
        return (
            cls.env["microneedling.session"]
            .with_user(cls.receptionist)
            .create({"series_id": series.id, "start": cls.now + timedelta(days=days, hours=hours)})
        )

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)  # a public visitor's session

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def url_of(self, link):
        """The link as the client received it: read from the queued email."""
        mail = self.env["mail.mail"].search(
            [("model", "=", link._name), ("res_id", "=", link.id)], order="id desc", limit=1
        )
        self.assertTrue(mail, "the link went out by email")
        match = re.search(r'href="[^"]*(/microneedling/screening/[0-9a-f]{64})"', mail.body_html)
        self.assertTrue(match, "the email carries the personal link")
        return match.group(1)

    def token_of(self, link):
        return self.url_of(link).rsplit("/", 1)[1]

    def open_page(self, path):
        response = self.url_open(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        return response, match and match.group(1)

    def answers(self, **overrides):
        """The form as a client fills it in: every question answered no."""
        form = {f"answer_{item.id}": "no" for item in self.items}
        form.update(consent="1", full_name="Clara Client", medications="", signature="")
        form.update(overrides)
        return form

    def fresh_window(self):
        """Forget earlier requests: tests of the form are not tests of the rate limit."""
        self.env["microneedling.screening.attempt"].search([]).unlink()

    def post(self, path, form, with_csrf=True):
        self.fresh_window()
        response, csrf = self.open_page(path)
        self.assertEqual(response.status_code, 200, "the form opens before the post")
        data = dict(form, csrf_token=csrf) if with_csrf else form
        return self.url_open(f"{path}/submit", data=data)

    def intakes(self, partner):
        return self.env["microneedling.intake"].search([("partner_id", "=", partner.id)])

    def assertInvalidPage(self, response):
        self.assertEqual(response.status_code, 404)
        self.assertIn(INVALID_TEXT, response.text)
        for secret in ("Clara", "Bruno", "Calyx Test Clinic"):
            self.assertNotIn(secret, response.text, "the neutral page names nobody")


class TestScreeningLinkAccess(ScreeningLinkCase):
    def test_booking_sends_the_link_and_the_confirmation(self):
        self.assertEqual(self.link_a.state, "sent")
        self.assertTrue(self.link_a.token_hash)
        self.assertNotEqual(self.link_a.token_hash, self.token_of(self.link_a))
        confirmation = self.env["mail.mail"].search(
            [("model", "=", "microneedling.session"), ("res_id", "=", self.session_a.id)]
        )
        self.assertEqual(len(confirmation), 1)
        self.assertIn("waxing", confirmation.body_html)
        self.assertIn("This already applies", confirmation.body_html, "2 days ahead")

    def test_valid_link_opens_the_clients_form(self):
        response = self.url_open(self.url_of(self.link_a))
        self.assertEqual(response.status_code, 200)
        text = response.text
        self.assertIn("Calyx Test Clinic", text)
        self.assertIn("Hello Clara,", text)
        self.assertNotIn("Bruno", text)
        for item in self.items:
            self.assertIn(f'name="answer_{item.id}"', text)
        self.assertIn(
            self.env.ref("microneedling_treatment.contraindication_waxing").question, text
        )
        self.assertIn("Nothing has changed since my last visit", text)
        self.assertNotIn("checked", text, "no earlier answer is shown")
        log = self.link_a.access_ids
        self.assertEqual(log.mapped("event"), ["opened"])
        self.assertEqual(log.ip, "127.0.0.1")
        self.assertFalse(log.user_id, "a public visitor")

    def test_page_in_the_clients_language(self):
        self.client_a.lang = "fr_FR"
        response = self.url_open(self.url_of(self.link_a))
        pregnancy = self.env.ref("microneedling_treatment.contraindication_pregnancy_nursing")
        self.assertIn(pregnancy.with_context(lang="fr_FR").question, response.text)
        self.assertNotEqual(pregnancy.with_context(lang="fr_FR").question, pregnancy.question)

    def test_forged_tokens_get_the_neutral_page(self):
        token = self.token_of(self.link_a)
        flipped = token[:-1] + ("0" if token[-1] != "0" else "1")
        for forged in (
            secrets.token_hex(32),
            flipped,
            token[:-1],
            token + "0",
            token.upper(),
            "' OR 1=1 --",
            self.link_a.sudo().token_hash,  # the stored hash is not the token
        ):
            with self.subTest(forged=forged):
                self.assertInvalidPage(self.url_open(f"/microneedling/screening/{forged}"))
        self.assertFalse(self.link_a.access_ids, "no access recorded for a forged token")

    def test_empty_token_matches_nothing(self):
        # A link without a token (as if the hash were lost) is never opened by an empty one.
        self.env.cr.execute(
            "UPDATE microneedling_screening_link SET token_hash = NULL WHERE id = %s",
            [self.link_b.id],
        )
        for path in ("/microneedling/screening", "/microneedling/screening/"):
            with self.subTest(path=path):
                self.assertInvalidPage(self.url_open(path))
        response, _csrf = self.open_page("/microneedling/screening")
        self.assertIsNone(_csrf, "no form")
        self.assertEqual(
            self.url_open("/microneedling/screening//submit", data={}).status_code, 404
        )

    def test_other_clients_token(self):
        # A token signed for another link's record is refused.
        other = self.link_b.sudo()
        from odoo.tools.misc import hmac as hmac_sign

        spliced = hmac_sign(
            self.env(su=True),
            "microneedling.screening.link",
            (self.link_a.id, other.token_salt),
        )
        self.assertInvalidPage(self.url_open(f"/microneedling/screening/{spliced}"))
        # Client B's own link shows B's visit, never A's; posting to it screens B only.
        response = self.post(self.url_of(self.link_b), self.answers(full_name="Bruno Other"))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Clara", response.text)
        self.assertTrue(self.intakes(self.client_b).filtered("client_declared"))
        self.assertFalse(self.intakes(self.client_a).filtered("client_declared"))

    def test_expired_link(self):
        url = self.url_of(self.link_a)
        self.env.cr.execute(
            "UPDATE microneedling_screening_link SET expiry_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=1), self.link_a.id],
        )
        self.link_a.invalidate_recordset()
        self.assertInvalidPage(self.url_open(url))

    def test_expiry_is_the_day_after_the_visit(self):
        start = self.session_a.start
        self.assertEqual(self.link_a.expiry_date.date(), start.date() + timedelta(days=1))
        self.assertEqual(
            self.link_a.expiry_date.time(), fields.Datetime.to_datetime("2000-01-01").time()
        )

    def test_cancelled_visit_closes_the_link(self):
        url = self.url_of(self.link_a)
        self.session_a.with_user(self.receptionist).action_cancel()
        self.assertInvalidPage(self.url_open(url))

    def test_submit_creates_a_client_declared_screening_once(self):
        url = self.url_of(self.link_a)
        previous = self.intakes(self.client_a)
        waxing = self.env.ref("microneedling_treatment.contraindication_waxing")
        waxed = (fields.Datetime.now() - timedelta(days=20)).date().isoformat()
        response = self.post(
            url,
            self.answers(
                **{f"answer_{waxing.id}": "yes", f"when_{waxing.id}": waxed},
                medications="Vitamin D",
                signature=PNG_1PX,
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you, Clara.", response.text)
        self.assertIn("Your practitioner will go through them with you", response.text)
        intake = self.intakes(self.client_a) - previous
        self.assertEqual(len(intake), 1)
        self.assertTrue(intake.client_declared)
        self.assertEqual(intake.state, "submitted")
        self.assertEqual(intake.company_id, self.session_a.company_id)
        self.assertTrue(intake.consent_given and intake.consent_date)
        self.assertEqual(intake.client_signed_name, "Clara Client")
        self.assertEqual(intake.client_medications, "Vitamin D")
        self.assertTrue(base64.b64decode(intake.client_signature).startswith(b"\x89PNG"))
        yes = intake.answer_ids.filtered(lambda a: a.answer == "yes")
        self.assertEqual(yes.contraindication_id, waxing)
        self.assertEqual(str(yes.last_occurrence.date()), waxed)
        self.assertFalse(intake.answer_ids.filtered(lambda a: not a.answer))
        self.assertEqual(previous.state, "superseded")
        self.assertEqual(self.link_a.state, "done")
        self.assertEqual(self.link_a.intake_id, intake)
        self.assertEqual(intake.client_access_ids.mapped("event"), ["submitted", "opened"])
        self.assertEqual(self.session_a.clearance_state, "cleared")
        # Reused: the same neutral page, and no second screening.
        self.assertInvalidPage(self.url_open(url))
        again = self.url_open(f"{url}/submit", data=self.answers(csrf_token="x"))
        self.assertEqual(again.status_code, 400, "an old form post is refused")
        self.assertEqual(len(self.intakes(self.client_a) - previous), 1)

    def test_listed_medication_of_the_catalog_is_marked_for_review(self):
        """The client ticks "no" to other medications but lists Accutane: the catalog's
        match marks the item for the practitioner's review, and the visit waits for it."""
        other = self.env.ref("microneedling_treatment.contraindication_other_contraindicated_meds")
        self.env["microneedling.medication"].create(
            {
                "name": "Isotretinoin",
                "brand_names": "Accutane, Roaccutane",
                "contraindication_id": other.id,
            }
        )
        response = self.post(
            self.url_of(self.link_a),
            self.answers(**{f"answer_{other.id}": "no"}, medications="accutane 20 mg"),
        )
        self.assertEqual(response.status_code, 200)
        intake = self.link_a.intake_id
        line = intake.answer_ids.filtered(lambda a: a.contraindication_id == other)
        self.assertEqual(line.answer, "yes")
        self.assertIn("accutane", line.medication_match.lower())
        self.assertEqual(self.session_a.clearance_state, "review")

    def test_blocking_answer_gets_a_call_not_the_reason(self):
        pregnancy = self.env.ref("microneedling_treatment.contraindication_pregnancy_nursing")
        response = self.post(
            self.url_of(self.link_a), self.answers(**{f"answer_{pregnancy.id}": "yes"})
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("will call you", response.text)
        self.assertNotIn("Your practitioner will go through them", response.text)
        for reason in (pregnancy.name, pregnancy.question, "pregnan", "contraindication"):
            self.assertNotIn(reason.lower(), response.text.lower())
        self.assertEqual(self.session_a.clearance_state, "blocked", "counts at once")
        activity = self.session_a.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertNotIn("pregnan", (activity.note or "").lower() + activity.summary.lower())

    def test_nothing_changed_records_a_dated_confirmation(self):
        url = self.url_of(self.link_a)
        current = self.intakes(self.client_a)
        response, csrf = self.open_page(url)
        self.assertIn("/unchanged", response.text)
        response = self.url_open(f"{url}/unchanged", data={"unchanged": "1", "csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you, Clara.", response.text)
        self.assertEqual(self.intakes(self.client_a), current, "no copy of the answers")
        self.assertEqual(current.state, "submitted")
        self.assertGreater(current.confirmed_date, self.now - timedelta(minutes=5))
        self.assertEqual(self.link_a.state, "done")
        self.assertEqual(self.link_a.intake_id, current)
        self.assertEqual(self.session_a.screening_link_status, "done")

    def test_nothing_changed_is_not_offered_for_an_outdated_screening(self):
        self.intakes(self.client_a).sudo().write({"submitted_date": self.now - timedelta(days=220)})
        url = self.url_of(self.link_a)
        response, csrf = self.open_page(url)
        self.assertNotIn("Nothing has changed since my last visit", response.text)
        response = self.url_open(f"{url}/unchanged", data={"unchanged": "1", "csrf_token": csrf})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.link_a.state, "sent")


class TestScreeningFormValidation(ScreeningLinkCase):
    def assertRefused(self, response, message):
        self.assertEqual(response.status_code, 422)
        self.assertIn("o_mn_screening_errors", response.text)
        self.assertIn(message, response.text)
        self.assertFalse(self.intakes(self.client_a).filtered("client_declared"), "nothing saved")
        self.assertEqual(self.link_a.state, "sent", "the link still works")
        self.assertEqual(self.link_a.access_ids[:1].event, "refused")

    def test_missing_csrf_is_refused(self):
        with self.assertLogs("odoo.http", "WARNING"):
            response = self.post(self.url_of(self.link_a), self.answers(), with_csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.intakes(self.client_a).filtered("client_declared"))
        self.assertEqual(self.link_a.state, "sent")

    def test_future_and_ancient_dates_are_refused(self):
        waxing = self.env.ref("microneedling_treatment.contraindication_waxing")
        retinol = self.env.ref("microneedling_treatment.contraindication_retinol_exfoliants")
        tomorrow = (fields.Datetime.now() + timedelta(days=1)).date().isoformat()
        in_an_hour = (fields.Datetime.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        url = self.url_of(self.link_a)
        for field, value, item in (
            ("when", tomorrow, waxing),
            ("when", "1850-01-01", waxing),
            ("when", "2026-02-30", waxing),
            ("when", "", waxing),
            ("when", in_an_hour, retinol),
        ):
            with self.subTest(value=value):
                form = self.answers(**{f"answer_{item.id}": "yes", f"{field}_{item.id}": value})
                self.assertRefused(self.post(url, form), item.question)

    def test_unanswered_and_invalid_answers_are_refused(self):
        waxing = self.env.ref("microneedling_treatment.contraindication_waxing")
        url = self.url_of(self.link_a)
        form = self.answers()
        del form[f"answer_{waxing.id}"]
        self.assertRefused(self.post(url, form), waxing.question)
        self.assertRefused(
            self.post(url, self.answers(**{f"answer_{waxing.id}": "maybe"})), waxing.question
        )

    def test_only_the_visits_catalog_items(self):
        """Answers for items outside the visit's catalog (archived, another company's,
        unknown ids) and fields outside the form are refused as a whole."""
        url = self.url_of(self.link_a)
        archived = self.env["microneedling.contraindication"].create(
            {
                "name": "Retired question",
                "code": "retired",
                "question": "Retired?",
                "active": False,
            }
        )
        for extra in (
            {f"answer_{archived.id}": "yes"},
            {"answer_999999": "yes"},
            {"partner_id": str(self.client_b.id)},
            {"state": "draft"},
            {"client_declared": "0"},
        ):
            with self.subTest(extra=extra):
                self.assertRefused(
                    self.post(url, self.answers(**extra)), "This form does not match the questions"
                )

    def test_lengths_and_consent(self):
        url = self.url_of(self.link_a)
        for form, message in (
            (self.answers(medications="x" * 2001), "The medication list is too long"),
            (self.answers(full_name="x" * 121), "Type your full name"),
            (self.answers(full_name="   "), "Type your full name"),
            (self.answers(consent=""), "Tick the consent box"),
            (self.answers(signature="data:image/png;base64,!!!"), "signature could not be read"),
            (
                self.answers(
                    signature="data:image/png;base64," + base64.b64encode(b"GIF89a").decode()
                ),
                "signature could not be read",
            ),
            (self.answers(signature="data:image/png;base64," + "A" * 400_000), "signature"),
        ):
            with self.subTest(message=message):
                self.assertRefused(self.post(url, form), message)


class TestScreeningRateLimit(ScreeningLinkCase):
    def test_per_token(self):
        url = self.url_of(self.link_a)
        for _index in range(attempt.TOKEN_LIMIT):
            self.assertEqual(self.url_open(url).status_code, 200)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Please try again later.", response.text)
        # Another client's link from the same place still opens.
        self.assertEqual(self.url_open(self.url_of(self.link_b)).status_code, 200)

    def test_per_ip(self):
        for _index in range(attempt.IP_LIMIT):
            self.url_open(f"/microneedling/screening/{secrets.token_hex(32)}")
        response = self.url_open(self.url_of(self.link_a))
        self.assertEqual(response.status_code, 429, "guessing from one address stops there")
        self.assertIn("Too many attempts", response.text)
        self.assertNotIn("Clara", response.text)
        self.assertFalse(self.link_a.access_ids)
        old = self.env["microneedling.screening.attempt"].search([])
        old.write({"date": fields.Datetime.now() - attempt.WINDOW - timedelta(minutes=1)})
        self.assertEqual(self.url_open(self.url_of(self.link_a)).status_code, 200, "later")


class TestScreeningLinkPrivacy(ScreeningLinkCase):
    def test_receptionist_sees_the_status_only(self):
        token = self.token_of(self.link_a)
        session = self.session_a.with_user(self.receptionist)
        self.assertEqual(session.screening_link_status, "sent")
        self.assertTrue(session.screening_link_sent_date)
        env = self.env(user=self.receptionist)
        with self.assertRaises(AccessError):
            env["microneedling.screening.link"].search([])
        with self.assertRaises(AccessError):
            env["microneedling.screening.link.access"].search([])
        with self.assertRaises(AccessError):
            env["mail.mail"].search([])
        with self.assertRaises(AccessError):
            env["sms.sms"].search([])
        messages = env["mail.message"].search([("body", "ilike", token)])
        self.assertFalse(messages, "no message a receptionist reads holds the link")
        self.assertFalse(
            env["mail.message"].search([("body", "ilike", "/microneedling/screening/")])
        )
        read = session.read()[0]
        self.assertNotIn(token, repr(read))
        partner_fields = ["name", "email"] + [
            name for name in session.partner_id._fields if name.startswith("microneedling")
        ]
        self.assertNotIn(token, repr(session.partner_id.read(partner_fields)))
        self.assertNotIn(token, repr(env["mail.activity"].search([]).read()))

    def test_receptionist_sends_again_with_a_cooldown(self):
        session = self.session_a.with_user(self.receptionist)
        mails = self.env["mail.mail"].search([("model", "=", "microneedling.screening.link")])
        from odoo.exceptions import UserError

        with self.assertRaisesRegex(UserError, "a moment ago"):
            session.action_send_screening_link()
        self.env.cr.execute(
            "UPDATE microneedling_screening_link SET last_sent_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=11), self.link_a.id],
        )
        self.link_a.invalidate_recordset()
        session.action_send_screening_link()
        new = self.env["mail.mail"].search([("model", "=", "microneedling.screening.link")]) - mails
        self.assertEqual(len(new), 1)
        self.assertEqual(self.url_of(self.link_a), self.url_of(self.link_a), "the same link")
        self.assertEqual(self.link_a.send_count, 2)

    def test_client_fields_cannot_be_forged(self):
        intake = self.intakes(self.client_a)
        with self.assertRaises(AccessError):
            intake.with_user(self.practitioner).write({"client_declared": True})
        with self.assertRaises(AccessError):
            self.env["microneedling.intake"].with_user(self.practitioner).create(
                {"partner_id": self.client_a.id, "client_declared": True}
            )
