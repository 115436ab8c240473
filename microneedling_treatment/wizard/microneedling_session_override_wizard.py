from odoo import fields, models


class MicroneedlingSessionOverrideWizard(models.TransientModel):
    _name = "microneedling.session.override.wizard"
    _description = "Override a Session's Clearance Block"

    session_id = fields.Many2one(
        comodel_name="microneedling.session", required=True, ondelete="cascade"
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.session_id._override(self.reason)
        return {"type": "ir.actions.act_window_close"}
