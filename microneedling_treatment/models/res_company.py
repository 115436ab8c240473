from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .microneedling_input_mixin import check_input

# The protocol counts its periods in days; a year bounds each of them.
MAX_PROTOCOL_DAYS = 365
# "4 - 6 weeks apart": a clinic may space sessions more, never less.
PROTOCOL_MIN_INTERVAL_DAYS = 28


def _default_consent_text(company):
    return company.env._(
        "I confirm that my answers are true and complete to the best of my knowledge, that I "
        "will tell the clinic about any change before my treatment, and I consent to the "
        "clinic keeping these health answers in my client record to decide whether "
        "microneedling is safe for me."
    )


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

    microneedling_aftercare_paused = fields.Boolean(
        string="Pause Aftercare Messages",
        help="Holds every client aftercare message of this company back until it is "
        "unticked (they are then sent, late). Staff follow-up activities are still "
        "planned. For a deliberate, temporary stop only (rewording the messages, say).",
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

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    # Before the visit: booking confirmation and online screening
    microneedling_online_screening = fields.Boolean(
        string="Online Screening Links",
        help="Send clients a personal link to fill in their screening before the visit.",
    )
    microneedling_booking_confirmation = fields.Boolean(
        string="Booking Confirmation",
        help="Email the client a booking confirmation with the pre-treatment instructions "
        "when a session is booked.",
    )
    microneedling_screening_days_before = fields.Integer(
        string="Screening Link Days Before",
        default=3,
        help="The screening link is sent this many days before the visit; one reminder "
        "follows the day before if the client has not filled it in.",
    )
    microneedling_screening_max_age_months = fields.Integer(
        string="Screening Valid For (Months)",
        default=6,
        help="A screening older than this is asked again before the next visit.",
    )
    microneedling_consent_text = fields.Text(
        string="Screening Consent Text",
        translate=True,
        default=_default_consent_text,
        help="What the client agrees to when ticking the consent box of the online screening.",
    )

    _sql_constraints = [
        (
            "microneedling_screening_delays_positive",
            "CHECK(microneedling_screening_days_before > 0 "
            "AND microneedling_screening_max_age_months > 0)",
            "The screening link's days before the visit and the screening's validity must be "
            "positive.",
        ),
        (
            "microneedling_dropout_grace_not_negative",
            "CHECK(microneedling_dropout_grace_days >= 0)",
            "The microneedling drop-out grace cannot be a negative number of days.",
        ),
    ]

    @api.constrains(
        "microneedling_min_interval_days",
        "microneedling_overdue_days",
        "microneedling_confirmation_days",
    )
    def _check_microneedling_days(self):
        # A Python constraint, not SQL: the settings form shows it as a clear message.
        labels = {
            name: self._fields[name]._description_string(self.env)
            for name in (
                "microneedling_min_interval_days",
                "microneedling_overdue_days",
                "microneedling_confirmation_days",
            )
        }
        for company in self:
            minimum = company.microneedling_min_interval_days
            overdue = company.microneedling_overdue_days
            floors = {
                "microneedling_min_interval_days": PROTOCOL_MIN_INTERVAL_DAYS,
                "microneedling_confirmation_days": 1,
            }
            for name, floor in floors.items():
                if not floor <= company[name] <= MAX_PROTOCOL_DAYS:
                    raise ValidationError(
                        _(
                            "%(company)s: %(field)s is %(days)s. Enter a number of days from "
                            "%(min)s to %(max)s.",
                            company=company.name,
                            field=labels[name],
                            days=company[name],
                            min=floor,
                            max=MAX_PROTOCOL_DAYS,
                        )
                    )
            if not minimum < overdue <= MAX_PROTOCOL_DAYS:
                raise ValidationError(
                    _(
                        "%(company)s: %(field)s is %(days)s, but a series can only be overdue "
                        "after the %(minimum)s %(minimum_field)s. Enter more than %(minimum)s "
                        "and at most %(max)s.",
                        company=company.name,
                        field=labels["microneedling_overdue_days"],
                        days=overdue,
                        minimum=minimum,
                        minimum_field=labels["microneedling_min_interval_days"],
                        max=MAX_PROTOCOL_DAYS,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_microneedling_input(vals_list, "create")
        return super().create(vals_list)

    def write(self, vals):
        if self:
            self._check_microneedling_input([vals], "write")
        return super().write(vals)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _check_microneedling_input(self, vals_list, operation):
        """Type-check this addon's company fields only: other fields keep their modules' rules."""
        fnames = {name for name in self._fields if name.startswith("microneedling_")}
        if any(fnames.intersection(vals) for vals in vals_list if isinstance(vals, dict)):
            # Access comes first: who may not change the company learns that.
            self.browse().check_access(operation)
            check_input(self, vals_list, fnames, check_field_access=True)
