from odoo import fields, models


def _default_consent_text(company):
    return company.env._(
        "I confirm that my answers are true and complete to the best of my knowledge, that I "
        "will tell the clinic about any change before my treatment, and I consent to the "
        "clinic keeping these health answers in my client record to decide whether "
        "microneedling is safe for me."
    )


# Kept apart from the addon's main extension while the online screening lands: the
# two can be merged once it has.
class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

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
    ]
