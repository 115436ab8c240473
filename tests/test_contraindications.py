from datetime import timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from .common import NOW, MicroneedlingCase

ABSOLUTE = [
    "active_acne_rosacea",
    "bleeding_disorder",
    "keloid",
    "cancer_treatment",
    "pregnancy_nursing",
    "infectious_disease",
    "open_sores",
]
REVIEW = [
    "weak_immune",
    "herpes_prone",
    "chronic_skin_disease",
    "photosensitizing_meds",
    "other_contraindicated_meds",
]
WINDOW_HOURS = {
    "retinol_exfoliants": 72,
    "waxing": 14 * 24,
    "sunburn_tanning": 7 * 24,
    "recent_procedure": 28 * 24,
    "recent_injectables": 14 * 24,
}


@freeze_time(NOW)
class TestCatalog(MicroneedlingCase):
    def test_catalog_has_every_protocol_item(self):
        codes = set(self.Contraindication.search([]).mapped("code"))
        self.assertEqual(codes, set(ABSOLUTE) | set(REVIEW) | set(WINDOW_HOURS))
        self.assertEqual(len(codes), 17)
        for code, hours in WINDOW_HOURS.items():
            self.assertEqual(self.item(code).kind, "window", code)
            self.assertEqual(self.item(code).window_hours, hours, code)
        for code in ABSOLUTE:
            self.assertEqual(self.item(code).kind, "absolute", code)
        for code in REVIEW:
            self.assertEqual(self.item(code).kind, "review", code)

    def test_shipped_catalog_survives_module_updates(self):
        """The clinic's changes to kinds and windows are never overwritten (noupdate)."""
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "microneedling_treatment"),
                ("model", "=", "microneedling.contraindication"),
            ]
        )
        self.assertEqual(len(data), 17)
        self.assertTrue(all(data.mapped("noupdate")))

    def test_code_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.Contraindication.create(
                {"name": "Dup", "code": "waxing", "question": "?", "kind": "absolute"}
            )

    def test_window_needs_hours(self):
        with self.assertRaisesRegex(ValidationError, "at least one hour"):
            self.Contraindication.create(
                {"name": "Bad window", "code": "bad_window", "question": "?", "kind": "window"}
            )

    def test_new_intake_has_one_line_per_active_item(self):
        extra = self.Contraindication.create(
            {"name": "Gold threads", "code": "gold_threads", "question": "?", "kind": "absolute"}
        )
        self.item("keloid").active = False
        intake = self.env["microneedling.intake"].create({"partner_id": self.client.id})
        items = intake.answer_ids.contraindication_id
        self.assertIn(extra, items)
        self.assertNotIn(self.item("keloid"), items)
        self.assertEqual(len(items), 17)


