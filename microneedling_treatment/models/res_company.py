from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    microneedling_min_interval_days = fields.Integer(
        string="Minimum Days Between Sessions",
        default=28,
        help="Sessions of one series are at least this many days apart (protocol: 4 weeks).",
    )
    microneedling_overdue_days = fields.Integer(
        string="Series Overdue After (Days)",
        default=42,
        help="A series whose next session is not booked within this many days of the last "
        "one is overdue (protocol: 6 weeks).",
    )
    microneedling_dropout_grace_days = fields.Integer(
        string="Drop-out Grace (Days)",
        default=28,
        help="In the reports, an overdue series with nothing booked counts as dropped out "
        "this many days after its overdue date (default: 4 weeks).",
    )
    microneedling_confirmation_days = fields.Integer(
        string="Screening Confirmation Validity (Days)",
        default=7,
        help="A session can be marked done only if the client's answers were confirmed "
        "at most this many days before it.",
    )

    microneedling_sms_enabled = fields.Boolean(
        string="Aftercare SMS",
        help="Also send aftercare messages by SMS to clients with a mobile number.",
    )
    microneedling_reception_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Reception Follow-up User",
        help="Gets the 'book the next session' activities (default: who created the series).",
    )
    microneedling_manager_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Overdue Series Manager",
        help="Gets the 'series overdue' activities (default: the series' practitioner).",
    )

    _sql_constraints = [
        (
            "microneedling_days_positive",
            "CHECK(microneedling_min_interval_days > 0 AND microneedling_overdue_days > 0 "
            "AND microneedling_confirmation_days > 0)",
            "Microneedling intervals must be positive numbers of days.",
        ),
        (
            "microneedling_dropout_grace_not_negative",
            "CHECK(microneedling_dropout_grace_days >= 0)",
            "The microneedling drop-out grace cannot be a negative number of days.",
        ),
    ]
