from odoo import fields, models


class MicroneedlingImportColumn(models.TransientModel):
    """One column of the uploaded sheet and the field it is imported into."""

    _name = "microneedling.import.column"
    _description = "Microneedling Import Column"
    _order = "index"

    wizard_id = fields.Many2one(
        comodel_name="microneedling.import.wizard", required=True, ondelete="cascade"
    )
    index = fields.Integer(required=True)
    header = fields.Char(readonly=True)
    sample = fields.Char(readonly=True, help="The first values of the column.")
    import_type = fields.Selection(related="wizard_id.import_type")
    history_target = fields.Selection(
        selection=[
            ("first_name", "First Name"),
            ("last_name", "Last Name"),
            ("name", "Full Name"),
            ("email", "Email"),
            ("mobile", "Mobile"),
            ("lang", "Language"),
            ("date", "Appointment Date"),
            ("time", "Appointment Time"),
            ("service", "Service"),
            ("staff", "Staff"),
        ],
        string="Import As",
    )
    medication_target = fields.Selection(
        selection=[
            ("generic", "Generic Name"),
            ("brands", "Brand Names"),
            ("item", "Contraindication"),
        ],
        string="Import Into",
    )

    def _target(self):
        self.ensure_one()
        return (
            self.history_target if self.import_type == "history" else self.medication_target
        ) or ""