@freeze_time(NOW)
class TestContraindicationRules(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start = NOW + timedelta(days=1)

    def _client(self, name):
        return self.env["res.partner"].create({"name": name})

    def test_no_screening_refused(self):
        series = self.make_series(self._client("Nora Noscreen"))
        with self.assertRaisesRegex(ValidationError, "no submitted screening"):
            self.book(series, self.start)

    def test_draft_screening_does_not_count(self):
        partner = self._client("Dora Draft")
        self.env["microneedling.intake"].create({"partner_id": partner.id})
        with self.assertRaisesRegex(ValidationError, "no submitted screening"):
            self.book(self.make_series(partner), self.start)

    def test_clean_screening_accepted(self):
        partner = self._client("Cleo Clean")
        self.screen(partner)
        session = self.book(self.make_series(partner), self.start)
        self.assertEqual(session.state, "booked")
        self.assertEqual(
            partner.with_user(self.user_receptionist).microneedling_clearance_state, "cleared"
        )

    def test_absolute_items(self):
        for code in ABSOLUTE:
            with self.subTest(code=code):
                partner = self._client(f"Abs {code}")
                # No practitioner: one client after another at the same hour.
                series = self.make_series(partner, user_id=False)
                self.screen(partner, {code: True})
                with self.assertRaises(ValidationError) as error:
                    self.book(series, self.start, user=self.user_practitioner)
                self.assertIn(self.item(code).name, str(error.exception))
                self.assertIn("absolute contraindication", str(error.exception))
                self.assertFalse(series.session_ids, "nothing is half-saved")
                # Outside the rule: a later screening without the item clears the client.
                self.screen(partner, when=NOW - timedelta(hours=1))
                self.assertEqual(self.book(series, self.start).state, "booked")

    def test_review_items(self):
        for code in REVIEW:
            with self.subTest(code=code):
                partner = self._client(f"Rev {code}")
                # No practitioner: one client after another at the same hour.
                series = self.make_series(partner, user_id=False)
                intake = self.screen(partner, {code: True})
                with self.assertRaisesRegex(ValidationError, "must review and clear it"):
                    self.book(series, self.start, user=self.user_practitioner)
                self.assertEqual(
                    partner.with_user(self.user_receptionist).microneedling_clearance_state,
                    "review",
                )
                answer = intake.answer_ids.filtered(
                    lambda a, code=code: a.contraindication_id.code == code
                )
                answer.with_user(self.user_practitioner)._clear("Doctor's letter on file")
                self.assertEqual(answer.cleared_by_id, self.user_practitioner)
                self.assertEqual(answer.cleared_date, NOW)
                self.assertEqual(self.book(series, self.start).state, "booked")

    def test_window_items_exact_boundary(self):
        for code, hours in WINDOW_HOURS.items():
            with self.subTest(code=code):
                partner = self._client(f"Win {code}")
                # No practitioner: one client after another at the same hour.
                series = self.make_series(partner, user_id=False)
                last = NOW - timedelta(hours=2)
                self.screen(partner, {code: last})
                boundary = last + timedelta(hours=hours)
                with self.assertRaises(ValidationError) as error:
                    self.book(series, boundary - timedelta(minutes=1))
                self.assertIn("earliest", str(error.exception))
                receptionist_view = partner.with_user(self.user_receptionist)
                self.assertEqual(receptionist_view.microneedling_clearance_state, "blocked")
                self.assertEqual(receptionist_view.microneedling_blocked_until, boundary)
                self.assertEqual(self.book(series, boundary).start, boundary)

    def test_window_item_without_date_blocks(self):
        partner = self._client("Undated Ursula")
        intake = self.env["microneedling.intake"].create(
            {"partner_id": partner.id, "consent_given": True, "consent_date": NOW}
        )
        line = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "waxing")
        line.present = True
        with self.assertRaisesRegex(ValidationError, "date of the last occurrence"):
            intake.action_submit()
        self.assertEqual(intake.state, "draft")

    def test_submit_requires_consent(self):
        intake = self.env["microneedling.intake"].create({"partner_id": self.client.id})
        with self.assertRaisesRegex(ValidationError, "consent"):
            intake.action_submit()

    def test_changed_answer_loses_clearance(self):
        intake = self.screen(self.client, {"herpes_prone": True})
        answer = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "herpes_prone")
        answer._clear("Antiviral prophylaxis prescribed")
        self.assertTrue(answer.cleared)
        answer.notes = "Takes valaciclovir"
        self.assertTrue(answer.cleared, "a note does not change the answer")
        with self.assertRaisesRegex(UserError, "can no longer change"):
            answer.present = False
        intake.action_cancel()
        intake.action_reset_to_draft()
        answer.present = False
        answer.present = True
        self.assertFalse(answer.cleared)

    def test_screening_state_and_clearance_only_through_actions(self):
        intake = self.screen(self.client, {"herpes_prone": True}).with_user(self.user_practitioner)
        answer = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "herpes_prone")
        with self.assertRaises(AccessError):
            answer.write({"cleared": True})
        with self.assertRaises(AccessError):
            intake.write({"confirmed_date": NOW + timedelta(days=365)})
        draft = (
            self.env["microneedling.intake"]
            .with_user(self.user_practitioner)
            .create({"partner_id": self.client.id})
        )
        with self.assertRaises(AccessError):
            draft.write({"state": "submitted"})
        copy = intake.copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.confirmed_date)

    def test_clearance_needs_reason(self):
        intake = self.screen(self.client, {"herpes_prone": True})
        answer = intake.answer_ids.filtered(lambda a: a.contraindication_id.code == "herpes_prone")
        with self.assertRaisesRegex(Exception, "reason is required"):
            answer._clear("  ")

    def test_refusal_lists_every_reason_in_user_language_and_tz(self):
        self.env.ref("base.lang_fr").active = True
        partner = self._client("Marie Multiple")
        retinol = NOW - timedelta(days=1)  # 19/11 09:00 UTC = 10:00 Paris
        self.screen(partner, {"retinol_exfoliants": retinol, "pregnancy_nursing": True})
        series = self.make_series(partner)
        practitioner = self.user_practitioner
        practitioner.write({"tz": "Europe/Paris", "lang": "fr_FR"})
        with self.assertRaises(ValidationError) as error:
            self.env["microneedling.session"].with_user(practitioner).with_context(
                lang="fr_FR"
            ).create({"series_id": series.id, "start": NOW + timedelta(days=1)})
        message = str(error.exception)
        self.assertIn("Marie Multiple", message)
        self.assertIn("19/11/2026 10:00", message)
        self.assertIn("22/11/2026 10:00", message)
        self.assertIn("(72 h)", message)
        self.assertEqual(message.count("\n- "), 2, message)

    def test_receptionist_refusal_hides_the_answers(self):
        """Reception learns that and until when a client is blocked, never which answer."""
        partner = self._client("Hidden Hanna")
        retinol = NOW - timedelta(days=1)
        self.screen(
            partner,
            {
                "retinol_exfoliants": retinol,
                "pregnancy_nursing": True,
                "herpes_prone": True,
            },
        )
        series = self.make_series(partner)
        with self.assertRaises(ValidationError) as error:
            self.book(series, NOW + timedelta(days=1))
        message = str(error.exception)
        self.assertIn("Hidden Hanna", message)
        self.assertIn("rules out treatment", message)
        self.assertIn("awaits a practitioner's review", message)
        self.assertIn("earliest 11/22/2026 09:00", message)
        self.assertEqual(message.count("\n- "), 3, message)
        for item in self.Contraindication.search([]):
            self.assertNotIn(item.name, message)
        self.assertNotIn("11/19/2026", message, "the answer's date is not shown either")
        # The practitioner booking the same slot reads every answer behind it.
        with self.assertRaises(ValidationError) as error:
            self.book(series, NOW + timedelta(days=1), user=self.user_practitioner)
        for code in ("retinol_exfoliants", "pregnancy_nursing", "herpes_prone"):
            self.assertIn(self.item(code).name, str(error.exception))
