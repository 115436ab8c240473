import base64
import binascii
import hashlib
import secrets
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac as hmac_sign

from .client_format import client_lang, client_tz, format_client_datetime, to_local

TOKEN_SCOPE = "microneedling.screening.link"
TOKEN_LENGTH = 64  # hex SHA-256 HMAC: 256 bits
# Reception cannot flood a client with the same link.
SEND_COOLDOWN = timedelta(minutes=10)
REMINDER_BEFORE = timedelta(days=1)
# What the public form may carry besides one answer and one date per catalog item.
FORM_FIELDS = {"medications", "consent", "full_name", "signature"}
MAX_MEDICATIONS = 2000
MAX_NAME = 120
MAX_SIGNATURE = 300_000  # characters of the data URL: a drawn signature is ~10-40 kB
EARLIEST_DATE = datetime(1900, 1, 1)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class MicroneedlingScreeningLink(models.Model):
    """A client's personal link to fill in the screening before one visit.

    The link itself never sits in the database: a random salt and the hash of the
    token do; the token is an HMAC of the salt under the database secret, so the
    server can put it in the first message and in the reminder, and nobody who
    reads the table can rebuild it.
    """

    _name = "microneedling.screening.link"
    _description = "Microneedling Screening Link"
    _order = "id desc"
    _rec_name = "session_id"

    session_id = fields.Many2one(
        comodel_name="microneedling.session",
        string="Visit",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    token_salt = fields.Char(readonly=True, copy=False, groups="base.group_system")
    token_hash = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    expiry_date = fields.Datetime(
        string="Valid Until",
        compute="_compute_expiry_date",
        store=True,
        help="The link stops working the day after the visit, in the client's time zone.",
    )
    state = fields.Selection(
        selection=[
            ("pending", "Not Sent"),
            ("sent", "Sent"),
            ("done", "Done"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    sent_date = fields.Datetime(string="First Sent On", readonly=True)
    last_sent_date = fields.Datetime(string="Last Sent On", readonly=True)
    reminder_date = fields.Datetime(string="Reminder Sent On", readonly=True)
    done_date = fields.Datetime(string="Completed On", readonly=True)
    send_count = fields.Integer(readonly=True)
    intake_id = fields.Many2one(
        comodel_name="microneedling.intake",
        string="Screening",
        readonly=True,
        ondelete="set null",
        help="The screening the client submitted or confirmed through this link.",
    )
    access_ids = fields.One2many(
        comodel_name="microneedling.screening.link.access",
        inverse_name="link_id",
        string="Accesses",
        readonly=True,
    )

    _sql_constraints = [
        ("session_unique", "UNIQUE(session_id)", "A visit has one screening link."),
    ]

    @api.depends("session_id.start", "partner_id.tz")
    def _compute_expiry_date(self):
        for link in self:
            start = link.session_id.start
            if not start:
                link.expiry_date = False
                continue
            tz = client_tz(link.partner_id, link.company_id)
            next_day = to_local(start, link.partner_id, link.company_id).date() + timedelta(days=1)
            midnight = tz.localize(datetime.combine(next_day, time.min))
            link.expiry_date = midnight.astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals, token_salt=secrets.token_hex(32)) for vals in vals_list]
        links = super().create(vals_list)
        for link in links.sudo():
            link.token_hash = hash_token(link._get_token())
        return links

    # ------------------------------------------------------------
    # BUSINESS: sending
    # ------------------------------------------------------------

    @api.model
    def _cron_send_due(self):
        """Send the first messages and the day-before reminders that are due."""
        companies = (
            self.env["res.company"].sudo().search([("microneedling_online_screening", "=", True)])
        )
        if not companies:
            return
        now = fields.Datetime.now()
        horizon = max(companies.mapped("microneedling_screening_days_before"))
        sessions = (
            self.env["microneedling.session"]
            .sudo()
            .search(
                [
                    ("state", "=", "booked"),
                    ("company_id", "in", companies.ids),
                    ("start", ">", now),
                    ("start", "<=", now + timedelta(days=horizon)),
                ]
            )
        )
        self._send_due(sessions)

    @api.model
    def _send_due(self, sessions):
        """For sessions whose client must fill in or confirm the screening: the link
        N days before (or at once when booked later than that), one reminder the day
        before while it is not done, nothing once it is done."""
        now = fields.Datetime.now()
        sessions = sessions.sudo().filtered(
            lambda s: s.state == "booked"
            and s.start
            and s.start > now
            and s.company_id.microneedling_online_screening
            and s.start <= now + timedelta(days=s.company_id.microneedling_screening_days_before)
            and s._microneedling_reachable()
        )
        if not sessions:
            return
        needs = sessions._microneedling_screening_need()
        by_session = {link.session_id: link for link in self.sudo()._for_sessions(sessions)}
        first, reminders, to_create = self.sudo().browse(), self.sudo().browse(), []
        for session in sessions:
            if not needs.get(session):
                continue
            link = by_session.get(session)
            if not link:
                to_create.append(session)
            elif link.state == "pending":
                first |= link
            elif (
                link.state == "sent"
                and not link.reminder_date
                and now >= session.start - REMINDER_BEFORE
                and link.last_sent_date < session.start - REMINDER_BEFORE
            ):
                reminders |= link
        first |= self._create_for_sessions(to_create)
        first._send("first")
        reminders._send("reminder")

    @api.model
    def _for_sessions(self, sessions):
        return self.sudo().search([("session_id", "in", sessions.ids)])

    @api.model
    def _create_for_sessions(self, sessions):
        return (
            self.sudo()
            .create(
                [
                    {
                        "session_id": session.id,
                        "partner_id": session.partner_id.id,
                        "company_id": session.company_id.id,
                    }
                    for session in sessions
                ]
            )
            .sudo()
        )

    def _send(self, kind):
        """Email (and SMS when enabled and the client has a mobile) the link.

        Sent as mail.mail / sms.sms only, authored by the clinic: nothing lands in a
        chatter a receptionist reads, and the queued mail is deleted once sent.
        """
        if not self:
            return
        xmlid = "reminder" if kind == "reminder" else "link"
        template = self.env.ref(f"microneedling_treatment.mail_template_screening_{xmlid}").sudo()
        sms_template = self.env.ref(f"microneedling_treatment.sms_template_screening_{xmlid}")
        now = fields.Datetime.now()
        for link in self.sudo():
            partner, company = link.partner_id, link.company_id
            if partner.email:
                template.send_mail(
                    link.id,
                    email_values={"author_id": company.partner_id.id},
                )
            if company.microneedling_sms_enabled and partner.mobile:
                body = sms_template.sudo()._render_field("body", link.ids, compute_lang=True)[
                    link.id
                ]
                self.env["sms.sms"].sudo().create(
                    {"partner_id": partner.id, "number": partner.mobile, "body": body}
                )
            vals = {"state": "sent", "last_sent_date": now, "send_count": link.send_count + 1}
            if kind == "reminder":
                vals["reminder_date"] = now
            elif not link.sent_date:
                vals["sent_date"] = now
            link.write(vals)

    def _check_resend(self):
        """A receptionist's send: the visit is coming, not done, not sent a moment ago."""
        now = fields.Datetime.now()
        for link in self.sudo():
            if link.state == "done":
                raise UserError(
                    _(
                        "%(client)s already filled in the screening for %(visit)s: there is "
                        "nothing to send.",
                        client=link.partner_id.display_name,
                        visit=link.session_id.display_name,
                    )
                )
            if link.last_sent_date and now < link.last_sent_date + SEND_COOLDOWN:
                minutes = int((link.last_sent_date + SEND_COOLDOWN - now).total_seconds() // 60) + 1
                raise UserError(
                    _(
                        "The screening link was sent to %(client)s a moment ago: try again in "
                        "%(minutes)s minutes if it did not arrive.",
                        client=link.partner_id.display_name,
                        minutes=minutes,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS: the public page
    # ------------------------------------------------------------

    @api.model
    def _get_by_token(self, token):
        """The link a token opens, or nothing when invalid, expired, already used, not
        sent or for a visit that no longer stands: the caller cannot tell which."""
        if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
            return self.browse()
        # sudo: a public visitor holds no right on links; the token is the right.
        link = self.sudo().search([("token_hash", "=", hash_token(token))], limit=1)
        if not link or not consteq(link._get_token(), token):
            return self.browse()
        if (
            link.state != "sent"
            or not link.expiry_date
            or link.expiry_date <= fields.Datetime.now()
            or link.session_id.state not in ("planned", "booked")
        ):
            return self.browse()
        return link

    def _get_token(self):
        self.ensure_one()
        return hmac_sign(self.env(su=True), TOKEN_SCOPE, (self.id, self.sudo().token_salt))

    def _get_screening_url(self):
        """The link to put in a message to the client (never stored, never logged)."""
        self.ensure_one()
        return f"{self.get_base_url()}/microneedling/screening/{self._get_token()}"

    def _client_lang(self):
        self.ensure_one()
        return client_lang(self.partner_id, self.company_id)

    def _client_visit_label(self):
        self.ensure_one()
        return format_client_datetime(self.session_id.start, self.partner_id, self.company_id)

    def _client_first_name(self):
        self.ensure_one()
        return (self.partner_id.name or "").split(" ")[0]

    def _client_items(self):
        """The active catalog items the client answers, in the client's language."""
        self.ensure_one()
        Item = (
            self.env["microneedling.contraindication"]
            .sudo()
            .with_context(lang=self._client_lang(), active_test=True)
        )
        domain = []
        if "company_id" in Item._fields:
            domain = [("company_id", "in", [False, self.company_id.id])]
        return Item.search(domain)

    def _client_current_screening(self):
        """The current screening the client may confirm unchanged: submitted within the
        company's validity. Its answers are never shown on the page."""
        self.ensure_one()
        Intake = self.env["microneedling.intake"].sudo()
        current = Intake._current_for_partners(self.partner_id, self.company_id).get(
            (self.partner_id.id, self.company_id.id), Intake
        )
        months = self.company_id.microneedling_screening_max_age_months
        if current and current.submitted_date >= fields.Datetime.now() - relativedelta(
            months=months
        ):
            return current
        return Intake

    def _client_parse_form(self, form):
        """Check every value of the public form, server side.

        Returns (values, errors): values ready for _client_submit when errors is
        empty; errors in the client's language otherwise. Only the form's own
        fields are accepted, answers only for the catalog items of the visit's
        company, dates only between 1900 and now.
        """
        self.ensure_one()
        link = self.with_context(lang=self._client_lang())
        items = link._client_items()
        allowed = FORM_FIELDS | {
            f"{prefix}_{item.id}" for item in items for prefix in ("answer", "when")
        }
        if set(form) - allowed:
            return {}, [
                link.env._("This form does not match the questions: please reload the page.")
            ]
        errors, answers = [], {}
        for item in items:
            answer = form.get(f"answer_{item.id}")
            if answer not in ("yes", "no"):
                errors.append(
                    link.env._("Please answer yes or no: %(question)s", question=item.question)
                )
                continue
            last = False
            raw = form.get(f"when_{item.id}") or ""
            if item.kind == "window" and answer == "yes":
                last, error = link._client_parse_when(raw, item)
                if error:
                    errors.append(error)
                    continue
            answers[item.id] = {"answer": answer, "last_occurrence": last}
        medications = (form.get("medications") or "").strip()
        if len(medications) > MAX_MEDICATIONS:
            errors.append(
                link.env._(
                    "The medication list is too long: keep it under %(max)s characters.",
                    max=MAX_MEDICATIONS,
                )
            )
        full_name = " ".join((form.get("full_name") or "").split())
        if not full_name or len(full_name) > MAX_NAME:
            errors.append(
                link.env._(
                    "Type your full name (at most %(max)s characters) to sign.", max=MAX_NAME
                )
            )
        if form.get("consent") != "1":
            errors.append(link.env._("Tick the consent box to submit your answers."))
        signature, error = link._client_parse_signature(form.get("signature") or "")
        if error:
            errors.append(error)
        values = {
            "answers": answers,
            "medications": medications,
            "full_name": full_name,
            "signature": signature,
        }
        return values, errors

    def _client_parse_when(self, raw, item):
        """(naive UTC datetime, error) from a date or date-time typed by the client."""
        raw = raw.strip()
        question = item.question
        try:
            if "T" in raw:
                local = datetime.strptime(raw, "%Y-%m-%dT%H:%M")
                date_only = False
            else:
                local = datetime.strptime(raw, "%Y-%m-%d")
                date_only = True
        except ValueError:
            return False, self.env._(
                "Please give the date of the last time: %(question)s", question=question
            )
        tz = client_tz(self.partner_id, self.company_id)
        now = fields.Datetime.now()
        local_now = to_local(now, self.partner_id, self.company_id).replace(tzinfo=None)
        if local < EARLIEST_DATE or (
            local.date() > local_now.date() if date_only else local > local_now
        ):
            return False, self.env._(
                "The date you gave is not possible (in the future, or before 1900): "
                "%(question)s",
                question=question,
            )
        if date_only:
            # A day without a time counts from its end: the waiting time is never shorter
            # than the client's real one.
            local = datetime.combine(local.date(), time(23, 59))
        value = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        return min(value, now), False

    def _client_parse_signature(self, raw):
        """(PNG bytes as base64, error) from the drawn signature's data URL, if any."""
        if not raw:
            return False, False
        prefix = "data:image/png;base64,"
        error = self.env._("The drawn signature could not be read: clear it and sign again.")
        if len(raw) > MAX_SIGNATURE or not raw.startswith(prefix):
            return False, error
        data = raw[len(prefix) :]
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return False, error
        if not content.startswith(PNG_MAGIC):
            return False, error
        return data, False

    def _client_submit(self, values):
        """Create and submit the client's screening through the trusted path, all or
        nothing. Returns True when its answers block the booked visit."""
        self.ensure_one()
        link = self.sudo()
        now = fields.Datetime.now()
        with self.env.cr.savepoint():
            intake = (
                self.env["microneedling.intake"]
                .sudo()
                .with_company(link.company_id)
                .create(
                    {
                        "partner_id": link.partner_id.id,
                        "company_id": link.company_id.id,
                        "screening_date": now,
                        "consent_given": True,
                        "client_declared": True,
                        "client_signed_name": values["full_name"],
                        "client_signature": values["signature"],
                        "client_medications": values["medications"] or False,
                    }
                )
            )
            groups = {}
            for line in intake.answer_ids:
                answer = values["answers"].get(line.contraindication_id.id)
                if answer:
                    key = (answer["answer"], answer["last_occurrence"])
                    groups[key] = groups.get(key, line.browse()) | line
            for (answer, last), lines in groups.items():
                lines.write({"answer": answer, "last_occurrence": last})
            if values["medications"]:
                # After the client's answers: a listed medication of the clinic's catalog
                # marks its item "yes" for the practitioner's review, whatever was ticked.
                intake.write({"medications": values["medications"]})
            intake.action_submit()
            link.write({"state": "done", "done_date": now, "intake_id": intake.id})
            return link._client_after_done()

    def _client_confirm_unchanged(self):
        """Record, dated now, that the client's current screening still holds."""
        self.ensure_one()
        link = self.sudo()
        intake = link._client_current_screening()
        if not intake:
            raise UserError(_("There is no recent screening to confirm: fill in the form."))
        with self.env.cr.savepoint():
            intake.action_confirm_unchanged()
            link.write(
                {"state": "done", "done_date": fields.Datetime.now(), "intake_id": intake.id}
            )
            return link._client_after_done()

    def _client_after_done(self):
        """When the answers block the visit: an activity asks the clinic to call the
        client (it says why to practitioners only, on the screening). Returns blocked."""
        self.ensure_one()
        Intake = self.env["microneedling.intake"].sudo()
        current = Intake._current_for_partners(self.partner_id, self.company_id).get(
            (self.partner_id.id, self.company_id.id), Intake
        )
        reasons = current._block_reasons(self.session_id.start)
        if not reasons:
            return False
        session = self.session_id.sudo()
        session.activity_schedule(
            "mail.mail_activity_data_call",
            summary=_("Call the client about their online screening"),
            note=_(
                "The client's online screening does not allow this session as booked. "
                "Call them; a practitioner sees why on the screening."
            ),
            user_id=session.series_id._reception_user().id,
        )
        return True

    def _record_access(self, event, ip, user_agent, user):
        """One access line: who (a signed-in user, if any), when, from where, what."""
        self.ensure_one()
        self.env["microneedling.screening.link.access"].sudo().create(
            {
                "link_id": self.id,
                "event": event,
                "ip": (ip or "")[:64],
                "user_agent": (user_agent or "")[:256],
                "user_id": user.id if user and not user._is_public() else False,
            }
        )

    def _client_today(self):
        """Today in the client's time zone, for the date inputs' upper bound."""
        self.ensure_one()
        return to_local(fields.Datetime.now(), self.partner_id, self.company_id).date().isoformat()

    def _client_now_local(self):
        self.ensure_one()
        local = to_local(fields.Datetime.now(), self.partner_id, self.company_id)
        return local.strftime("%Y-%m-%dT%H:%M")
