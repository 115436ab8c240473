from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class MicroneedlingSideEffectWizard(models.TransientModel):
    """Complete the day-7 side-effect follow-up: what the client reports goes to the
    session's clinical record, and the activity is marked done without it."""

    _name = "microneedling.side.effect.wizard"
    _description = "Record a Session's Side Effects"

    activity_id = fields.Many2one(
        comodel_name="mail.activity", required=True, readonly=True, ondelete="cascade"
    )
    # Derived from the activity, never taken from the client.
    session_id = fields.Many2one(
        comodel_name="microneedling.session",
        compute="_compute_session_id",
        store=True,
        precompute=True,
    )
    partner_id = fields.Many2one(related="session_id.partner_id", string="Client")
    session_start = fields.Datetime(related="session_id.start", string="Session Date")
    # What the session already records: the form starts from it (no double entry).
    side_effect_ids = fields.Many2many(
        comodel_name="microneedling.side.effect",
        string="Side Effects",
        compute="_compute_side_effect_ids",
        store=True,
        readonly=False,
        precompute=True,
        help="The protocol's side effects the client reports; none if the recovery was normal.",
    )
    recorded_notes = fields.Html(
        string="Clinical Notes So Far", related="session_id.clinical_notes", readonly=True
    )
    note = fields.Text(
        string="Follow-up Notes",
        help="Appended, dated and signed, to the session's clinical notes (practitioners only).",
    )

    @api.depends("activity_id")
    def _compute_session_id(self):
        Session = self.env["microneedling.session"]
        for wizard in self:
            activity = wizard.activity_id
            wizard.session_id = (
                Session.browse(activity.res_id) if activity.res_model == Session._name else Session
            )

    @api.depends("session_id")
    def _compute_side_effect_ids(self):
        for wizard in self:
            wizard.side_effect_ids = wizard.session_id.side_effect_ids

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards.activity_id._microneedling_check_side_effect_follow_up()
        return wizards

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        activity = self.activity_id
        activity._microneedling_check_side_effect_follow_up()
        if not activity.active:
            raise UserError(
                _(
                    "The follow-up of %(session)s is already done: edit the session's "
                    "side effects and notes on the session itself.",
                    session=self.session_id.display_name,
                )
            )
        session = self.session_id
        vals = {"side_effect_ids": [fields.Command.set(self.side_effect_ids.ids)]}
        entry = activity._microneedling_outcome_entry(self.note, False)
        if entry:
            vals["clinical_notes"] = Markup("%s%s") % (session.clinical_notes or "", entry)
        # As the practitioner: the clinical fields check their own access.
        session.write(vals)
        # No feedback: the "done" message names the activity only, never the findings.
        activity._action_done()
        return {"type": "ir.actions.act_window_close"}
