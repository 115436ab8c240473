from odoo import api, fields, models

from ..models.mail_message import PRACTITIONER_GROUP


class MicroneedlingSeriesStartWizard(models.TransientModel):
    """Start a series from an opportunity whose salesperson is not a practitioner."""

    _name = "microneedling.series.start.wizard"
    _description = "Start a Treatment Series from an Opportunity"

    lead_id = fields.Many2one(
        comodel_name="crm.lead", string="Opportunity", required=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Practitioner",
        required=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(PRACTITIONER_GROUP).ids)],
        help="Runs the series and is asked to screen the client.",
    )

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        if "user_id" in fields_list and not result.get("user_id"):
            if self.env.user.has_group(PRACTITIONER_GROUP):
                result["user_id"] = self.env.uid
        return result

    def action_confirm(self):
        self.ensure_one()
        return self.lead_id._microneedling_start_series(self.user_id)
