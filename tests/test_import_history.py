import base64
import csv
import io
import pathlib
from datetime import datetime, timedelta
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError

from odoo.addons.microneedling_treatment.models import trusted

from .common import NOW, MicroneedlingCase

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
# The fixture's clients and past sessions, in UTC (the clinic is in Europe/Paris).
EXPECTED = {
    ("zoe@example.com", "Microneedling"): [
        (datetime(2025, 1, 10, 9, 0), "mn_practitioner"),
        (datetime(2025, 2, 14, 9, 0), "mn_practitioner"),
        (datetime(2025, 3, 21, 9, 0), "mn_practitioner"),
    ],
    ("zoe@example.com", "Microneedling + PRP"): [(datetime(2025, 6, 1, 10, 0), None)],
    ("marc@example.com", "Microneedling"): [(datetime(2026, 10, 1, 12, 30), None)],
    ("ana@example.com", "Microneedling"): [(datetime(2026, 9, 15, 7, 0), None)],
}
# Rows refused, by row number (the same in the three files) and a part of the reason.
EXPECTED_ERRORS = {
    9: "not-an-email",
    10: "in the future",
    11: "no email and no mobile",
    12: "31/02/2026",
}


class ImportCase(MicroneedlingCase):
    """Decorate the test classes, not this base, with freeze_time: freezegun binds
    setUpClass to the decorated class itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env.company.partner_id.tz = "Europe/Paris"
        cls.ana = cls.env["res.partner"].create(
            {"name": "Ana Existing (CRM)", "email": "Ana <ana@example.com>", "lang": "en_US"}
        )

    def wizard(self, filename, data=None, user=None, **vals):
        data = data if data is not None else (FIXTURES / filename).read_bytes()
        return (
            self.env["microneedling.import.wizard"]
            .with_user(user or self.user_manager)
            .create(
                {
                    "import_type": "history",
                    "file": base64.b64encode(data),
                    "filename": filename,
                    **vals,
                }
            )
        )

    def import_file(self, filename, data=None, **vals):
        wizard = self.wizard(filename, data, **dict({"date_order": "dmy"}, **vals))
        wizard.action_read_file()
        wizard.action_preview()
        preview = self.counts(wizard)
        wizard.action_import()
        self.assertEqual(self.counts(wizard), preview, "the import does what the preview said")
        return wizard

    @staticmethod
    def counts(wizard):
        return {
            name: wizard[name]
            for name in (
                "new_client_count",
                "matched_client_count",
                "new_series_count",
                "new_session_count",
                "known_session_count",
                "error_count",
            )
        }

    def imported(self):
        """{(client email, service): [(start, practitioner login)]} of the imported courses."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "__microneedling_import__"), ("model", "=", "microneedling.series")]
        )
        result = {}
        for series in self.env["microneedling.series"].browse(data.mapped("res_id")):
            service = series.notes.striptags().split(": ", 1)[1]
            result[series.partner_id.email_normalized, service] = sorted(
                (s.start, s.user_id.login or None) for s in series.session_ids
            )
        return result

    def snapshot(self):
        models = [
            "res.partner",
            "microneedling.series",
            "microneedling.session",
            "calendar.event",
            "ir.model.data",
            "mail.message",
            "mail.mail",
            "mail.activity",
            "microneedling.aftercare.schedule",
        ]
        return {model: self.env[model].sudo().search_count([]) for model in models}


