from odoo import fields, models


class MicroneedlingSideEffect(models.Model):
    _name = "microneedling.side.effect"
    _inherit = ["microneedling.input.mixin"]
    _description = "Microneedling Side Effect"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
