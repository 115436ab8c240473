import base64
import csv
import hashlib
import io
import logging
import re
from collections import defaultdict
from datetime import datetime, time

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

from ..models import trusted
from ..models.microneedling_import_mapping import IMPORT_TYPES
from ..models.microneedling_medication import normalize
from ..models.microneedling_series import MIN_COURSE_SESSIONS, OPEN_STATES
from ..tools import spreadsheet

_logger = logging.getLogger(__name__)

# Headers of common exports (Vagaro, Mindbody, Phorest, Pabau, Square, spreadsheets),
# normalized (lower case, no accents or punctuation) and separated by |.
HISTORY_HEADERS = {
    "first_name": (
        "client first name|customer first name|first|first name|firstname|"
        "given name|nombre|patient first name|prenom|vorname"
    ),
    "last_name": (
        "apellido|client last name|customer last name|family name|last|"
        "last name|lastname|nachname|nom de famille|patient last name|surname"
    ),
    "name": (
        "client|client name|contact|contact name|customer|customer name|"
        "full name|name|nom|nom complet|patient|patient name"
    ),
    "email": (
        "client email|courriel|customer email|e mail|e mail address|email|"
        "email address|mail|patient email"
    ),
    "mobile": (
        "cell|cell phone|cellphone|client mobile|client phone|customer phone|"
        "handy|mobile|mobile number|mobile phone|movil|phone|phone number|"
        "portable|sms number|telephone"
    ),
    "lang": "idioma|lang|language|langue|locale|preferred language|sprache",
    "date": (
        "appointment|appointment date|appointment start|appt date|booking date|"
        "date|date time|datum|service date|start|start date|visit date"
    ),
    "time": "appointment time|appt time|heure|hora|start time|time|uhrzeit",
    "service": (
        "appointment type|item|prestation|service|service name|service type|"
        "services|servicio|treatment|treatment name"
    ),
    "staff": (
        "employee|mitarbeiter|practitioner|praticien|provider|staff|"
        "staff member|staff name|stylist|team member|therapist|with"
    ),
}
MEDICATION_HEADERS = {
    "generic": (
        "active ingredient|active substance|dci|drug|generic|generic name|inn|"
        "medicament|medication|molecule|name|substance"
    ),
    "brands": "brand|brand name|brand names|brands|trade name|trade names",
    "item": "category|contraindication|item|risk|triggers|type",
}
# Words naming a screening item in the medication list's contraindication column.
MEDICATION_ITEM_WORDS = (
    ("photo", "photosensitizing_meds"),
    ("anticoag", "bleeding_disorder"),
    ("blood thinner", "bleeding_disorder"),
    ("bleeding", "bleeding_disorder"),
    ("other", "other_contraindicated_meds"),
)
DEFAULT_SERVICE = "Microneedling"
# The time a session recorded with a date but no time is placed at, in the clinic's zone.
DEFAULT_TIME = time(12, 0)
# Clients written per batch: bounded memory, a bounded number of queries per batch.
CLIENT_BATCH = 1000
XMLID_MODULE = "__microneedling_import__"
# Above this many rows, the import runs in the background, with its progress shown.
BACKGROUND_ROWS = 2000
COUNT_FIELDS = (
    "new_client_count",
    "matched_client_count",
    "new_series_count",
    "new_session_count",
    "known_session_count",
    "interrupted_series_count",
)
ERROR_FIELDS = ("error_count", "error_text", "error_file", "error_filename")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
SLASH_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?$",
    re.IGNORECASE,
)
TIME_TEXT = re.compile(r"^(\d{1,2})[:h.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


class RowError(Exception):
    """A row that cannot be imported; the message is already translated."""


class MicroneedlingImportWizard(models.TransientModel):
    _name = "microneedling.import.wizard"
    _description = "Microneedling Import"

    import_type = fields.Selection(selection=IMPORT_TYPES, required=True, default="history")
    state = fields.Selection(
        selection=[
            ("upload", "Upload"),
            ("map", "Columns"),
            ("preview", "Preview"),
            ("running", "Importing"),
            ("done", "Done"),
        ],
        default="upload",
        required=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company
    )
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    sheet_name = fields.Char(string="Sheet", help="The sheet to import, by its name.")
    sheet_names = fields.Char(string="Sheets in the File", readonly=True)
    header_row = fields.Integer(readonly=True)
    date_order = fields.Selection(
        selection=[("dmy", "Day/Month/Year (31/12/2026)"), ("mdy", "Month/Day/Year (12/31/2026)")],
        string="Dates Written As",
        required=True,
        default=lambda self: self._default_date_order(),
        help="How the file writes dates like 05/06/2026. ISO dates (2026-06-05) and dates "
        "stored as dates in a spreadsheet are read either way.",
    )
    column_ids = fields.One2many(
        comodel_name="microneedling.import.column", inverse_name="wizard_id", string="Columns"
    )
    # Preview and result
    row_count = fields.Integer(string="Rows", readonly=True)
    new_client_count = fields.Integer(string="New Clients", readonly=True)
    matched_client_count = fields.Integer(string="Existing Clients Matched", readonly=True)
    new_series_count = fields.Integer(string="New Courses", readonly=True)
    new_session_count = fields.Integer(string="Past Sessions to Record", readonly=True)
    known_session_count = fields.Integer(string="Sessions Already Recorded", readonly=True)
    interrupted_series_count = fields.Integer(
        string="Courses Closed as Interrupted",
        readonly=True,
        help="Courses with fewer than the minimum number of sessions while the client has "
        "another open course: they are recorded cancelled (a client follows one course at "
        "a time).",
    )
    new_medication_count = fields.Integer(string="New Medications", readonly=True)
    updated_medication_count = fields.Integer(string="Medications Updated", readonly=True)
    error_count = fields.Integer(string="Rows with Errors", readonly=True)
    progress = fields.Float(readonly=True, help="Share of the clients imported so far.")
    batch_done = fields.Integer(readonly=True)
    error_text = fields.Text(string="Errors", readonly=True)
    error_file = fields.Binary(readonly=True, attachment=False)
    error_filename = fields.Char(readonly=True)

    @api.model
    def _default_date_order(self):
        lang = self.env["res.lang"]._lang_get(self.env.user.lang or "en_US")
        return "mdy" if lang and lang.date_format.startswith("%m") else "dmy"

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_read_file(self):
        """Read the sheet's header and propose a target for each column."""
        self.ensure_one()
        self._check_manager()
        workbook = self._workbook()
        sheet = self.sheet_name or workbook.sheet_names[0]
        if sheet not in workbook.sheet_names:
            raise UserError(
                _(
                    "The file has no sheet %(sheet)s: choose one of %(sheets)s.",
                    sheet=sheet,
                    sheets=", ".join(workbook.sheet_names),
                )
            )
        header_number, headers, rows = self._split_header(workbook, sheet)
        saved = self.env["microneedling.import.mapping"]._saved(self.company_id, self.import_type)
        field = "history_target" if self.import_type == "history" else "medication_target"
        known = HISTORY_HEADERS if self.import_type == "history" else MEDICATION_HEADERS
        used, column_vals = set(), []
        for index, header in enumerate(headers):
            key = normalize(header)
            target = saved.get(key)
            if target is None:
                target = next((t for t, names in known.items() if key in names.split("|")), "")
            if target in used:
                target = ""
            used.add(target)
            samples = [self._text(row[index]) for _n, row in rows[:3] if index < len(row)]
            column_vals.append(
                {
                    "index": index,
                    "header": header,
                    "sample": ", ".join(s for s in samples if s)[:120],
                    field: target or False,
                }
            )
        self.write(
            {
                "sheet_name": sheet,
                "sheet_names": ", ".join(workbook.sheet_names),
                "header_row": header_number,
                "column_ids": [fields.Command.clear()]
                + [fields.Command.create(vals) for vals in column_vals],
                "state": "map",
            }
        )
        return self._reopen()

    def action_preview(self):
        """Count what the import would do and list the rows it refuses: nothing is written."""
        self.ensure_one()
        self._check_manager()
        result, _batches = self._run(dry_run=True)
        self.write(dict(result, state="preview"))
        return self._reopen()

    def action_import(self):
        """Write what the preview announced (read again from the file: same result)."""
        self.ensure_one()
        self._check_manager()
        self.env["microneedling.import.mapping"]._remember(
            self.company_id,
            self.import_type,
            {normalize(column.header): column._target() for column in self.column_ids},
        )
        if self.import_type == "history" and self.row_count > BACKGROUND_ROWS:
            # A long import runs in the background, a batch per step: the manager sees
            # its progress here, and a failure leaves the batches already written.
            self.write(
                dict.fromkeys(COUNT_FIELDS, 0)
                | {"state": "running", "progress": 0, "batch_done": 0}
            )
            self.env.ref("microneedling_treatment.ir_cron_import_history")._trigger()
            return self._reopen()
        result, _batches = self._run(dry_run=False)
        self.write(dict(result, state="done", progress=100))
        return self._reopen()

    def action_refresh(self):
        return self._reopen()

    @api.model
    def _cron_run_imports(self):
        """Import the next batch of clients of the oldest running import, as its manager."""
        wizard = self.sudo().search([("state", "=", "running")], order="id", limit=1)
        if not wizard:
            return
        user = wizard.create_uid
        wizard = wizard.with_user(user).with_context(lang=user.lang)
        try:
            result, batch_count = wizard._run(
                dry_run=False, batches=range(wizard.batch_done, wizard.batch_done + 1)
            )
        except (UserError, ValidationError) as error:
            # Nothing of the refused batch was written (savepoints): say why, stop there.
            wizard.write({"state": "preview", "error_text": str(error)})
            return
        done = wizard.batch_done + 1
        vals = {name: wizard[name] + result.get(name, 0) for name in COUNT_FIELDS}
        vals.update(
            {
                "batch_done": done,
                "progress": 100.0 * done / max(batch_count, 1),
                "state": "done" if done >= batch_count else "running",
            }
        )
        if done >= batch_count:
            vals.update({key: result[key] for key in ERROR_FIELDS})
        wizard.write(vals)
        self.env["ir.cron"]._notify_progress(done=done, remaining=max(batch_count - done, 0))

    def action_back(self):
        self.ensure_one()
        self.state = "map" if self.state == "preview" else "upload"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env["ir.model"]._get(self._name).name,
        }

    # ------------------------------------------------------------
    # READING
    # ------------------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group("microneedling_treatment.group_manager"):
            raise AccessError(_("Only a microneedling manager can import client data."))

    def _workbook(self):
        if not self.file:
            raise UserError(_("Upload a .xls, .xlsx or .csv file first."))
        try:
            return spreadsheet.open_workbook(base64.b64decode(self.file), self.filename)
        except spreadsheet.SpreadsheetError as error:
            raise UserError(
                _(
                    "%(file)s cannot be read as a .xls, .xlsx or .csv file (%(reason)s): "
                    "save it again from the spreadsheet in one of these formats.",
                    file=self.filename or _("The file"),
                    reason=str(error),
                )
            ) from error

    def _split_header(self, workbook, sheet):
        """(header row number, headers, [(row number, values)]) of a sheet.

        The header is the first non-empty row, after any title row (one value, often
        merged across the columns). Cells of a merged header carry its value: a repeated
        header is numbered ("Client (2)") so that each column stays mappable."""
        rows = list(workbook.rows(sheet))
        # A title row (one value, often merged across the columns) above the header.
        while len(rows) > 1 and self._distinct(rows[0][1]) == 1 < self._distinct(rows[1][1]):
            rows.pop(0)
        if not rows:
            raise UserError(
                _("The sheet %(sheet)s is empty: choose the sheet with the data.", sheet=sheet)
            )
        number, raw = rows[0]
        headers, seen = [], defaultdict(int)
        width = max(len(values) for _n, values in rows)
        for index in range(width):
            header = self._text(raw[index]) if index < len(raw) else ""
            header = header or _("Column %(number)s", number=index + 1)
            seen[header] += 1
            if seen[header] > 1:
                header = f"{header} ({seen[header]})"
            headers.append(header)
        return number, headers, rows[1:]

    def _rows(self):
        """(workbook, headers, [(row number, {target: value})]) for the mapped columns."""
        workbook = self._workbook()
        _number, headers, rows = self._split_header(workbook, self.sheet_name)
        targets = {column.index: column._target() for column in self.column_ids}
        mapped = []
        for number, values in rows:
            record = {}
            for index, value in enumerate(values):
                target = targets.get(index)
                if target and value is not None:
                    record[target] = value
            mapped.append((number, values, record))
        return workbook, headers, mapped

    @classmethod
    def _distinct(cls, values):
        return len({cls._text(value) for value in values if cls._text(value)})

    @staticmethod
    def _text(value):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.isoformat(sep=" ")
        return str(value).strip()

    # ------------------------------------------------------------
    # RUN
    # ------------------------------------------------------------

    def _run(self, dry_run, batches=None):
        """{field: value} of the counts and errors of a run (see _run_history for batches)."""
        missing = self._missing_targets()
        if missing:
            raise UserError(
                _(
                    "Choose the columns for %(fields)s: the import needs them.",
                    fields=", ".join(missing),
                )
            )
        workbook, headers, rows = self._rows()
        batch_count = 1
        if self.import_type == "history":
            counts, errors, batch_count = self._run_history(workbook, rows, dry_run, batches)
        else:
            counts, errors = self._run_medications(rows, dry_run)
        return (
            dict(counts, row_count=len(rows), **self._error_values(headers, rows, errors)),
            batch_count,
        )

    def _missing_targets(self):
        targets = {column._target() for column in self.column_ids}
        column = self.env["microneedling.import.column"]
        if self.import_type == "medication":
            labels = dict(column._fields["medication_target"]._description_selection(self.env))
            return [labels[t] for t in ("generic", "item") if t not in targets]
        labels = dict(column._fields["history_target"]._description_selection(self.env))
        missing = [labels["date"]] if "date" not in targets else []
        if not ({"name", "first_name", "last_name"} & targets):
            missing.append(labels["name"])
        if not ({"email", "mobile"} & targets):
            missing.append(
                _("%(email)s or %(mobile)s", email=labels["email"], mobile=labels["mobile"])
            )
        return missing

    def _error_values(self, headers, rows, errors):
        if not errors:
            return dict.fromkeys(ERROR_FIELDS, False) | {"error_count": 0}
        lines = [
            self.env._("Row %(row)s: %(reason)s", row=number, reason=reason)
            for number, reason in sorted(errors.items())
        ]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*headers, _("Row"), _("Reason")])
        for number, values, _record in rows:
            if number in errors:
                texts = [self._text(value) for value in values]
                texts += [""] * (len(headers) - len(texts))
                writer.writerow([*texts, number, errors[number]])
        stem = (self.filename or "import").rsplit(".", 1)[0]
        return {
            "error_count": len(errors),
            "error_text": "\n".join(lines),
            "error_file": base64.b64encode(buffer.getvalue().encode("utf-8-sig")),
            "error_filename": _("%(name)s - errors.csv", name=stem),
        }

    # ------------------------------------------------------------
    # MEDICATIONS
    # ------------------------------------------------------------

    def _run_medications(self, rows, dry_run):
        Medication = self.env["microneedling.medication"].with_context(active_test=False)
        items = (
            self.env["microneedling.contraindication"].with_context(active_test=False).search([])
        )
        errors, planned = {}, {}
        for number, _values, record in rows:
            try:
                name = self._text(record.get("generic"))
                if not normalize(name):
                    raise RowError(_("the generic name is empty"))
                item = self._medication_item(self._text(record.get("item")), items)
                brands = [
                    b.strip() for b in re.split(r"[,;/\n]+", self._text(record.get("brands")))
                ]
                entry = planned.setdefault(normalize(name), {"name": name, "brands": []})
                entry["item"] = item
                entry["brands"] += [b for b in brands if b]
            except RowError as error:
                errors[number] = str(error)
        existing = {
            m.normalized_name: m
            for m in Medication.search([("normalized_name", "in", list(planned))])
        }
        create_vals, updates = [], []
        for key, entry in planned.items():
            medication = existing.get(key)
            if not medication:
                create_vals.append(
                    {
                        "name": entry["name"],
                        "brand_names": ", ".join(dict.fromkeys(entry["brands"])) or False,
                        "contraindication_id": entry["item"].id,
                    }
                )
                continue
            known = [b.strip() for b in (medication.brand_names or "").split(",") if b.strip()]
            known_keys = {normalize(b) for b in known}
            added = [b for b in dict.fromkeys(entry["brands"]) if normalize(b) not in known_keys]
            vals = {}
            if added:
                vals["brand_names"] = ", ".join(known + added)
            if medication.contraindication_id != entry["item"]:
                vals["contraindication_id"] = entry["item"].id
            if not medication.active:
                vals["active"] = True
            if vals:
                updates.append((medication, vals))
        if not dry_run:
            Medication.create(create_vals)
            for medication, vals in updates:
                medication.write(vals)
        counts = {
            "new_medication_count": len(create_vals),
            "updated_medication_count": len(updates),
        }
        return counts, errors

    def _medication_item(self, text, items):
        key = normalize(text)
        if not key:
            raise RowError(
                _(
                    "the contraindication is empty: write photosensitizing, anticoagulant or "
                    "other"
                )
            )
        for item in items:
            if key in (normalize(item.code), normalize(item.name)):
                return item
        for word, code in MEDICATION_ITEM_WORDS:
            if word in key:
                return items.filtered(lambda i, code=code: i.code == code)[:1]
        raise RowError(
            _(
                "the contraindication %(value)r is unknown: write photosensitizing, "
                "anticoagulant or other",
                value=text,
            )
        )

    # ------------------------------------------------------------
    # HISTORY
    # ------------------------------------------------------------

    def _run_history(self, workbook, rows, dry_run, batches=None):
        """Plan the clients, courses and past sessions of the rows; write them unless dry_run.

        Clients are matched on email, then mobile (never on name alone); a course is one
        per client and service (its key in ir.model.data); a session is known when its
        course already has a session at the same start. Written per CLIENT_BATCH clients;
        `batches` (a range) limits the run to some of them: the background import runs
        one batch per call, in the file's order, which a new reading gives again.
        Returns (counts, {row number: reason}, number of batches)."""
        errors = {}
        parsed = []
        context = self._history_context()
        for number, _values, record in rows:
            try:
                parsed.append((number, self._parse_history_row(workbook, record, context)))
            except RowError as error:
                errors[number] = str(error)
        clients = self._group_clients(parsed, errors)
        counts = defaultdict(int)
        keys = list(clients)
        batch_count = -(-len(keys) // CLIENT_BATCH)
        for index in batches if batches is not None else range(batch_count):
            batch = {key: clients[key] for key in keys[index * CLIENT_BATCH :][:CLIENT_BATCH]}
            for name, value in self._import_batch(batch, dry_run, errors).items():
                counts[name] += value
            _logger.info(
                "microneedling history import: %s/%s clients %s",
                min((index + 1) * CLIENT_BATCH, len(keys)),
                len(keys),
                "checked" if dry_run else "imported",
            )
        return dict(counts), errors, batch_count

    def _import_batch(self, clients, dry_run, errors):
        """_import_clients for a batch; if the rules refuse it, client by client, so that
        a refused client's rows are reported and the others imported."""
        if dry_run:
            return self._import_clients(clients, dry_run)
        try:
            with self.env.cr.savepoint():
                return self._import_clients(self._copy_clients(clients), dry_run)
        except (UserError, ValidationError):
            _logger.info("microneedling history import: a batch was refused, client by client")
        counts = defaultdict(int)
        for key, client in clients.items():
            try:
                with self.env.cr.savepoint():
                    for name, value in self._import_clients(
                        self._copy_clients({key: client}), dry_run
                    ).items():
                        counts[name] += value
            except (UserError, ValidationError) as error:
                for number, _row in client["rows"]:
                    errors[number] = str(error)
        return counts

    @staticmethod
    def _copy_clients(clients):
        # _import_clients sets the new clients' ids: a rolled back attempt must not keep them.
        return {key: dict(client) for key, client in clients.items()}

    def _history_context(self):
        company = self.company_id
        tz_name = company.partner_id.tz or self.env.user.tz or "UTC"
        langs = {}
        for lang in self.env["res.lang"].search([]):
            # "fr_FR", "fr", "French / Français", "French", "Français", "English (US)"...
            names = [lang.code, lang.iso_code, lang.code.split("_")[0], lang.name]
            names += lang.name.split("/") + [lang.name.split("(")[0]]
            for name in names:
                if normalize(name):
                    langs.setdefault(normalize(name), lang.code)
        users = {}
        for user in self.env["res.users"].search([("share", "=", False)]):
            for name in (user.name, user.login, user.email):
                if name:
                    users.setdefault(normalize(name), user.id)
        return {
            "tz": pytz.timezone(tz_name),
            "now": fields.Datetime.now(),
            "langs": langs,
            "users": users,
        }

    def _parse_history_row(self, workbook, record, context):
        first = self._text(record.get("first_name"))
        last = self._text(record.get("last_name"))
        name = self._text(record.get("name")) or " ".join(p for p in (first, last) if p)
        if not name:
            raise RowError(_("the client's name is empty"))
        email_text = self._text(record.get("email"))
        email = email_normalize(email_text) if email_text else False
        if email_text and not email:
            raise RowError(_("the email %(value)r is not an email address", value=email_text))
        mobile_text = self._text(record.get("mobile"))
        mobile_key = False
        if mobile_text:
            digits = re.sub(r"\D", "", mobile_text)
            if re.search(r"[^\d\s+().\-/]", mobile_text) or len(digits) < 6:
                raise RowError(_("the mobile %(value)r is not a phone number", value=mobile_text))
            mobile_key = digits[-9:]
        if not (email or mobile_key):
            raise RowError(
                _(
                    "the client has no email and no mobile: one of them identifies the "
                    "client (a name alone could be someone else)"
                )
            )
        lang = False
        lang_text = self._text(record.get("lang"))
        if lang_text:
            lang = context["langs"].get(normalize(lang_text))
            if not lang:
                raise RowError(
                    _(
                        "the language %(value)r is not installed: install it in Settings or "
                        "leave the cell empty",
                        value=lang_text,
                    )
                )
        local = self._parse_datetime(workbook, record.get("date"), record.get("time"))
        try:
            start = context["tz"].localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        except (pytz.exceptions.AmbiguousTimeError, pytz.exceptions.NonExistentTimeError):
            start = context["tz"].localize(local, is_dst=False).astimezone(pytz.utc)
            start = start.replace(tzinfo=None)
        if start > context["now"]:
            raise RowError(
                _(
                    "the appointment on %(date)s is in the future: the import records past "
                    "sessions only; book it from the calendar once the client is screened",
                    date=local.strftime("%Y-%m-%d %H:%M"),
                )
            )
        service = self._text(record.get("service")) or DEFAULT_SERVICE
        staff = self._text(record.get("staff"))
        return {
            "name": name,
            "email": email,
            "mobile": mobile_text or False,
            "mobile_key": mobile_key,
            "lang": lang,
            "start": start,
            "service": service,
            "service_key": normalize(service) or normalize(DEFAULT_SERVICE),
            "user_id": context["users"].get(normalize(staff), False) if staff else False,
        }

    def _parse_datetime(self, workbook, value, time_value):
        """The local datetime of a date cell (and an optional time cell)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            raise RowError(_("the appointment date is empty"))
        parsed, has_time = None, False
        if isinstance(value, datetime):
            parsed, has_time = value, value.time() != time()
        elif isinstance(value, float):
            if not 1 <= value < 2958466:
                raise RowError(_("the date %(value)s is not a date", value=self._text(value)))
            parsed = workbook.serial_to_datetime(value)
            has_time = parsed.time() != time()
        else:
            parsed, has_time = self._parse_date_text(str(value).strip())
        if time_value is not None and self._text(time_value):
            parsed = datetime.combine(parsed.date(), self._parse_time(workbook, time_value))
        elif not has_time:
            parsed = datetime.combine(parsed.date(), DEFAULT_TIME)
        return parsed

    def _parse_date_text(self, text):
        match = ISO_DATE.match(text)
        try:
            if match:
                year, month, day, hour, minute, second = match.groups()
                return (
                    datetime(
                        int(year),
                        int(month),
                        int(day),
                        int(hour or 0),
                        int(minute or 0),
                        int(second or 0),
                    ),
                    hour is not None,
                )
            match = SLASH_DATE.match(text)
            if match:
                first, second_part, year, hour, minute, second, meridiem = match.groups()
                day, month = (
                    (first, second_part)
                    if self.date_order == "dmy"
                    else (
                        second_part,
                        first,
                    )
                )
                year = int(year) + (2000 if len(year) == 2 else 0)
                hour = self._hour(int(hour or 0), meridiem)
                return (
                    datetime(year, int(month), int(day), hour, int(minute or 0), int(second or 0)),
                    match.group(4) is not None,
                )
        except ValueError as error:
            order = dict(self._fields["date_order"]._description_selection(self.env))
            raise RowError(
                _(
                    "the date %(value)r is not a valid date written as %(order)s: check the "
                    "day/month order chosen for the file",
                    value=text,
                    order=order[self.date_order],
                )
            ) from error
        raise RowError(
            _(
                "the date %(value)r is not a date: write it as 31/12/2026, 12/31/2026 (as "
                "chosen for the file) or 2026-12-31",
                value=text,
            )
        )

    def _parse_time(self, workbook, value):
        if isinstance(value, datetime):
            return value.time().replace(microsecond=0)
        if isinstance(value, float) and 0 <= value < 1:
            return workbook.serial_to_datetime(value).time()
        match = not isinstance(value, float) and TIME_TEXT.match(str(value).strip())
        hour, minute, second, meridiem = match.groups() if match else (None,) * 4
        if match and int(minute) < 60 and int(second or 0) < 60:
            if int(hour) < (13 if meridiem else 24):
                return time(self._hour(int(hour), meridiem), int(minute), int(second or 0))
        raise RowError(
            _("the time %(value)r is not a time: write it as 14:30", value=self._text(value))
        )

    @staticmethod
    def _hour(hour, meridiem):
        """24-hour clock hour; a meridiem with an hour above 12 raises ValueError."""
        if not meridiem:
            return hour
        if hour > 12:
            raise ValueError(hour)
        pm = meridiem.lower().startswith("p")
        return (hour % 12) + (12 if pm else 0)

    def _group_clients(self, parsed, errors):
        """{client key: {"rows": [(number, row)], "partner_id", "email", "mobile"...}}.

        A row joins the client whose email, else mobile, it shares (in the file or in the
        database). A row whose email and mobile point to two different clients is refused."""
        emails = {row["email"] for _n, row in parsed if row["email"]}
        mobiles = {row["mobile_key"] for _n, row in parsed if row["mobile_key"]}
        by_email, by_mobile = self._existing_partners(emails, mobiles)
        clients, email_index, mobile_index = {}, {}, {}
        for number, row in parsed:
            email_key = row["email"] and ("email", row["email"])
            mobile_key = row["mobile_key"] and ("mobile", row["mobile_key"])
            by_email_key = email_index.get(email_key) if email_key else None
            by_mobile_key = mobile_index.get(mobile_key) if mobile_key else None
            key = by_email_key or by_mobile_key
            if by_email_key and by_mobile_key and by_email_key != by_mobile_key:
                errors[number] = _(
                    "the email %(email)s and the mobile %(mobile)s belong to two different "
                    "clients: correct one of them",
                    email=row["email"],
                    mobile=row["mobile"],
                )
                continue
            if not key:
                partner_ids = set()
                if row["email"]:
                    partner_ids |= by_email.get(row["email"], set())
                if not partner_ids and row["mobile_key"]:
                    partner_ids |= by_mobile.get(row["mobile_key"], set())
                if len(partner_ids) > 1:
                    errors[number] = _(
                        "several existing contacts share this email or mobile: merge them, "
                        "then import again"
                    )
                    continue
                partner_id = partner_ids.pop() if partner_ids else False
                key = ("partner", partner_id) if partner_id else email_key or mobile_key
                clients.setdefault(key, {"partner_id": partner_id, "rows": []})
            clients[key]["rows"].append((number, row))
            if email_key:
                email_index.setdefault(email_key, key)
            if mobile_key:
                mobile_index.setdefault(mobile_key, key)
        return clients

    def _existing_partners(self, emails, mobiles):
        """({email: {partner ids}}, {mobile key: {partner ids}}) of the clinic's contacts."""
        if not emails and not mobiles:
            return {}, {}
        Partner = self.env["res.partner"]
        Partner.flush_model(["email_normalized", "mobile", "phone", "active", "company_id"])
        self.env.cr.execute(
            r"""
            SELECT id, email_normalized,
                   right(regexp_replace(coalesce(mobile, ''), '\D', '', 'g'), 9),
                   right(regexp_replace(coalesce(phone, ''), '\D', '', 'g'), 9)
              FROM res_partner
             WHERE active AND (company_id IS NULL OR company_id = %s)
               AND (email_normalized = ANY(%s)
                    OR right(regexp_replace(coalesce(mobile, ''), '\D', '', 'g'), 9) = ANY(%s)
                    OR right(regexp_replace(coalesce(phone, ''), '\D', '', 'g'), 9) = ANY(%s))
            """,
            [self.company_id.id, list(emails), list(mobiles), list(mobiles)],
        )
        by_email, by_mobile = defaultdict(set), defaultdict(set)
        for partner_id, email, mobile, phone in self.env.cr.fetchall():
            if email in emails:
                by_email[email].add(partner_id)
            for number in (mobile, phone):
                if number in mobiles:
                    by_mobile[number].add(partner_id)
        return by_email, by_mobile

    def _import_clients(self, clients, dry_run):
        """Count, and unless dry_run write, one batch of clients with their courses."""
        # su: a manager (checked by the actions) records what another system holds, including
        # import keys in ir.model.data. No tracking, no creation messages, no followers'
        # notifications; the history flag lets the past done sessions in (see the session).
        env = self.env(su=True)
        env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
        env = env(context=dict(env.context, **trusted.flag(trusted.HISTORY)))
        Partner, Series = env["res.partner"], env["microneedling.series"]
        Session = env["microneedling.session"]
        counts = defaultdict(int)
        # Clients
        new_keys = [key for key, client in clients.items() if not client["partner_id"]]
        counts["new_client_count"] = len(new_keys)
        counts["matched_client_count"] = len(clients) - len(new_keys)
        if not dry_run:
            partners = Partner.create(
                [self._partner_values(clients[key]["rows"]) for key in new_keys]
            )
            for key, partner in zip(new_keys, partners, strict=True):
                clients[key]["partner_id"] = partner.id
            self._complete_partners(Partner, clients, new_keys)
        # Courses: one per client and service, found again through its import key
        series_rows = defaultdict(list)
        for key, client in clients.items():
            for number, row in client["rows"]:
                series_rows[key, row["service_key"]].append((number, row))
        xmlids = {
            (key, service): self._series_xmlid(clients[key]["partner_id"], service)
            for key, service in series_rows
        }
        data = env["ir.model.data"].search_fetch(
            [("module", "=", XMLID_MODULE), ("name", "in", [x for x in xmlids.values() if x])],
            ["name", "res_id"],
        )
        series_ids = {record.name: record.res_id for record in data}
        existing_series = Series.browse(list(series_ids.values())).exists()
        known_starts = defaultdict(set)
        for session in existing_series.session_ids:
            known_starts[session.series_id.id].add(session.start)
        plans = []
        for series_key, rows in series_rows.items():
            xmlid = xmlids[series_key]
            series_id = series_ids.get(xmlid) if xmlid else False
            if series_id and series_id not in existing_series.ids:
                series_id = False
            starts = {}
            for _number, row in sorted(rows, key=lambda item: item[1]["start"]):
                if row["start"] in known_starts.get(series_id, ()) or row["start"] in starts:
                    counts["known_session_count"] += 1
                    continue
                starts[row["start"]] = row
            plans.append((series_key, xmlid, series_id, starts))
            counts["new_session_count"] += len(starts)
            counts["new_series_count"] += 0 if series_id else 1
        if dry_run:
            return counts
        counts["interrupted_series_count"] = self._write_courses(
            env, clients, plans, Series, Session
        )
        return counts

    def _series_xmlid(self, partner_id, service_key):
        if not partner_id:
            return False
        digest = hashlib.sha1(service_key.encode()).hexdigest()[:12]
        return f"series_{self.company_id.id}_{partner_id}_{digest}"

    @staticmethod
    def _partner_values(rows):
        latest = max(rows, key=lambda item: item[1]["start"])[1]
        return {
            "name": latest["name"],
            "email": next((row["email"] for _n, row in rows if row["email"]), False),
            "mobile": next((row["mobile"] for _n, row in rows if row["mobile"]), False),
            "lang": next((row["lang"] for _n, row in rows if row["lang"]), False),
        }

    def _complete_partners(self, Partner, clients, new_keys):
        """Existing clients get the file's email and mobile where they have none: what the
        clinic already recorded (language included) is kept."""
        matched = [key for key in clients if key not in new_keys]
        partners = Partner.browse([clients[key]["partner_id"] for key in matched])
        partners.fetch(["email", "mobile"])
        for key, partner in zip(matched, partners, strict=True):
            values = self._partner_values(clients[key]["rows"])
            vals = {
                name: values[name]
                for name in ("email", "mobile")
                if values[name] and not partner[name]
            }
            if vals:
                partner.write(vals)

    def _write_courses(self, env, clients, plans, Series, Session):
        """Create the new courses (closed while their sessions are added), the sessions,
        then reopen the unfinished course each client may follow. Returns how many
        unfinished courses stay closed as interrupted."""
        now = fields.Datetime.now()
        # Like a booking: a concurrent booking for these clients waits, then sees the history.
        env["res.partner"].browse(
            sorted({client["partner_id"] for client in clients.values()})
        )._microneedling_lock()
        new_plans = [plan for plan in plans if not plan[2] and plan[3]]
        series_vals = []
        for (key, _service_key), _xmlid, _series_id, starts in new_plans:
            rows = list(starts.values())
            staff = next((r["user_id"] for r in reversed(rows) if r["user_id"]), False)
            service = rows[0]["service"]
            series_vals.append(
                {
                    "partner_id": clients[key]["partner_id"],
                    "company_id": self.company_id.id,
                    "kind": "course",
                    "planned_session_count": max(len(rows), MIN_COURSE_SESSIONS),
                    "user_id": staff,
                    "notes": _("Imported history: %(service)s", service=service),
                    # Closed until its past sessions are in: see the reopening below.
                    "cancel_date": now,
                }
            )
        new_series = Series.create(series_vals)
        env["ir.model.data"].create(
            [
                {
                    "module": XMLID_MODULE,
                    "name": self._series_xmlid(series.partner_id.id, service_key),
                    "model": Series._name,
                    "res_id": series.id,
                    "noupdate": True,
                }
                for ((_key, service_key), _x, _s, _st), series in zip(
                    new_plans, new_series, strict=True
                )
            ]
        )
        series_by_plan = dict(zip([id(p) for p in new_plans], new_series.ids, strict=True))
        session_vals = []
        # One read for the courses already there that get sessions (not one per course).
        Series.browse([plan[2] for plan in plans if plan[2] and plan[3]]).fetch(
            ["session_count", "planned_session_count"]
        )
        for plan in plans:
            series_id = plan[2] or series_by_plan.get(id(plan))
            if not series_id or not plan[3]:
                continue
            series = Series.browse(series_id)
            total = series.session_count + len(plan[3]) if plan[2] else len(plan[3])
            if plan[2] and total > series.planned_session_count:
                series.planned_session_count = total
            for start, row in plan[3].items():
                vals = {
                    "series_id": series_id,
                    "start": start,
                    "state": "done",
                    "date_done": start,
                }
                if row["user_id"]:
                    vals["user_id"] = row["user_id"]
                session_vals.append(vals)
        Session.create(session_vals)
        # Reopen the new courses that are complete, and per client the latest unfinished
        # one when the client follows no other open course.
        open_partners = set(
            Series.search(
                [
                    ("partner_id", "in", new_series.partner_id.ids),
                    ("kind", "=", "course"),
                    ("state", "in", OPEN_STATES),
                ]
            ).partner_id.ids
        )
        reopen, interrupted = Series, 0
        for series in new_series.sorted(lambda s: s.last_done_date or now, reverse=True):
            unfinished = series.session_done_count < series.planned_session_count
            if unfinished and series.partner_id.id in open_partners:
                interrupted += 1
                continue
            if unfinished:
                open_partners.add(series.partner_id.id)
            reopen |= series
        reopen.write({"cancel_date": False})
        return interrupted
