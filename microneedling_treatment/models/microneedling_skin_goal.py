from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The colour indexes of Odoo's kanban and tag widgets.
MAX_COLOR = 11


class MicroneedlingSkinGoal(models.Model):
    _name = "microneedling.skin.goal"
    _inherit = ["microneedling.input.mixin"]
    _description = "Microneedling Skin Goal"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    @api.constrains("color")
    def _check_color(self):
        for goal in self:
            if not 0 <= goal.color <= MAX_COLOR:
                raise ValidationError(
                    _(
                        "Skin goal %(goal)s: %(field)s %(color)s is not a colour. Pick one, "
                        "or enter a colour number from 0 to %(max)s.",
                        goal=goal.name,
                        field=self._fields["color"]._description_string(self.env),
                        color=goal.color,
                        max=MAX_COLOR,
                    )
                )
