from odoo import api, fields, models


class MicroneedlingIntake(models.Model):
    """The client's own list of medications, matched against the clinic's catalog."""

    _inherit = "microneedling.intake"  # pylint: disable=consider-merging-classes-inherited

    medications = fields.Text(
        string="Current Medications",
        help="The medications the client takes, as the client lists them. Medications of the "
        "clinic's catalog found here pre-mark their screening item for review.",
    )
    medication_match_ids = fields.Many2many(
        comodel_name="microneedling.medication",
        string="Catalog Medications Found",
        compute="_compute_medication_match_ids",
    )

    @api.depends("medications")
    def _compute_medication_match_ids(self):
        Medication = self.env["microneedling.medication"]
        for intake in self:
            intake.medication_match_ids = Medication.browse(
                [medication.id for medication in Medication._match_text(intake.medications)]
            )

    @api.onchange("medications")
    def _onchange_medications(self):
        for intake in self.filtered(lambda i: i.state == "draft"):
            for line, vals in intake._medication_answer_values().items():
                line.update(vals)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        intakes = super().create(vals_list)
        intakes.filtered("medications")._premark_medication_answers()
        return intakes

    def write(self, vals):
        result = super().write(vals)
        if "medications" in vals:
            self._premark_medication_answers()
        return result

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _medication_answer_values(self):
        """{answer line: values} pre-marking, for review, the items the listed medications
        trigger: the item is answered yes and names the medications found. Lines no longer
        matched lose the names but keep their answer: the practitioner decides."""
        self.ensure_one()
        by_item = {}
        for medication, names in (
            self.env["microneedling.medication"]._match_text(self.medications).items()
        ):
            label = ", ".join(names)
            if normalize_label(label) != normalize_label(medication.name):
                label = f"{label} ({medication.name})"
            by_item.setdefault(medication.contraindication_id, []).append(label)
        result = {}
        for line in self.answer_ids:
            labels = by_item.get(line.contraindication_id)
            if labels:
                text = "; ".join(labels)
                if line.medication_match != text or line.answer != "yes":
                    result[line] = {"answer": "yes", "medication_match": text}
            elif line.medication_match:
                result[line] = {"medication_match": False}
        return result

    def _premark_medication_answers(self):
        # A submitted screening never changes (its write refuses it): drafts only.
        for intake in self.filtered(lambda i: i.state == "draft"):
            for line, vals in intake._medication_answer_values().items():
                line.write(vals)


def normalize_label(text):
    return (text or "").strip().casefold()
