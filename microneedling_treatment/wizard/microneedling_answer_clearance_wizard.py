from odoo import fields, models


class MicroneedlingAnswerClearanceWizard(models.TransientModel):
    _name = "microneedling.answer.clearance.wizard"
    _description = "Clear a Screening Answer for Treatment"

    answer_id = fields.Many2one(
        comodel_name="microneedling.intake.answer", required=True, ondelete="cascade"
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.answer_id._clear(self.reason)
        return {"type": "ir.actions.act_window_close"}
