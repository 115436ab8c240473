from odoo import fields, models


class MicroneedlingIntakeAnswer(models.Model):
    """Which listed medications pre-marked the answer, for the practitioner's review."""

    _inherit = "microneedling.intake.answer"

    medication_match = fields.Char(
        string="Listed Medication",
        readonly=True,
        copy=False,
        groups="microneedling_treatment.group_practitioner",
        help="Medications of the client's list found in the clinic's catalog: the item was "
        "pre-marked yes for the practitioner to review.",
    )
