import base64
import pathlib

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError

from .common import NOW, MicroneedlingCase

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
EXPECTED_CATALOG = [
    ("Doxycycline", "Vibramycin", "photosensitizing_meds"),
    ("Isotretinoin", "Accutane, Roaccutane, Claravis", "photosensitizing_meds"),
    ("Méthotrexate", "Trexall", "other_contraindicated_meds"),
    ("Warfarin", "Coumadin, Jantoven", "bleeding_disorder"),
]


@freeze_time(NOW)
class TestMedication(MicroneedlingCase):
    def import_list(self, filename, data=None):
        data = data if data is not None else (FIXTURES / filename).read_bytes()
        wizard = (
            self.env["microneedling.import.wizard"]
            .with_user(self.user_manager)
            .create(
                {
                    "import_type": "medication",
                    "file": base64.b64encode(data),
                    "filename": filename,
                }
            )
        )
        wizard.action_read_file()
        wizard.action_preview()
        wizard.action_import()
        return wizard

    def catalog(self):
        return [
            (m.name, m.brand_names, m.contraindication_id.code)
            for m in self.env["microneedling.medication"].search([], order="name")
        ]

    def check_list_import(self, filename):
        wizard = self.import_list(filename)
        self.assertEqual((wizard.new_medication_count, wizard.error_count), (4, 2))
        self.assertEqual(self.catalog(), EXPECTED_CATALOG)
        self.assertIn("Row 6: the generic name is empty", wizard.error_text)
        self.assertIn("Row 7: the contraindication 'Unknown kind' is unknown", wizard.error_text)
        again = self.import_list(filename)
        self.assertEqual((again.new_medication_count, again.updated_medication_count), (0, 0))
        self.assertEqual(self.catalog(), EXPECTED_CATALOG)

    def test_import_list_xls(self):
        self.check_list_import("medications.xls")

    def test_import_list_xlsx(self):
        self.check_list_import("medications.xlsx")

    def test_import_list_csv(self):
        self.check_list_import("medications.csv")

    def test_import_adds_brands_to_known_generic(self):
        self.import_list("medications.csv")
        data = b"Generic,Brand,Category\nISOTRETINOIN,Absorica,photosensitizing\n"
        wizard = self.import_list("more.csv", data)
        self.assertEqual((wizard.new_medication_count, wizard.updated_medication_count), (0, 1))
        isotretinoin = self.env["microneedling.medication"].search([("name", "=", "Isotretinoin")])
        self.assertEqual(isotretinoin.brand_names, "Accutane, Roaccutane, Claravis, Absorica")

    def draft(self, medications):
        Intake = self.env["microneedling.intake"].with_user(self.user_practitioner)
        answers = Intake.default_get(["answer_ids"])["answer_ids"]
        return Intake.create(
            {"partner_id": self.client.id, "medications": medications, "answer_ids": answers}
        )

    def answer(self, intake, code):
        return intake.answer_ids.filtered(lambda a: a.contraindication_id.code == code)

    def test_brand_and_generic_match_the_same_item(self):
        self.import_list("medications.xls")
        for text in ("Accutane", "isotretinoin", "ISOTRETINOIN 20 mg", "roaccutane, vitamin D"):
            intake = self.draft(text)
            answer = self.answer(intake, "photosensitizing_meds")
            self.assertEqual(answer.answer, "yes", text)
            self.assertIn("Isotretinoin", answer.medication_match, text)
            self.assertEqual(intake.medication_match_ids.name, "Isotretinoin", text)
            others = intake.answer_ids - answer
            self.assertFalse(others.filtered("answer"), f"{text}: other items untouched")
        # Accents never matter: the catalog's "Méthotrexate" is the client's "methotrexate".
        for text in ("methotrexate weekly", "MÉTHOTREXATE"):
            answer = self.answer(self.draft(text), "other_contraindicated_meds")
            self.assertEqual((answer.answer, answer.medication_match), ("yes", "Méthotrexate"))

    def test_anticoagulant_marks_bleeding_item_and_words_must_match_whole(self):
        self.import_list("medications.csv")
        intake = self.draft("coumadin 5mg; doxycyclinex; methotrexates")
        self.assertEqual(self.answer(intake, "bleeding_disorder").answer, "yes")
        self.assertEqual(
            self.answer(intake, "bleeding_disorder").medication_match, "Coumadin (Warfarin)"
        )
        self.assertFalse(self.answer(intake, "photosensitizing_meds").answer)
        self.assertFalse(self.answer(intake, "other_contraindicated_meds").answer)

    def test_match_on_edit_and_practitioner_keeps_the_last_word(self):
        self.import_list("medications.csv")
        intake = self.draft(False)
        item = self.answer(intake, "photosensitizing_meds")
        self.assertFalse(item.answer)
        intake.write({"medications": "Vibramycin"})
        self.assertEqual((item.answer, item.medication_match), ("yes", "Vibramycin (Doxycycline)"))
        # The practitioner reviewed it (a short course, stopped months ago): that stands.
        item.write({"answer": "no"})
        intake.write({"notes": "<p>Stopped in March.</p>"})
        self.assertEqual(item.answer, "no")

    def test_submitted_screening_is_never_changed(self):
        self.import_list("medications.csv")
        intake = self.draft("aspirin")
        intake.answer_ids.write({"answer": "no"})
        intake.write({"consent_given": True})
        intake.action_submit()
        with self.assertRaises(UserError):
            intake.write({"medications": "Accutane"})
        self.assertEqual(set(intake.answer_ids.mapped("answer")), {"no"})

    def test_access(self):
        self.import_list("medications.csv")
        medication = self.env["microneedling.medication"].search([], limit=1)
        self.assertTrue(medication.with_user(self.user_practitioner).name)
        with self.assertRaises(AccessError):
            medication.with_user(self.user_practitioner).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            medication.with_user(self.user_receptionist).read(["name"])
        intake = self.draft("Accutane")
        with self.assertRaises(AccessError):
            intake.answer_ids.with_user(self.user_receptionist).read(["medication_match"])
        self.assertNotIn(
            "medication_match",
            self.env["microneedling.intake.answer"].with_user(self.user_receptionist).fields_get(),
        )

    def test_new_item_lines_get_premarked(self):
        """Answer lines created with the screening (the form's default lines) are matched."""
        self.import_list("medications.csv")
        Intake = self.env["microneedling.intake"].with_user(self.user_practitioner)
        intake = Intake.create(
            {
                "partner_id": self.client.id,
                "medications": "Jantoven",
                "answer_ids": [
                    Command.create({"contraindication_id": self.item("bleeding_disorder").id})
                ],
            }
        )
        self.assertEqual(self.answer(intake, "bleeding_disorder").answer, "yes")
