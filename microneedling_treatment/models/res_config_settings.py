from odoo import api, fields, models

from .microneedling_input_mixin import check_input

# Checked together on the company (the overdue period must exceed the minimum).
PROTOCOL_DAY_FIELDS = (
    "microneedling_min_interval_days",
    "microneedling_overdue_days",
    "microneedling_confirmation_days",
)


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
    microneedling_aftercare_paused = fields.Boolean(
        related="company_id.microneedling_aftercare_paused", readonly=False
    )
    microneedling_quiet_start = fields.Float(
        related="company_id.microneedling_quiet_start", readonly=False
    )
    microneedling_quiet_end = fields.Float(
        related="company_id.microneedling_quiet_end", readonly=False
    )
    microneedling_reception_user_id = fields.Many2one(
        related="company_id.microneedling_reception_user_id", readonly=False
    )
    microneedling_manager_user_id = fields.Many2one(
        related="company_id.microneedling_manager_user_id", readonly=False
    )
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

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_microneedling_input(vals_list)
        vals_list = [dict(vals) for vals in vals_list]
        days_list = [self._pop_protocol_days(vals) for vals in vals_list]
        settings = super().create(vals_list)
        for record, days in zip(settings, days_list, strict=True):
            record._write_protocol_days(days)
        return settings

    def write(self, vals):
        self._check_microneedling_input([vals])
        vals = dict(vals)
        days = self._pop_protocol_days(vals)
        result = super().write(vals)
        for record in self:
            record._write_protocol_days(days)
        return result

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _check_microneedling_input(self, vals_list):
        # Before the ORM converts them: "abc" for a user would silently become "no user".
        fnames = {name for name in self._fields if name.startswith("microneedling_")}
        check_input(self, vals_list, fnames)

    @api.model
    def _pop_protocol_days(self, vals):
        return {name: vals.pop(name) for name in PROTOCOL_DAY_FIELDS if name in vals}

    def _write_protocol_days(self, days):
        """Write the protocol days to the company in one go.

        Related fields would write them one at a time, and raising both the minimum
        and the overdue period would fail halfway: the new minimum checked against
        the old overdue period.
        """
        company = self.company_id
        changed = {name: value for name, value in days.items() if company[name] != value}
        if changed:
            company.write(changed)
