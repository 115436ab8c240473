from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import quiet_hours
from .microneedling_input_mixin import check_input

# The protocol counts its periods in days; a year bounds each of them.
MAX_PROTOCOL_DAYS = 365
# "4 - 6 weeks apart": a clinic may space sessions more, never less.
PROTOCOL_MIN_INTERVAL_DAYS = 28
# When client messages wait for the morning (times of day, in hours).
QUIET_HOURS_FIELDS = ("microneedling_quiet_start", "microneedling_quiet_end")


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
    microneedling_quiet_start = fields.Float(
        string="Quiet Hours From",
        default=21.0,
        help="Client aftercare messages (email and SMS) falling due from this time of day "
        "until the end of the quiet hours, in the client's time zone (else the company's, "
        "else UTC), are sent when the quiet hours end. Staff activities are unaffected. "
        "The same start and end: no quiet hours.",
    )
    microneedling_quiet_end = fields.Float(
        string="Quiet Hours Until",
        default=8.0,
        help="The time of day, in the client's time zone, when the messages held back "
        "during the quiet hours are sent.",
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

        # Lowering the next-session window could move a step before "session done".
        steps = self.env["microneedling.aftercare.step"].sudo().search([])
        for company in self:
            steps._check_runs_after_done(company)

    @api.constrains(*QUIET_HOURS_FIELDS)
    def _check_microneedling_quiet_hours(self):
        for company in self:
            for name in QUIET_HOURS_FIELDS:
                if not 0 <= quiet_hours.to_minutes(company[name]) < quiet_hours.MINUTES_PER_DAY:
                    raise ValidationError(
                        _(
                            "%(company)s: %(field)s is %(value)s, which is not a time of day. "
                            "Enter a time from 00:00 to 23:59.",
                            company=company.name,
                            field=self._fields[name]._description_string(self.env),
                            value=company[name],
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
        if not self:
            return super().write(vals)
        self._check_microneedling_input([vals], "write")
        Log = self.env["microneedling.protocol.log"]
        logged = [
            name for name in vals if name.startswith("microneedling_") and name in self._fields
        ]
        before = Log._snapshot(self, logged) if logged else None
        result = super().write(vals)
        if logged:
            Log._log_changes(self, logged, before)
        if any(name in vals for name in QUIET_HOURS_FIELDS):
            # Staff see when each waiting message will go out: move them with the hours.
            self.env["microneedling.aftercare.schedule"].sudo().search(
                [("company_id", "in", self.ids), ("state", "=", "pending")]
            )._compute_send_date()
        return result

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _microneedling_send_time(self, when, partner):
        """When a client message due at `when` (naive UTC) may go out to `partner`: at
        `when`, or at the end of the company's quiet hours if it falls inside them, in
        the client's time zone (else the company's, else UTC)."""
        self.ensure_one()
        company = self.sudo()
        return quiet_hours.after_quiet_hours(
            when,
            quiet_hours.client_timezone(partner.sudo().tz, company.partner_id.tz),
            quiet_hours.to_minutes(company.microneedling_quiet_start),
            quiet_hours.to_minutes(company.microneedling_quiet_end),
        )

    def _check_microneedling_input(self, vals_list, operation):
        """Type-check this addon's company fields only: other fields keep their modules' rules."""
        fnames = {name for name in self._fields if name.startswith("microneedling_")}
        if any(fnames.intersection(vals) for vals in vals_list if isinstance(vals, dict)):
            # Access comes first: who may not change the company learns that.
            self.browse().check_access(operation)
            check_input(self, vals_list, fnames, check_field_access=True)
