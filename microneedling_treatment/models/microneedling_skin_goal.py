from odoo import fields, models


class MicroneedlingSkinGoal(models.Model):
    _name = "microneedling.skin.goal"
    _inherit = ["microneedling.input.mixin"]
    _description = "Microneedling Skin Goal"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
