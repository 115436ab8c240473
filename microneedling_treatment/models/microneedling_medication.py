import re
import unicodedata

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The screening items a medication can trigger (codes of microneedling.contraindication).
MEDICATION_ITEM_CODES = ("photosensitizing_meds", "other_contraindicated_meds", "bleeding_disorder")
NAME_SEPARATORS = re.compile(r"[,;/\n]+")


def normalize(text):
    """Lower-case words without accents or punctuation, space-separated: "Roaccutane®,
    isotrétinoïne" and "roaccutane isotretinoine" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", plain.casefold()))


class MicroneedlingMedication(models.Model):
    _name = "microneedling.medication"
    _description = "Contraindicated Medication"
    _order = "name, id"

    name = fields.Char(
        string="Generic Name", required=True, help="The active substance, e.g. isotretinoin."
    )
    brand_names = fields.Char(
        help="Brand names, separated by commas, e.g. Accutane, Roaccutane, Claravis."
    )
    contraindication_id = fields.Many2one(
        comodel_name="microneedling.contraindication",
        string="Triggers",
        required=True,
        ondelete="restrict",
        domain=[("code", "in", MEDICATION_ITEM_CODES)],
        default=lambda self: self.env.ref(
            "microneedling_treatment.contraindication_photosensitizing_meds",
            raise_if_not_found=False,
        ),
        help="The screening item a client taking this medication answers yes to.",
    )
    active = fields.Boolean(default=True)
    normalized_name = fields.Char(compute="_compute_normalized_name", store=True, index=True)

    _sql_constraints = [
        (
            "normalized_name_unique",
            "UNIQUE(normalized_name)",
            "Each medication is listed once: add brand names to the existing generic name.",
        ),
    ]

    @api.depends("name")
    def _compute_normalized_name(self):
        for medication in self:
            medication.normalized_name = normalize(medication.name)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("name")
    def _check_name(self):
        for medication in self:
            if not medication.normalized_name:
                raise ValidationError(
                    _(
                        "The medication name %(name)r has no letters or digits: enter its "
                        "generic name.",
                        name=medication.name,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _terms(self):
        """{normalized term: name as written} for the generic and brand names."""
        self.ensure_one()
        names = [self.name] + NAME_SEPARATORS.split(self.brand_names or "")
        return {normalize(name): name.strip() for name in names if normalize(name)}

    @api.model
    def _match_text(self, text):
        """{medication: [names found]} for the catalog medications a free text mentions,
        by generic or brand name, whole words, ignoring case and accents."""
        haystack = f" {normalize(text)} "
        if not haystack.strip():
            return {}
        found = {}
        for medication in self.search([]):
            names = [name for term, name in medication._terms().items() if f" {term} " in haystack]
            if names:
                found[medication] = names
        return found
