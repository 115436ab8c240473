from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_datetime

from .. import tools
from . import trusted

CLEARANCE_STATES = [
    ("cleared", "Cleared"),
    ("blocked", "Blocked"),
    ("review", "Needs Practitioner Review"),
    ("no_screening", "No Screening"),
]

# Set by the screening's own actions only: never by a form, an import or RPC.
ACTION_FIELDS = {
    "state",
    "submitted_date",
    "confirmed_date",
    "consent_date",
    "reviewer_id",
    "review_date",
}
# What may still change on a screening that is no longer a draft.
LATE_FIELDS = {"notes", "message_follower_ids", "activity_ids"}


class MicroneedlingIntake(models.Model):
    _name = "microneedling.intake"
    _description = "Microneedling Screening"
    _inherit = ["microneedling.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "screening_date desc, id desc"
    _input_checked_by_model = True
    _rec_name = "partner_id"

    # Client and screening
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="restrict",
    )
    screening_date = fields.Datetime(
        required=True, default=fields.Datetime.now, tracking=True, index=True
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("superseded", "Replaced"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        help="Submitted: the client's current screening, the one the booking rules read.\n"
        "Replaced: a newer screening of the client was submitted.\n"
        "Cancelled: withdrawn; the client needs a new screening (an older one never "
        "comes back into force by itself).",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    answer_ids = fields.One2many(
        comodel_name="microneedling.intake.answer",
        inverse_name="intake_id",
        string="Answers",
        copy=True,
    )
    # Consent and confirmation
    consent_given = fields.Boolean(
        string="Client Consent",
        tracking=True,
        help="The client consents to the treatment and to the processing of these health answers.",
    )
    consent_date = fields.Datetime(
        readonly=True,
        copy=False,
        tracking=True,
        help="Set by the server when the consent is recorded.",
    )
    submitted_date = fields.Datetime(
        string="Submitted On",
        readonly=True,
        copy=False,
        index=True,
        help="When the screening was submitted: the latest submitted one is the current one.",
    )
    confirmed_date = fields.Datetime(
        string="Answers Confirmed On",
        readonly=True,
        copy=False,
        tracking=True,
        help="Last time the client confirmed these answers are still true.",
    )
    # Practitioner review
    reviewer_id = fields.Many2one(
        comodel_name="res.users",
        string="Reviewed By",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    review_date = fields.Datetime(readonly=True, copy=False)
    notes = fields.Html()
    present_count = fields.Integer(compute="_compute_present_count")
    # What the booking rules read: one query for a whole batch of screenings.
    present_answer_ids = fields.Many2many(
        comodel_name="microneedling.intake.answer", compute="_compute_present_answer_ids"
    )

    @api.depends("answer_ids.present")
    def _compute_present_count(self):
        for intake in self:
            intake.present_count = len(intake.answer_ids.filtered("present"))

    @api.depends("answer_ids.present")
    def _compute_present_answer_ids(self):
        answers = self.env["microneedling.intake.answer"].search_fetch(
            [("intake_id", "in", self.ids), ("present", "=", True)],
            ["intake_id", "contraindication_id", "present", "cleared", "last_occurrence"],
        )
        by_intake = answers.grouped("intake_id")
        for intake in self:
            intake.present_answer_ids = by_intake.get(intake, answers.browse())

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        if "answer_ids" in fields_list and not result.get("answer_ids"):
            result["answer_ids"] = [
                fields.Command.create({"contraindication_id": item.id})
                for item in self.env["microneedling.contraindication"].search([])
            ]
        return result

    @api.onchange("consent_given")
    def _onchange_consent_given(self):
        """Show the consent's date as soon as it is ticked. The form does not send it
        (a read-only field): the server dates the consent itself when it is saved."""
        for intake in self:
            intake.consent_date = fields.Datetime.now() if intake.consent_given else False

    @api.constrains("screening_date", "consent_date", "confirmed_date", "submitted_date")
    def _check_dates_not_future(self):
        now = fields.Datetime.now()
        for intake in self:
            future = [
                intake._fields[name]._description_string(self.env)
                for name in ("screening_date", "consent_date", "confirmed_date", "submitted_date")
                if intake[name] and intake[name] > now
            ]
            if future:
                raise ValidationError(
                    _(
                        "The screening of %(client)s has %(fields)s in the future: a screening "
                        "records what already happened; enter today's date or an earlier one.",
                        client=intake.partner_id.display_name,
                        fields=", ".join(future),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list, "create")
        if not self._is_trusted():
            trusted.check_derived_values(self, vals_list)
            forced = ACTION_FIELDS & {key for vals in vals_list for key in vals}
            if forced - {"state"} or any(
                vals.get("state", "draft") != "draft" for vals in vals_list
            ):
                raise AccessError(
                    _(
                        "A screening starts as a draft: its status, submission, consent date, "
                        "confirmation and review are set by its buttons only."
                    )
                )
        vals_list = [self._prepare_consent_values(vals) for vals in vals_list]
        intakes = super().create(vals_list)
        intakes._sync_answer_lines()
        return intakes

    def write(self, vals):
        if self:
            self._check_input_values([vals], "write")
        if not self._is_trusted():
            trusted.check_derived_values(self, [vals])
            if ACTION_FIELDS & set(vals):
                raise AccessError(
                    _(
                        "A screening's status, submission, consent date, confirmation and "
                        "review are set by its buttons only."
                    )
                )
            if set(vals) - LATE_FIELDS and any(intake.state != "draft" for intake in self):
                raise UserError(
                    _(
                        "A submitted screening can no longer change: screen the client again, "
                        "or confirm the answers unchanged."
                    )
                )
        return super().write(self._prepare_consent_values(vals))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(intake.state in ("submitted", "superseded") for intake in self):
            raise UserError(
                _("A submitted screening is part of the client's record: cancel it instead.")
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_submit(self):
        """Validate the answers and make this the client's current screening."""
        self._check_practitioner()
        if any(intake.state != "draft" for intake in self):
            raise UserError(_("Only a draft screening can be submitted."))
        self._sync_answer_lines()
        self._check_submittable()
        self.partner_id._microneedling_lock()
        now = fields.Datetime.now()
        self._supersede_others()
        self._trusted().write({"state": "submitted", "submitted_date": now, "confirmed_date": now})
        return True

    def action_confirm_unchanged(self):
        """The client confirms, today, that the answers still hold.

        On the current screening this renews the confirmation. A replaced screening
        comes back into force this way only when the client has no current one
        (the newer one was cancelled): a practitioner's explicit decision.
        """
        self._check_practitioner()
        self.partner_id._microneedling_lock()
        now = fields.Datetime.now()
        for intake in self:
            if intake.state == "submitted":
                intake._trusted().write({"confirmed_date": now})
            elif intake.state == "superseded" and not intake._current_others():
                intake._trusted().write(
                    {"state": "submitted", "submitted_date": now, "confirmed_date": now}
                )
            else:
                raise UserError(
                    _(
                        "Only the client's current screening, or a replaced one when the "
                        "client has no current screening, can be confirmed as unchanged: "
                        "%(client)s's screening of %(date)s is %(state)s.",
                        client=intake.partner_id.display_name,
                        date=format_datetime(self.env, intake.screening_date),
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            intake.state
                        ],
                    )
                )
            # Logged: a note to nobody needs no sender's email address.
            intake._message_log(body=_("The client confirmed the answers are unchanged."))
        return True

    def action_mark_reviewed(self):
        self._check_practitioner()
        if any(intake.state != "submitted" for intake in self):
            raise UserError(_("Only a submitted screening can be marked reviewed."))
        self._trusted().write({"reviewer_id": self.env.uid, "review_date": fields.Datetime.now()})
        return True

    def action_cancel(self):
        """Withdraw screenings. A cancelled current screening leaves the client
        without one: no older screening silently comes back into force."""
        self._check_practitioner()
        self.partner_id._microneedling_lock()
        self._trusted().write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        """A cancelled screening can be corrected and submitted again (the documented
        workflow); a submitted one cannot: screen the client again instead."""
        self._check_practitioner()
        if any(intake.state != "cancelled" for intake in self):
            raise UserError(
                _(
                    "Only a cancelled screening goes back to draft: screen the client again, "
                    "or confirm the answers unchanged."
                )
            )
        self._trusted().write({"state": "draft", "submitted_date": False, "confirmed_date": False})
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _trusted(self):
        return self.with_context(**trusted.flag(trusted.TRUSTED))

    def _is_trusted(self):
        return self.env.su or trusted.is_raised(self.env, trusted.TRUSTED)

    def _check_practitioner(self):
        if not (
            self._is_trusted()
            or self.env.user.has_group("microneedling_treatment.group_practitioner")
        ):
            raise AccessError(_("Only a practitioner can submit, confirm or withdraw a screening."))

    @api.model
    def _prepare_consent_values(self, vals):
        """The consent is dated by the server when it is recorded, cleared with it."""
        if "consent_given" in vals and not (self._is_trusted() and vals.get("consent_date")):
            vals = dict(
                vals, consent_date=fields.Datetime.now() if vals["consent_given"] else False
            )
        return vals

    def _current_others(self):
        """The other submitted screenings of the same clients in the same companies."""
        return (
            self.sudo()
            .search(
                [
                    ("id", "not in", self.ids),
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "=", "submitted"),
                ]
            )
            .filtered(
                lambda other: any(
                    other.partner_id == intake.partner_id and other.company_id == intake.company_id
                    for intake in self
                )
            )
        )

    def _supersede_others(self):
        self._current_others()._trusted().write({"state": "superseded"})

    def _sync_answer_lines(self):
        """Give each draft intake one answer line per active catalog item."""
        catalog = self.env["microneedling.contraindication"].search([])
        vals_list = []
        for intake in self.filtered(lambda i: i.state == "draft"):
            missing = catalog - intake.answer_ids.contraindication_id
            vals_list += [{"intake_id": intake.id, "contraindication_id": c.id} for c in missing]
        if vals_list:
            self.env["microneedling.intake.answer"].create(vals_list)

    def _check_submittable(self):
        problems = []
        for intake in self:
            if not intake.consent_given or not intake.consent_date:
                problems.append(
                    _(
                        "%(client)s: record the client's consent and its date before submitting.",
                        client=intake.partner_id.display_name,
                    )
                )
            unanswered = intake.answer_ids.filtered(lambda a: not a.answer)
            if unanswered:
                problems.append(
                    _(
                        "%(client)s: answer every question with yes or no; unanswered: "
                        "%(items)s.",
                        client=intake.partner_id.display_name,
                        items=", ".join(unanswered.contraindication_id.mapped("name")),
                    )
                )
            undated = intake.answer_ids.filtered(
                lambda a: a.present and a.kind == "window" and not a.last_occurrence
            )
            if undated:
                problems.append(
                    _(
                        "%(client)s: give the date of the last occurrence for %(items)s.",
                        client=intake.partner_id.display_name,
                        items=", ".join(undated.contraindication_id.mapped("name")),
                    )
                )
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model
    def _create_submitted(self, partner, answers, when):
        """A consented, submitted screening of partner at `when`.

        answers maps a contraindication code to True (present) or to the datetime
        of its last occurrence; codes left out are answered "not present".
        """
        intake = self._trusted().create(
            {
                "partner_id": partner.id,
                "screening_date": when,
                "consent_given": True,
                "consent_date": when,
            }
        )
        for line in intake.answer_ids:
            value = answers.get(line.contraindication_id.code)
            vals = {"answer": "yes" if value else "no"}
            if isinstance(value, datetime):
                vals["last_occurrence"] = value
            line.write(vals)
        # Back to the caller's environment: the trusted flag stays inside this method.
        intake = intake.with_env(self.env)
        intake.action_submit()
        return intake

    @api.model
    def _current_for_partners(self, partners, companies):
        """Current (latest submitted) screening of each client in each company, in one query.

        Ordered by submission, never by a typed date. A screening belongs to the
        company that took it (its record rules keep it there), so another company
        must screen the client itself. The rules read the answers whoever asks
        (sudo): callers only ever hand out what they derive from them.
        Returns {(partner id, company id): intake}, intakes sharing one prefetch.
        """
        if not partners or not companies:
            return {}
        self.flush_model(["partner_id", "company_id", "state", "submitted_date"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (partner_id, company_id) partner_id, company_id, id
              FROM microneedling_intake
             WHERE partner_id IN %s AND company_id IN %s AND state = 'submitted'
          ORDER BY partner_id, company_id, submitted_date DESC NULLS LAST, id DESC
            """,
            [tuple(partners.ids), tuple(companies.ids)],
        )
        rows = self.env.cr.fetchall()
        intakes = self.sudo().browse([intake_id for _partner, _company, intake_id in rows])
        by_id = {intake.id: intake for intake in intakes}
        return {
            (partner_id, company_id): by_id[intake_id] for partner_id, company_id, intake_id in rows
        }

    @api.model
    def _clearance_by_partner(self, company, at):
        """{partner id: clearance state at `at`} of every client with a current
        screening in `company`, for searching clients by clearance.

        The same current screening as _current_for_partners (latest submitted), the
        same rules as _clearance: a screening without any "yes" answer clears its
        client, so only the others are evaluated one by one.
        """
        self.flush_model(["partner_id", "company_id", "state", "submitted_date"])
        self.env["microneedling.intake.answer"].flush_model(["intake_id", "present"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (intake.partner_id) intake.partner_id, intake.id,
                   EXISTS(SELECT 1 FROM microneedling_intake_answer answer
                           WHERE answer.intake_id = intake.id AND answer.present)
              FROM microneedling_intake intake
             WHERE intake.company_id = %s AND intake.state = 'submitted'
          ORDER BY intake.partner_id, intake.submitted_date DESC NULLS LAST, intake.id DESC
            """,
            [company.id],
        )
        rows = self.env.cr.fetchall()
        states = {partner_id: "cleared" for partner_id, _intake_id, _present in rows}
        to_check = self.sudo().browse(
            [intake_id for _partner_id, intake_id, present in rows if present]
        )
        for intake in to_check:
            states[intake.partner_id.id] = self._clearance_from_reasons(intake._block_reasons(at))[
                0
            ]
        return states

    @api.model
    def _partner_domain_by_clearance(self, states, company, at):
        """A res.partner domain: the clients whose clearance in `company` at `at` is
        one of `states` (those without a current screening have "no_screening")."""
        screened = self._clearance_by_partner(company, at)
        if "no_screening" in states:
            return [("id", "not in", [pid for pid, st in screened.items() if st not in states])]
        return [("id", "in", [pid for pid, st in screened.items() if st in states])]

    def _block_reasons(self, at):
        """Reasons this current screening (empty: none) refuses a session starting at `at`."""
        if not self:
            return [
                {
                    "type": "no_screening",
                    "until": False,
                    "message": _(
                        "no submitted screening: a practitioner must screen the client first"
                    ),
                }
            ]
        self.ensure_one()
        reasons = (answer._block_reason(at) for answer in self.present_answer_ids)
        return [reason for reason in reasons if reason]

    def _confirmation_reasons(self, start, days):
        """A session done at `start` needs this screening's answers confirmed at most
        `days` days before it (empty: "no screening" is reported on its own)."""
        if not self:
            return []
        self.ensure_one()
        confirmed = self.confirmed_date
        if confirmed and confirmed >= start - timedelta(days=days):
            return []
        return [
            {
                "type": "confirmation",
                "until": False,
                "message": _(
                    "the answers were last confirmed on %(date)s: they must be confirmed at "
                    "most %(days)s days before the session; ask the client and confirm them",
                    date=tools.format_user_datetime(self.env, confirmed)
                    if confirmed
                    else _("never"),
                    days=days,
                ),
            }
        ]

    def _clearance(self, at):
        """(state, blocked until, label) of a client at `at`, from this current screening."""
        state, until = self._clearance_from_reasons(self._block_reasons(at))
        if state == "blocked" and until:
            label = _("Blocked until %(date)s", date=tools.format_user_datetime(self.env, until))
        else:
            labels = dict(
                self.env["microneedling.session"]
                ._fields["clearance_state"]
                ._description_selection(self.env)
            )
            label = labels[state]
        return state, until, label

    @api.model
    def _clearance_from_reasons(self, reasons):
        """(state, blocked until) summarising block reasons, most serious first."""
        types = {reason["type"] for reason in reasons}
        if "no_screening" in types:
            return "no_screening", False
        if types & {"absolute", "undated"}:
            return "blocked", False
        if "review" in types:
            return "review", False
        if types:
            return "blocked", max(reason["until"] for reason in reasons)
        return "cleared", False
