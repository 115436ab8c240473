from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import tools
from . import trusted

CLEARANCE_FIELDS = {"cleared", "cleared_by_id", "cleared_date", "clearance_reason"}
# An answer stays on its screening and its question.
FIXED_FIELDS = ("intake_id", "contraindication_id")


class MicroneedlingIntakeAnswer(models.Model):
    _name = "microneedling.intake.answer"
    _inherit = ["microneedling.input.mixin"]
    _description = "Microneedling Screening Answer"
    _order = "intake_id, sequence, id"
    _input_checked_by_model = True
    _rec_name = "contraindication_id"

    # Question
    intake_id = fields.Many2one(
        comodel_name="microneedling.intake", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="intake_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="intake_id.company_id", store=True, index=True)
    contraindication_id = fields.Many2one(
        comodel_name="microneedling.contraindication",
        required=True,
        index=True,
        ondelete="restrict",
    )
    sequence = fields.Integer(related="contraindication_id.sequence", store=True)
    question = fields.Text(related="contraindication_id.question")
    kind = fields.Selection(related="contraindication_id.kind")
    # Answer: explicit, an untouched question is not a "no"
    answer = fields.Selection(
        selection=[("yes", "Yes"), ("no", "No")],
        help="Every question is answered explicitly before the screening is submitted.",
    )
    present = fields.Boolean(
        compute="_compute_present",
        inverse="_inverse_present",
        store=True,
        help="The client has, or recently had, this condition (the answer is yes).",
    )
    last_occurrence = fields.Datetime(
        help="When it last happened (used, waxed, tanned, treated...): time windows start here."
    )
    notes = fields.Text()
    # Clearance (review items)
    cleared = fields.Boolean(readonly=True, copy=False)
    cleared_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Cleared By",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    cleared_date = fields.Datetime(readonly=True, copy=False)
    clearance_reason = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        (
            "intake_contraindication_unique",
            "UNIQUE(intake_id, contraindication_id)",
            "A screening answers each contraindication once.",
        ),
    ]

    @api.depends("answer")
    def _compute_present(self):
        for line in self:
            line.present = line.answer == "yes"

    def _inverse_present(self):
        # Writing present is an explicit answer too (imports, integrations).
        for line in self:
            line.answer = "yes" if line.present else "no"

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("last_occurrence")
    def _check_last_occurrence(self):
        now = fields.Datetime.now()
        future = self.filtered(lambda a: a.last_occurrence and a.last_occurrence > now)
        if future:
            raise ValidationError(
                _(
                    "%(items)s: the last occurrence is in the future; enter when it last "
                    "happened, today or earlier.",
                    items=", ".join(future.contraindication_id.mapped("name")),
                )
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list, "create")
        if not self._is_trusted():
            trusted.check_derived_values(self, vals_list)
            if CLEARANCE_FIELDS & {key for vals in vals_list for key in vals}:
                raise AccessError(
                    _("Clear an answer with its Clear button: it records who and why.")
                )
            intakes = self.env["microneedling.intake"].browse(
                {vals.get("intake_id") for vals in vals_list if vals.get("intake_id")}
            )
            if any(intake.state != "draft" for intake in intakes):
                raise UserError(
                    _("Answers are added to a draft screening only: screen the client " "again.")
                )
        return super().create(vals_list)

    def write(self, vals):
        if self:
            self._check_input_values([vals], "write")
        if not self._is_trusted():
            trusted.check_derived_values(self, [vals])
            if CLEARANCE_FIELDS & set(vals):
                raise AccessError(
                    _("Clear an answer with its Clear button: it records who and why.")
                )
            moved = [
                name
                for name in FIXED_FIELDS
                if name in vals and any(line[name].id != vals[name] for line in self)
            ]
            if moved:
                raise UserError(
                    _(
                        "An answer belongs to its screening and its question: add a new "
                        "screening instead of moving answers."
                    )
                )
            if set(vals) - {"notes"} and any(a.intake_id.state != "draft" for a in self):
                raise UserError(
                    _(
                        "The answers of a submitted screening can no longer change: "
                        "screen the client again."
                    )
                )
        # A clearance covers the answer as it was reviewed: a changed answer needs a new one.
        if {"answer", "present", "last_occurrence", "contraindication_id"} & set(vals):
            vals = dict(
                vals,
                cleared=False,
                cleared_by_id=False,
                cleared_date=False,
                clearance_reason=False,
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if not self._is_trusted() and any(a.intake_id.state != "draft" for a in self):
            raise UserError(
                _(
                    "The answers of a submitted screening are part of the client's record: "
                    "cancel the screening instead."
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_clearance_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Clear for Treatment"),
            "res_model": "microneedling.answer.clearance.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_answer_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _is_trusted(self):
        return self.env.su or trusted.is_raised(self.env, trusted.TRUSTED)

    def _clear(self, reason):
        """Record a practitioner's clearance (who, when, why) on review answers."""
        if not self.env.user.has_group("microneedling_treatment.group_practitioner"):
            raise AccessError(_("Only a practitioner can clear a screening answer."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the client is cleared: the reason is required."))
        invalid = self.filtered(
            lambda a: not (a.present and a.kind == "review" and a.intake_id.state == "submitted")
        )
        if invalid:
            raise UserError(
                _(
                    "%(items)s: only a review item answered yes on a submitted screening can "
                    "be cleared.",
                    items=", ".join(invalid.contraindication_id.mapped("name")),
                )
            )
        self.with_context(**trusted.flag(trusted.TRUSTED)).write(
            {
                "cleared": True,
                "cleared_by_id": self.env.uid,
                "cleared_date": fields.Datetime.now(),
                "clearance_reason": reason,
            }
        )
        for answer in self:
            # Logged, not posted: a note to nobody needs no sender's email address, so
            # staff without one can clear too.
            answer.intake_id._message_log(
                body=Markup("<p>%s</p>")
                % _(
                    "%(item)s cleared by %(user)s: %(reason)s",
                    item=answer.contraindication_id.name,
                    user=self.env.user.name,
                    reason=reason,
                )
            )

    def _block_reason(self, at):
        """Why this answer refuses a session starting at `at` (None when it does not).

        The rule of each kind of contraindication lives here, with the answer. A
        reason that reveals the answer also has a `public_message` without it, for
        the users who may only see the client's clearance.
        """
        self.ensure_one()
        item = self.contraindication_id
        if not self.present:
            return None
        if item.kind == "absolute":
            return {
                "answer_id": self.id,
                "type": "absolute",
                "until": False,
                "message": _(
                    "%(item)s: declared present, an absolute contraindication", item=item.name
                ),
                "public_message": _(
                    "a contraindication in the screening rules out treatment "
                    "(details for practitioners only)"
                ),
            }
        if item.kind == "review":
            if self.cleared:
                return None
            return {
                "answer_id": self.id,
                "type": "review",
                "until": False,
                "message": _(
                    "%(item)s: declared present, a practitioner must review and clear it",
                    item=item.name,
                ),
                "public_message": _(
                    "an answer in the screening awaits a practitioner's review "
                    "(details for practitioners only)"
                ),
            }
        if not self.last_occurrence:
            return {
                "answer_id": self.id,
                "type": "undated",
                "until": False,
                "message": _(
                    "%(item)s: declared present without a date; record when it last happened",
                    item=item.name,
                ),
                "public_message": _(
                    "an answer in the screening has no date: a practitioner must complete it"
                ),
            }
        earliest = self.last_occurrence + timedelta(hours=item.window_hours)
        if at >= earliest:
            return None
        earliest_text = tools.format_user_datetime(self.env, earliest)
        return {
            "answer_id": self.id,
            "type": "window",
            "until": earliest,
            "message": _(
                "%(item)s on %(last)s: earliest %(earliest)s (%(window)s)",
                item=item.name,
                last=tools.format_user_datetime(self.env, self.last_occurrence),
                earliest=earliest_text,
                window=item._window_label(),
            ),
            "public_message": _(
                "a time-bound contraindication in the screening: earliest %(earliest)s "
                "(details for practitioners only)",
                earliest=earliest_text,
            ),
        }
