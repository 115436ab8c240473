from odoo import fields, models


# Kept apart from the addon's main extension while the online screening lands: the
# two can be merged once it has.
class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    microneedling_online_screening = fields.Boolean(
        related="company_id.microneedling_online_screening", readonly=False
    )
    microneedling_booking_confirmation = fields.Boolean(
        related="company_id.microneedling_booking_confirmation", readonly=False
    )
    microneedling_screening_days_before = fields.Integer(
        related="company_id.microneedling_screening_days_before", readonly=False
    )
    microneedling_screening_max_age_months = fields.Integer(
        related="company_id.microneedling_screening_max_age_months", readonly=False
    )
    microneedling_consent_text = fields.Text(
        related="company_id.microneedling_consent_text", readonly=False
    )
