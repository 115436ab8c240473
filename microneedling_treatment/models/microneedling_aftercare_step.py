from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# How far a step may run from its anchor, either way: one year, in the step's unit.
MAX_OFFSET = {"hours": 365 * 24, "days": 365}
# The company setting each next-session window anchor counts from (days after the session).
ANCHOR_SETTINGS = {
    "window_open": "microneedling_min_interval_days",
    "window_close": "microneedling_overdue_days",
}


class MicroneedlingAftercareStep(models.Model):
    _name = "microneedling.aftercare.step"
    # mail.thread: who changed the timeline, what and when, in the step's chatter.
    _inherit = ["microneedling.input.mixin", "mail.thread"]
    _description = "Microneedling Aftercare Step"
    _order = "sequence, id"

    # Identification
    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    # When
    anchor = fields.Selection(
        selection=[
            ("done", "Session Done"),
            ("window_open", "Next-Session Window Opens"),
            ("window_close", "Next-Session Window Closes"),
        ],
        required=True,
        default="done",
        tracking=True,
        help="Session Done: the moment the session was marked done.\n"
        "Window opens: done + the minimum days between sessions (company setting).\n"
        "Window closes: done + the overdue days (company setting).",
    )
    offset = fields.Integer(
        tracking=True,
        help="Added to the anchor; negative to run before it, but never before the session "
        "is done.",
    )
    offset_unit = fields.Selection(
        selection=[("hours", "Hours"), ("days", "Days")],
        required=True,
        default="hours",
        tracking=True,
    )
    condition = fields.Selection(
        selection=[
            ("always", "Always"),
            ("next_session_needed", "Series Has Sessions Left and None Booked"),
        ],
        required=True,
        default="always",
        tracking=True,
    )
    # What
    kind = fields.Selection(
        selection=[("message", "Client Message"), ("activity", "Staff Activity")],
        required=True,
        default="message",
        tracking=True,
    )
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Email Template",
        ondelete="restrict",
        tracking=True,
        domain="[('model', '=', 'microneedling.session')]",
    )
    sms_template_id = fields.Many2one(
        comodel_name="sms.template",
        string="SMS Template",
        ondelete="restrict",
        tracking=True,
        domain="[('model', '=', 'microneedling.session')]",
        help="Sent as well when the client has a mobile number and the company enabled SMS.",
    )
    attach_sheet = fields.Boolean(
        string="Attach Aftercare Sheet",
        tracking=True,
        help="Attach the printable aftercare sheet (PDF).",
    )
    activity_type_id = fields.Many2one(
        comodel_name="mail.activity.type",
        string="Activity Type",
        ondelete="restrict",
        tracking=True,
    )
    activity_target = fields.Selection(
        selection=[("session", "Session"), ("series", "Series")],
        default="session",
        required=True,
        tracking=True,
    )
    activity_assignee = fields.Selection(
        selection=[
            ("practitioner", "Practitioner"),
            ("reception", "Reception"),
            ("manager", "Manager"),
        ],
        default="practitioner",
        required=True,
        tracking=True,
    )

    @api.constrains("kind", "mail_template_id", "activity_type_id")
    def _check_action(self):
        for step in self:
            if step.kind == "message" and not step.mail_template_id:
                raise ValidationError(
                    _(
                        "Aftercare step %(step)s sends a message: choose its email template.",
                        step=step.name,
                    )
                )
            if step.kind == "activity" and not step.activity_type_id:
                raise ValidationError(
                    _(
                        "Aftercare step %(step)s plans an activity: choose its activity type.",
                        step=step.name,
                    )
                )

    @api.constrains("anchor", "offset", "offset_unit", "active")
    def _check_offset(self):
        label = self._fields["offset"]._description_string(self.env)
        for step in self:
            unit = _("hours") if step.offset_unit == "hours" else _("days")
            limit = MAX_OFFSET[step.offset_unit]
            if abs(step.offset) > limit:
                raise ValidationError(
                    _(
                        "Aftercare step %(step)s: its %(field)s of %(offset)s %(unit)s is too far "
                        "from its anchor. Enter at most %(limit)s %(unit)s (one year), before "
                        "or after it.",
                        step=step.name,
                        field=label,
                        offset=step.offset,
                        unit=unit,
                        limit=limit,
                    )
                )
            if step.anchor == "done" and step.offset < 0:
                raise ValidationError(
                    _(
                        "Aftercare step %(step)s cannot run before the session is done: its "
                        "%(field)s is %(offset)s %(unit)s from Session Done. Enter 0 or more, "
                        "or anchor it on the next-session window.",
                        step=step.name,
                        field=label,
                        offset=step.offset,
                        unit=unit,
                    )
                )
        self._check_runs_after_done(self.env["res.company"].sudo().search([]))

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _check_runs_after_done(self, companies):
        """Refuse an active step anchored on the next-session window that would run before
        the session is done at one of `companies`: the window's days after the session
        (a company setting) plus the step's offset must not be negative."""
        label = self._fields["offset"]._description_string(self.env)
        anchors = dict(self._fields["anchor"]._description_selection(self.env))
        for step in self.filtered(lambda s: s.active and s.anchor in ANCHOR_SETTINGS):
            setting = ANCHOR_SETTINGS[step.anchor]
            offset = timedelta(**{step.offset_unit: step.offset})
            for company in companies:
                days = company[setting]
                if timedelta(days=days) + offset >= timedelta(0):
                    continue
                unit = _("hours") if step.offset_unit == "hours" else _("days")
                minimum = -days * 24 if step.offset_unit == "hours" else -days
                raise ValidationError(
                    _(
                        "Aftercare step %(step)s would run before the session is done: "
                        "%(anchor)s comes %(days)s days after the session at %(company)s "
                        "(%(setting)s), and its %(field)s is %(offset)s %(unit)s. Enter an "
                        "%(field)s of at least %(minimum)s %(unit)s, or anchor the step on "
                        "Session Done.",
                        step=step.name,
                        anchor=anchors[step.anchor],
                        days=days,
                        company=company.name,
                        setting=company._fields[setting]._description_string(self.env),
                        field=label,
                        offset=step.offset,
                        unit=unit,
                        minimum=minimum,
                    )
                )

    def _scheduled_date(self, session):
        """When this step runs for a done session."""
        self.ensure_one()
        company = session.company_id
        anchor = session.date_done
        # The next-session window counts from the session start, like the booking rule.
        if self.anchor == "window_open":
            anchor = session.start + timedelta(days=company.microneedling_min_interval_days)
        elif self.anchor == "window_close":
            anchor = session.start + timedelta(days=company.microneedling_overdue_days)
        return anchor + timedelta(**{self.offset_unit: self.offset})

    def _activity_user(self, session):
        """Who owns this staff step's activity for `session`, by the step's assignee."""
        self.ensure_one()
        if self.activity_assignee == "reception":
            return session.series_id._reception_user()
        if self.activity_assignee == "manager":
            return (
                session.company_id.microneedling_manager_user_id
                or session.series_id.user_id
                or session.user_id
            )
        return session.user_id or session.series_id.user_id
