from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The longest time window the protocol knows is months (isotretinoin): one year
# bounds it, and keeps window arithmetic far from date limits.
MAX_WINDOW_HOURS = 365 * 24
HOURS_PER_UNIT = {"hours": 1, "days": 24}
# Windows longer than this, in whole days, are the protocol's days (3 days is still 72 h).
DAYS_FROM_HOURS = 72


class MicroneedlingContraindication(models.Model):
    _name = "microneedling.contraindication"
    # mail.thread: who changed the catalog, what and when, in the item's chatter.
    _inherit = ["microneedling.input.mixin", "mail.thread"]
    _description = "Microneedling Contraindication"
    _order = "sequence, id"

    # Identification
    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Stable technical key used by reports, imports and integrations.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    question = fields.Text(
        required=True,
        translate=True,
        tracking=True,
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
        tracking=True,
        help="Absolute: no session while present.\n"
        "Practitioner Review: blocks until a practitioner clears the answer.\n"
        "Time Window: blocks sessions starting less than the window after the last occurrence.",
    )
    # The clinic enters the window in its own unit; the rules read window_hours.
    window_value = fields.Integer(
        string="Window",
        tracking=True,
        help="For time windows: how long must pass between the last occurrence and a "
        "session, in the window's unit.",
    )
    window_unit = fields.Selection(
        selection=[("hours", "Hours"), ("days", "Days")],
        required=True,
        default="days",
        tracking=True,
    )
    window_hours = fields.Integer(
        string="Window (Hours)",
        compute="_compute_window_hours",
        inverse="_inverse_window_hours",
        store=True,
        help="For time windows: hours that must pass between the last occurrence and a "
        "session (the window in hours). Writing it sets the window in days when it is "
        "whole days beyond 72 hours, else in hours.",
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "Each contraindication code must be unique."),
    ]

    @api.depends("window_value", "window_unit")
    def _compute_window_hours(self):
        for item in self:
            item.window_hours = (item.window_value or 0) * HOURS_PER_UNIT[
                item.window_unit or "hours"
            ]

    def _inverse_window_hours(self):
        # Data files, imports and integrations written before the unit existed send hours.
        for item in self:
            hours = item.window_hours or 0
            if hours > DAYS_FROM_HOURS and hours % 24 == 0:
                item.update({"window_value": hours // 24, "window_unit": "days"})
            else:
                item.update({"window_value": hours, "window_unit": "hours"})

    @api.constrains("kind", "window_value", "window_unit", "window_hours")
    def _check_window_hours(self):
        label = self._fields["window_value"]._description_string(self.env)
        hours_label = self._fields["window_hours"]._description_string(self.env)
        max_days = MAX_WINDOW_HOURS // 24
        for item in self:
            hours = item.window_hours
            if item.kind == "window" and not 1 <= hours <= MAX_WINDOW_HOURS:
                raise ValidationError(
                    _(
                        "%(item)s is a time window: its %(field)s of %(window)s "
                        "(%(hours_field)s = %(hours)s) must be at least one hour and at most "
                        "one year. Set it from 1 to %(max)s hours, or from 1 to %(max_days)s "
                        "days.",
                        item=item.name,
                        field=label,
                        window=item._window_entered(),
                        hours_field=hours_label,
                        hours=hours,
                        max=MAX_WINDOW_HOURS,
                        max_days=max_days,
                    )
                )
            if not 0 <= hours <= MAX_WINDOW_HOURS:
                raise ValidationError(
                    _(
                        "%(item)s: its %(field)s of %(window)s (%(hours_field)s = %(hours)s) "
                        "is out of range. Enter from 0 to %(max)s hours (one year), or from 0 "
                        "to %(max_days)s days.",
                        item=item.name,
                        field=label,
                        window=item._window_entered(),
                        hours_field=hours_label,
                        hours=hours,
                        max=MAX_WINDOW_HOURS,
                        max_days=max_days,
                    )
                )

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _window_label(self):
        """Human window length, in the unit the clinic entered it (one day reads 24 h)."""
        self.ensure_one()
        if self.window_unit == "days" and self.window_value != 1:
            return _("%(days)s days", days=self.window_value)
        return _("%(hours)s h", hours=self.window_hours)

    def _window_entered(self):
        """The window as entered, with its unit, for messages (in hours while a create
        sets the hours, before the unit follows)."""
        self.ensure_one()
        if self.window_unit == "days" and self.window_value * 24 == self.window_hours:
            return _("%(days)s days", days=self.window_value)
        return _("%(hours)s hours", hours=self.window_hours)
