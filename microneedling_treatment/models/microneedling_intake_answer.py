from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from . import trusted

CLEARANCE_FIELDS = {"cleared", "cleared_by_id", "cleared_date", "clearance_reason"}


class MicroneedlingIntakeAnswer(models.Model):
    _name = "microneedling.intake.answer"
    _inherit = ["microneedling.input.mixin"]
    _description = "Microneedling Screening Answer"
    _order = "intake_id, sequence, id"
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
    # Answer
    present = fields.Boolean(help="The client has, or recently had, this condition.")
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

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if not self.env.su and not trusted.is_raised(self.env, trusted.TRUSTED):
            if CLEARANCE_FIELDS & set(vals):
                raise AccessError(
                    _("Clear an answer with its Clear button: it records who and why.")
                )
            if set(vals) - {"notes"} and any(a.intake_id.state != "draft" for a in self):
                raise UserError(
                    _(
                        "The answers of a submitted screening can no longer change: "
                        "screen the client again."
                    )
                )
        # A clearance covers the answer as it was reviewed: a changed answer needs a new one.
        if {"present", "last_occurrence", "contraindication_id"} & set(vals):
            vals = dict(
                vals,
                cleared=False,
                cleared_by_id=False,
                cleared_date=False,
                clearance_reason=False,
            )
        return super().write(vals)

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

    def _clear(self, reason):
        """Record a practitioner's clearance (who, when, why) on review answers."""
        if not self.env.user.has_group("microneedling_treatment.group_practitioner"):
            raise AccessError(_("Only a practitioner can clear a screening answer."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the client is cleared: the reason is required."))
        self.with_context(**trusted.flag(trusted.TRUSTED)).write(
            {
                "cleared": True,
                "cleared_by_id": self.env.uid,
                "cleared_date": fields.Datetime.now(),
                "clearance_reason": reason,
            }
        )
        for answer in self:
            answer.intake_id.message_post(
                body=_(
                    "%(item)s cleared by %(user)s: %(reason)s",
                    item=answer.contraindication_id.name,
                    user=self.env.user.name,
                    reason=reason,
                )
            )