@freeze_time(NOW)
class TestImportHistory(ImportCase):
    maxDiff = None

    def check_fixture_import(self, filename):
        before = self.snapshot()
        wizard = self.import_file(filename)
        self.assertEqual(
            self.counts(wizard),
            {
                "new_client_count": 2,
                "matched_client_count": 1,
                "new_series_count": 4,
                "new_session_count": 6,
                "known_session_count": 0,
                "error_count": 4,
            },
        )
        self.assertEqual(self.imported(), EXPECTED)
        errors = dict(
            line.split(": ", 1) for line in wizard.error_text.splitlines() if line.strip()
        )
        self.assertEqual(list(errors), [f"Row {number}" for number in sorted(EXPECTED_ERRORS)])
        for number, fragment in EXPECTED_ERRORS.items():
            self.assertIn(fragment, errors[f"Row {number}"])
        # Clients: matched on email (Ana, whose mobile was empty, gets it), else created.
        zoe = self.env["res.partner"].search([("email", "=", "zoe@example.com")])
        self.assertEqual(len(zoe), 1, "email and mobile rows of one client make one client")
        self.assertEqual(
            (zoe.name, zoe.mobile, zoe.lang), ("Zoé Élise-Müller", "+33 6 12 34 56 78", "fr_FR")
        )
        self.assertEqual(self.ana.name, "Ana Existing (CRM)", "an existing client keeps her name")
        self.assertEqual(self.ana.mobile, "+1 555 010 0200")
        self.assertEqual(self.ana.microneedling_series_ids.state, "in_progress")
        # Courses: three sessions complete Zoé's course; the unfinished one stays open.
        by_service = zoe.microneedling_series_ids.grouped(lambda s: s.notes.striptags())
        course = by_service["Imported history: Microneedling"]
        self.assertEqual((course.state, course.planned_session_count), ("done", 3))
        self.assertEqual(course.user_id, self.user_practitioner)
        self.assertEqual(by_service["Imported history: Microneedling + PRP"].state, "in_progress")
        sessions = zoe.microneedling_series_ids.session_ids
        self.assertEqual(set(sessions.mapped("state")), {"done"})
        self.assertEqual(sessions.mapped("date_done"), sessions.mapped("start"))
        # Nothing sent, nothing scheduled, nothing logged for the history.
        after = self.snapshot()
        for model in (
            "mail.message",
            "mail.mail",
            "mail.activity",
            "microneedling.aftercare.schedule",
        ):
            self.assertEqual(after[model], before[model], f"the import created {model} records")
        self.assertEqual(after["microneedling.session"] - before["microneedling.session"], 6)
        return wizard

    def test_import_xls(self):
        self.check_fixture_import("history.xls")

    def test_import_xlsx(self):
        self.check_fixture_import("history.xlsx")

    def test_import_csv(self):
        self.check_fixture_import("history.csv")

    def test_second_import_changes_nothing(self):
        self.import_file("history.xls")
        before, imported = self.snapshot(), self.imported()
        partners = self.env["res.partner"].search_read(
            [("email", "!=", False)], ["name", "email", "mobile", "lang"]
        )
        # Same content, other format: the other system's export of the next month.
        wizard = self.import_file("history.csv")
        self.assertEqual(
            self.counts(wizard),
            {
                "new_client_count": 0,
                "matched_client_count": 3,
                "new_series_count": 0,
                "new_session_count": 0,
                "known_session_count": 6,
                "error_count": 4,
            },
        )
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.imported(), imported)
        self.assertEqual(
            self.env["res.partner"].search_read(
                [("email", "!=", False)], ["name", "email", "mobile", "lang"]
            ),
            partners,
        )

    def test_preview_writes_nothing(self):
        before = self.snapshot()
        wizard = self.wizard("history.xlsx")
        wizard.action_read_file()
        wizard.action_preview()
        self.assertEqual(wizard.new_session_count, 6)
        self.assertEqual(self.snapshot(), before)

    def test_error_file_lists_failed_rows_with_reason(self):
        wizard = self.import_file("history.xls")
        text = base64.b64decode(wizard.error_file).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual([int(row["Row"]) for row in rows], sorted(EXPECTED_ERRORS))
        self.assertEqual(rows[0]["Email"], "not-an-email")
        self.assertIn("not-an-email", rows[0]["Reason"])
        self.assertTrue(wizard.error_filename.endswith(".csv"))
        # Fixed and imported again, the file's rows now go in; the others stay unchanged.
        fixed = text.replace("not-an-email", "bad@example.com")
        again = self.import_file("errors.csv", fixed.encode())
        self.assertEqual((again.new_client_count, again.new_session_count), (1, 1))
        self.assertEqual(again.error_count, 3)

    def test_columns_detected_and_mapping_saved(self):
        wizard = self.wizard("history.csv")
        wizard.action_read_file()
        self.assertEqual(wizard.header_row, 2, "the title row above the header is skipped")
        detected = {c.header: c.history_target for c in wizard.column_ids}
        self.assertEqual(detected["Mobile Phone"], "mobile")
        self.assertEqual(detected["Appointment Date"], "date")
        self.assertEqual(detected["Staff"], "staff")
        # The clinic's own header, mapped once by hand, is remembered.
        data = b"Kundin;Correo;Fecha\nLea Neu;lea@example.com;2026-03-02 10:00\n"
        first = self.wizard("own.csv", data)
        first.action_read_file()
        self.assertFalse(first.column_ids.filtered(lambda c: c.header == "Kundin").history_target)
        targets = {"Kundin": "name", "Correo": "email", "Fecha": "date"}
        for column in first.column_ids:
            column.history_target = targets[column.header]
        first.action_preview()
        first.action_import()
        self.assertEqual(first.new_session_count, 1)
        second = self.wizard("own.csv", data)
        second.action_read_file()
        self.assertEqual({c.header: c.history_target for c in second.column_ids}, targets)

    def test_day_month_order(self):
        data = b"Name,Email,Date\nMia Us,mia@example.com,12/31/2025 4:30 PM\n"
        wizard = self.import_file("us.csv", data, date_order="mdy")
        self.assertEqual(wizard.error_count, 0)
        session = (
            self.env["res.partner"]
            .search([("email", "=", "mia@example.com")])
            .microneedling_series_ids.session_ids
        )
        self.assertEqual(session.start, datetime(2025, 12, 31, 15, 30))
        refused = self.import_file("us.csv", data.replace(b"mia", b"max"), date_order="dmy")
        self.assertEqual(refused.error_count, 1)
        self.assertIn("day/month order", refused.error_text)

    def test_excel_1904_date_mode(self):
        """A serial date means another day in a 1904-mode workbook: read in its own mode."""
        sessions_at = datetime(2025, 4, 2, 13, 0)  # 15:00 in Paris
        wizard = self.import_file("history_1904.xls")
        self.assertEqual((wizard.new_session_count, wizard.error_count), (2, 0))
        book = openpyxl.Workbook()
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
        book.active.append(["Name", "Email", "Date"])
        book.active.append(["Mac Xlsx", "mac.xlsx@example.com", 44287.625])
        buffer = io.BytesIO()
        book.save(buffer)
        self.import_file("mac.xlsx", buffer.getvalue())
        for email in ("mac.cell@example.com", "mac.number@example.com", "mac.xlsx@example.com"):
            partner = self.env["res.partner"].search([("email", "=", email)])
            self.assertEqual(partner.microneedling_series_ids.session_ids.start, sessions_at, email)

    def test_merged_header_cell_spanning_two_columns(self):
        """A header merged over two columns names both: each stays mappable."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Client", None, "Email", "Date"])
        sheet.merge_cells("A1:B1")
        sheet.append(["Lea", "Neu", "lea@example.com", datetime(2026, 3, 2, 10, 0)])
        sheet.append([None, None, None, None])
        buffer = io.BytesIO()
        book.save(buffer)
        wizard = self.wizard("merged.xlsx", buffer.getvalue(), date_order="dmy")
        wizard.action_read_file()
        columns = wizard.column_ids.sorted("index")
        self.assertEqual(columns.mapped("header"), ["Client", "Client (2)", "Email", "Date"])
        self.assertEqual(columns.mapped("history_target"), ["name", False, "email", "date"])
        columns[0].history_target, columns[1].history_target = "first_name", "last_name"
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual((wizard.new_session_count, wizard.error_count), (1, 0))
        lea = self.env["res.partner"].search([("email", "=", "lea@example.com")])
        self.assertEqual(lea.name, "Lea Neu")

    def test_client_open_course_leaves_imported_one_interrupted(self):
        """A client follows one open course: an unfinished imported course is closed."""
        self.screen(self.ana)
        current = self.make_series(self.ana)
        self.book(current, NOW + timedelta(days=2))
        wizard = self.import_file("history.xlsx")
        self.assertEqual(wizard.interrupted_series_count, 1)
        imported = self.ana.microneedling_series_ids - current
        self.assertEqual(imported.state, "cancelled")
        self.assertEqual(imported.session_ids.mapped("state"), ["done"])
        self.assertEqual(current.state, "in_progress")

    def test_history_closer_than_spacing_is_recorded(self):
        """What took place is recorded, although a booking that close would be refused."""
        data = (
            b"Name,Email,Date\n"
            b"Ida Close,ida@example.com,2026-05-01 10:00\n"
            b"Ida Close,ida@example.com,2026-05-08 10:00\n"
        )
        wizard = self.import_file("close.csv", data)
        self.assertEqual((wizard.new_session_count, wizard.error_count), (2, 0))
        series = (
            self.env["res.partner"]
            .search([("email", "=", "ida@example.com")])
            .microneedling_series_ids
        )
        with self.assertRaisesRegex(ValidationError, "cannot have a microneedling session"):
            self.book(
                series, datetime(2026, 5, 15, 8, 0), user=self.user_practitioner, state="done"
            )

    def test_history_flag_never_lifts_rules_for_future_or_unscreened_sessions(self):
        """The flag covers done past sessions under server code only."""
        self.screen(self.ana)
        series = self.make_series(self.ana)
        Session = self.env["microneedling.session"].with_user(self.user_manager)
        flagged = Session.with_context(**trusted.flag(trusted.HISTORY))
        with self.assertRaisesRegex(ValidationError, "in the future"):
            flagged.create(
                {"series_id": series.id, "start": NOW + timedelta(days=3), "state": "done"}
            )
        # A JSON context cannot carry the flag: a plain key lifts nothing.
        unscreened = self.make_series(self.client)
        plain = Session.with_context(microneedling_history_import=True)
        with self.assertRaisesRegex(ValidationError, "cannot have a microneedling session"):
            plain.create(
                {"series_id": unscreened.id, "start": NOW - timedelta(days=30), "state": "done"}
            )

    def test_only_managers_import(self):
        with self.assertRaises(AccessError):
            self.wizard("history.csv", user=self.user_practitioner)
        wizard = self.wizard("history.csv")
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_practitioner).action_import()


@freeze_time(NOW)
class TestImportBatches(ImportCase):
    WIZARD = "odoo.addons.microneedling_treatment.wizard.microneedling_import_wizard"

    def test_large_import_runs_in_background_with_progress(self):
        with patch(f"{self.WIZARD}.BACKGROUND_ROWS", 3), patch(f"{self.WIZARD}.CLIENT_BATCH", 1):
            wizard = self.wizard("history.xls", date_order="dmy")
            wizard.action_read_file()
            wizard.action_preview()
            preview = self.counts(wizard)
            wizard.action_import()
            self.assertEqual(
                (wizard.state, wizard.progress, wizard.new_session_count), ("running", 0, 0)
            )
            progress = []
            for _step in range(5):
                self.env["microneedling.import.wizard"]._cron_run_imports()
                progress.append(round(wizard.progress))
                if wizard.state == "done":
                    break
        self.assertEqual(progress, [33, 67, 100], "one batch of one client per step")
        self.assertEqual(self.counts(wizard), preview)
        self.assertEqual(self.imported(), EXPECTED)
        self.assertIn("Row 9:", wizard.error_text)

    def test_refused_client_does_not_stop_the_others(self):
        Wizard = type(self.env["microneedling.import.wizard"])
        original = Wizard._import_clients

        def refuse_marc(wizard, clients, dry_run):
            rows = [row for client in clients.values() for _n, row in client["rows"]]
            if not dry_run and any(row["email"] == "marc@example.com" for row in rows):
                original(wizard, clients, dry_run)  # written, then refused: all rolled back
                raise ValidationError(wizard.env._("Marc is refused by a rule"))
            return original(wizard, clients, dry_run)

        wizard = self.wizard("history.csv", date_order="dmy")
        wizard.action_read_file()
        with patch.object(Wizard, "_import_clients", refuse_marc):
            wizard.action_import()
        expected = dict(EXPECTED)
        del expected["marc@example.com", "Microneedling"]
        self.assertEqual(self.imported(), expected)
        self.assertFalse(self.env["res.partner"].search([("email", "=", "marc@example.com")]))
        self.assertIn("Row 7: Marc is refused by a rule", wizard.error_text)
        self.assertEqual(wizard.error_count, 5)
