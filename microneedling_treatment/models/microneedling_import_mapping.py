from odoo import api, fields, models

IMPORT_TYPES = [("history", "Client History"), ("medication", "Medications")]


class MicroneedlingImportMapping(models.Model):
    """A column header of another system's export and the field it was imported into,
    remembered per clinic for its next import of the same kind."""

    _name = "microneedling.import.mapping"
    _description = "Saved Import Column Mapping"
    _order = "company_id, import_type, header"

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    import_type = fields.Selection(selection=IMPORT_TYPES, required=True)
    header = fields.Char(required=True, help="The column header, normalized.")
    target = fields.Char(
        help="The imported field the column goes into; empty when the column is ignored."
    )

    _sql_constraints = [
        (
            "header_unique",
            "UNIQUE(company_id, import_type, header)",
            "A clinic remembers one mapping per column header.",
        ),
    ]

    @api.model
    def _saved(self, company, import_type):
        """{normalized header: target or ''} remembered for the company."""
        return {
            mapping.header: mapping.target or ""
            for mapping in self.search(
                [("company_id", "=", company.id), ("import_type", "=", import_type)]
            )
        }

    @api.model
    def _remember(self, company, import_type, targets):
        """Save {normalized header: target or ''} for the company's next import."""
        existing = {
            mapping.header: mapping
            for mapping in self.search(
                [("company_id", "=", company.id), ("import_type", "=", import_type)]
            )
        }
        create_vals = []
        for header, target in targets.items():
            mapping = existing.get(header)
            if mapping:
                if (mapping.target or "") != target:
                    mapping.target = target or False
            else:
                create_vals.append(
                    {
                        "company_id": company.id,
                        "import_type": import_type,
                        "header": header,
                        "target": target or False,
                    }
                )
        self.create(create_vals)
