from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    microneedling_min_interval_days = fields.Integer(
        related="company_id.microneedling_min_interval_days", readonly=False
    )
    microneedling_overdue_days = fields.Integer(
        related="company_id.microneedling_overdue_days", readonly=False
    )
    microneedling_dropout_grace_days = fields.Integer(
        related="company_id.microneedling_dropout_grace_days", readonly=False
    )
    microneedling_confirmation_days = fields.Integer(
        related="company_id.microneedling_confirmation_days", readonly=False
    )
    microneedling_sms_enabled = fields.Boolean(
        related="company_id.microneedling_sms_enabled", readonly=False
    )
    microneedling_reception_user_id = fields.Many2one(
        related="company_id.microneedling_reception_user_id", readonly=False
    )
    microneedling_manager_user_id = fields.Many2one(
        related="company_id.microneedling_manager_user_id", readonly=False
    )
