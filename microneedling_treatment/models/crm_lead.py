from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    microneedling_series_ids = fields.One2many(
        comodel_name="microneedling.series", inverse_name="lead_id", string="Treatment Series"
    )
    microneedling_series_count = fields.Integer(
        string="Series", compute="_compute_microneedling_series_count"
    )

    def _compute_microneedling_series_count(self):
        counts = dict(
            self.env["microneedling.series"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.microneedling_series_count = counts.get(lead, 0)
