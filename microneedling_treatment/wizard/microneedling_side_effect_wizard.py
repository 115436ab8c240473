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
    # As the user, never sudo: only what they may read of the session shows.
    session_id = fields.Many2one(
        comodel_name="microneedling.session",
        compute="_compute_session_id",
        compute_sudo=False,
        store=True,
        precompute=True,
    )
    partner_id = fields.Many2one(
        related="session_id.partner_id", string="Client", related_sudo=False
    )
    session_start = fields.Datetime(
        related="session_id.start", string="Session Date", related_sudo=False
    )
    # What the session already records: the form starts from it (no double entry).
    side_effect_ids = fields.Many2many(
        comodel_name="microneedling.side.effect",
        string="Side Effects",
        compute="_compute_side_effect_ids",
        compute_sudo=False,
        store=True,
        readonly=False,
        precompute=True,
        help="The protocol's side effects the client reports; none if the recovery was normal.",
    )
    recorded_notes = fields.Html(
        string="Clinical Notes So Far",
        related="session_id.clinical_notes",
        related_sudo=False,
        readonly=True,
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
        wizards._check_follow_up_access()
        return wizards

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        activity = self.activity_id
        self._check_follow_up_access()
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

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _check_follow_up_access(self):
        """A practitioner's follow-up of a session they may change: the activity's
        session in the user's companies, checked as the user."""
        self.activity_id._microneedling_check_side_effect_follow_up()
        self.session_id.check_access("write")
        self.activity_id.check_access("write")
