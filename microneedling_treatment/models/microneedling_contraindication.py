from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The longest time window the protocol knows is months (isotretinoin): one year
# bounds it, and keeps window arithmetic far from date limits.
MAX_WINDOW_HOURS = 365 * 24


class MicroneedlingContraindication(models.Model):
    _name = "microneedling.contraindication"
    _inherit = ["microneedling.input.mixin"]
    _description = "Microneedling Contraindication"
    _order = "sequence, id"

    # Identification
    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key used by reports, imports and integrations.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    question = fields.Text(
        required=True,
        translate=True,
        help="The question as the client reads it on the screening form.",
    )
    description = fields.Text(translate=True, help="Guidance for the practitioner.")

    # Rule
    kind = fields.Selection(
        selection=[
            ("absolute", "Absolute"),
            ("review", "Practitioner Review"),
            ("window", "Time Window"),
        ],
        required=True,
        default="review",
        help="Absolute: no session while present.\n"
        "Practitioner Review: blocks until a practitioner clears the answer.\n"
        "Time Window: blocks sessions starting less than the window after the last occurrence.",
    )
    window_hours = fields.Integer(
        string="Window (Hours)",
        help="For time windows: hours that must pass between the last occurrence and a session.",
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "Each contraindication code must be unique."),
    ]

    @api.constrains("kind", "window_hours")
    def _check_window_hours(self):
        label = self._fields["window_hours"]._description_string(self.env)
        for item in self:
            hours = item.window_hours
            if item.kind == "window" and not 1 <= hours <= MAX_WINDOW_HOURS:
                raise ValidationError(
                    _(
                        "%(item)s is a time window: its %(field)s must be at least one hour "
                        "and at most %(max)s (one year), not %(hours)s. Set it from 1 to "
                        "%(max)s hours.",
                        item=item.name,
                        field=label,
                        hours=hours,
                        max=MAX_WINDOW_HOURS,
                    )
                )
            if not 0 <= hours <= MAX_WINDOW_HOURS:
                raise ValidationError(
                    _(
                        "%(item)s: its %(field)s must be from 0 to %(max)s hours (one year), "
                        "not %(hours)s.",
                        item=item.name,
                        field=label,
                        hours=hours,
                        max=MAX_WINDOW_HOURS,
                    )
                )

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _window_label(self):
        """Human window length: whole days beyond 72 h (the protocol's own unit), else hours."""
        self.ensure_one()
        hours = self.window_hours
        if hours > 72 and hours % 24 == 0:
            return _("%(days)s days", days=hours // 24)
        return _("%(hours)s h", hours=hours)
