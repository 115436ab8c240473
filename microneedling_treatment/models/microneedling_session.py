from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import tools
from . import trusted
from .microneedling_intake import CLEARANCE_STATES

# Sessions that hold a slot in the practitioner's calendar.
EVENT_STATES = ("booked", "done", "no_show")
# The writes its calendar event mirrors.
EVENT_KEYS = {"start", "stop", "state", "user_id", "series_id"}


class MicroneedlingSession(models.Model):
    """A session of a series: its slot, state and clinical record.

    One concern per file, read in this order: this file (fields, CRUD, actions), the
    protocol's booking rules (microneedling_session_rules.py), a manager's override of
    a block (microneedling_session_override.py), the aftercare timeline
    (microneedling_session_aftercare.py) and the booking confirmation and online
    screening link (microneedling_session_screening.py).
    """

    _name = "microneedling.session"
    _description = "Microneedling Session"
    _inherit = [
        "microneedling.input.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "microneedling.restricted.fields.mixin",
    ]
    _order = "start desc, id desc"
    _input_checked_by_model = True

    # Planning
    series_id = fields.Many2one(
        comodel_name="microneedling.series",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="series_id.partner_id", string="Client", store=True, index=True
    )
    company_id = fields.Many2one(related="series_id.company_id", store=True, index=True)
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Practitioner",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        ondelete="set null",
        tracking=True,
    )
    start = fields.Datetime(index=True, tracking=True)
    stop = fields.Datetime(
        compute="_compute_stop", store=True, readonly=False, precompute=True, tracking=True
    )
    state = fields.Selection(
        selection=[
            ("planned", "Planned"),
            ("booked", "Booked"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
            ("no_show", "No-show"),
        ],
        default="booked",
        required=True,
        index=True,
        tracking=True,
    )
    date_done = fields.Datetime(
        string="Marked Done On",
        copy=False,
        help="The aftercare timeline runs from this moment: changing it moves pending steps.",
    )
    sequence_number = fields.Integer(
        string="Session #", compute="_compute_sequence_number", store=True
    )
    event_id = fields.Many2one(
        comodel_name="calendar.event",
        string="Calendar Event",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    # Clinical record: health data, practitioners only
    treated_areas = fields.Char(groups="microneedling_treatment.group_practitioner")
    device = fields.Char(groups="microneedling_treatment.group_practitioner")
    needle_depth = fields.Float(
        string="Needle Depth (mm)",
        digits=(3, 2),
        groups="microneedling_treatment.group_practitioner",
    )
    products_applied = fields.Text(groups="microneedling_treatment.group_practitioner")
    skin_response = fields.Text(
        string="Immediate Skin Response", groups="microneedling_treatment.group_practitioner"
    )
    clinical_notes = fields.Html(groups="microneedling_treatment.group_practitioner")
    side_effect_ids = fields.Many2many(
        comodel_name="microneedling.side.effect",
        string="Side Effects",
        groups="microneedling_treatment.group_practitioner",
        help="Recorded at the day-7 follow-up, from the protocol's list.",
    )
    # Client clearance (no health detail), for the reception calendar
    clearance_state = fields.Selection(
        # Overridden: a manager let the session go ahead despite what blocks it.
        selection=[*CLEARANCE_STATES, ("overridden", "Overridden")],
        string="Client Clearance",
        compute="_compute_clearance",
    )
    clearance_label = fields.Char(string="Clearance", compute="_compute_clearance")
    clearance_color = fields.Integer(compute="_compute_clearance_color")
    session_label = fields.Char(string="Session", compute="_compute_session_label")
    # Calendar quick-create: book for a client, into the open series or a new one
    booking_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Book for Client",
        compute="_compute_booking_partner_id",
        inverse="_inverse_booking_partner_id",
    )

    @api.depends("series_id.user_id", "booking_partner_id")
    def _compute_user_id(self):
        Series = self.env["microneedling.series"]
        for session in self:
            # A done session keeps who treated the client.
            if session.state == "done" and session.user_id:
                continue
            series = session.series_id
            if not series and session.booking_partner_id:
                # The booking dialog shows whom the client's open series books with.
                series = Series._open_for_booking(session.booking_partner_id.id)
            session.user_id = series.user_id or session.user_id

    @api.depends("start")
    def _compute_stop(self):
        for session in self:
            session.stop = session.start and session.start + timedelta(hours=1)

    @api.depends("series_id.session_ids.start", "series_id.session_ids.state")
    def _compute_sequence_number(self):
        for session in self:
            if session.state == "cancelled" or not session.start or not session.series_id:
                session.sequence_number = 0
                continue
            ranked = session.series_id.session_ids.filtered(
                lambda s: s.state != "cancelled" and s.start
            ).sorted(lambda s: (s.start, s._origin.id or 0))
            session.sequence_number = list(ranked).index(session) + 1 if session in ranked else 0

    @api.depends("partner_id")
    def _compute_booking_partner_id(self):
        for session in self:
            session.booking_partner_id = session.partner_id

    def _inverse_booking_partner_id(self):
        """Only meaningful at creation, where create() turns it into a series."""

    @api.depends("partner_id", "company_id", "start", "override_answer_ids")
    def _compute_clearance(self):
        """The client's clearance for this session: at its start (or now, once past),
        from the session's company's screenings; overridden when a manager's override
        lifts everything that blocks it."""
        Intake = self.env["microneedling.intake"]
        now = fields.Datetime.now()
        current = Intake._current_for_partners(self.partner_id, self.company_id)
        overridden = self._overridden_answers()
        for session in self:
            intake = current.get((session.partner_id.id, session.company_id.id), Intake)
            at = max(session.start or now, now)
            state, _until, label = intake._clearance(at)
            covered = overridden.get(session.id)
            if state != "cleared" and covered:
                rest = self._without_overridden(intake._block_reasons(at), covered)
                if intake._clearance_from_reasons(rest)[0] == "cleared":
                    state, label = "overridden", _("Overridden")
            session.clearance_state = state
            session.clearance_label = label

    @api.depends("clearance_state")
    def _compute_clearance_color(self):
        # Calendar colour indexes: green cleared, red blocked, orange review, grey none,
        # blue overridden.
        colors = {"cleared": 10, "blocked": 1, "review": 2, "no_screening": 0, "overridden": 4}
        for session in self:
            session.clearance_color = colors.get(session.clearance_state, 0)

    @api.depends("sequence_number", "series_id.planned_session_count")
    def _compute_session_label(self):
        for session in self:
            session.session_label = _(
                "session %(number)s/%(total)s",
                number=session.sequence_number or "-",
                total=session.series_id.planned_session_count,
            )

    @api.depends("series_id", "sequence_number", "series_id.planned_session_count")
    def _compute_display_name(self):
        for session in self:
            session.display_name = _(
                "%(client)s - session %(number)s/%(total)s",
                client=session.partner_id.name or "",
                number=session.sequence_number or "-",
                total=session.series_id.planned_session_count,
            )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("start", "stop", "state")
    def _check_dates(self):
        for session in self:
            if session.state in EVENT_STATES and not session.start:
                raise ValidationError(
                    _("Give %(session)s a start time to book it.", session=session.display_name)
                )
            if session.start and session.stop and session.stop <= session.start:
                raise ValidationError(
                    _(
                        "%(session)s ends before it starts: set the end after the start.",
                        session=session.display_name,
                    )
                )

    @api.constrains("user_id", "company_id")
    def _check_practitioner_company(self):
        for session in self:
            # The series' practitioner is checked by the series.
            if session.user_id != session.series_id.user_id:
                session.series_id._check_works_for_company(session.user_id, session.display_name)

    @api.constrains("series_id", "state")
    def _check_series_capacity(self):
        for series in self.series_id:
            if series.session_count > series.planned_session_count:
                raise ValidationError(
                    _(
                        "%(series)s for %(client)s plans %(planned)s sessions and would have "
                        "%(count)s: raise the planned number first.",
                        series=series.name,
                        client=series.partner_id.display_name,
                        planned=series.planned_session_count,
                        count=series.session_count,
                    )
                )

    @api.constrains("needle_depth")
    def _check_needle_depth(self):
        for session in self.sudo():
            if not 0 <= session.needle_depth <= 3.0:
                raise ValidationError(
                    _(
                        "Needle depth %(depth)s mm for %(session)s is outside 0-3 mm: "
                        "enter the depth in millimetres.",
                        depth=session.needle_depth,
                        session=session.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list, "create")
        vals_list = self._prepare_booking_values(vals_list)
        for vals in vals_list:
            self._check_restricted_values(vals)
        # The chatter starts with what changes after the booking: no "created" log,
        # and the booker is not made a follower of every session they book.
        sessions = (
            super(MicroneedlingSession, self.with_context(mail_create_nolog=True))
            .create(vals_list)
            .with_env(self.env)
        )
        sessions._check_start_in_time()
        # A series the booking started is numbered now that the booking passed.
        new = self.env._("New")
        sessions.series_id.filtered(lambda s: s.name == new)._assign_number()
        if not trusted.is_raised(self.env, trusted.SYNC):
            sessions._sync_event()
        # A new session may come before others of its series: they are renumbered.
        (sessions.series_id.session_ids - sessions)._sync_event()
        return sessions

    def write(self, vals):
        if self:
            self._check_input_values([vals], "write")
        self._check_restricted_values(vals)
        vals = self._prepare_done_values(vals)
        # A state written back from cancelled or no-show is a new booking; from done,
        # an undo that may reopen a completed course.
        previous = {session.id: session.state for session in self} if "state" in vals else {}
        # Other sessions whose number ("session n/N", in their event's title) may change.
        renumbering = bool({"start", "state", "series_id"} & set(vals))
        siblings = self.series_id.session_ids if renumbering else self.browse()
        result = super().write(vals)
        if "start" in vals:
            self._check_start_in_time()
        elif "state" in vals:
            # Planned, cancelled or a no-show, then booked: a booking, for a coming date.
            rebooked = self.filtered(
                lambda s: previous[s.id] in ("planned", "cancelled", "no_show")
            )
            rebooked._check_start_in_time()
            (self - rebooked)._check_start_in_time(booking=False)
            self.filtered(lambda s: previous[s.id] == "done").series_id._check_reopened()
        to_sync = self.browse()
        if not trusted.is_raised(self.env, trusted.SYNC) and EVENT_KEYS & set(vals):
            to_sync = self
        if renumbering:
            # Also when the change came from the event itself (a drag): its title
            # carries the session's number, which the event cannot know.
            to_sync |= siblings | self.series_id.session_ids
        to_sync._sync_event()
        return result

    def unlink(self):
        events = self.event_id
        result = super().unlink()
        if not trusted.is_raised(self.env, trusted.SYNC):
            events.with_context(**trusted.flag(trusted.SYNC)).unlink()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(session.state == "done" for session in self):
            raise UserError(
                _("A session that was done is part of the client's record: it cannot be deleted.")
            )

    @api.model
    def _prepare_booking_values(self, vals_list):
        """Complete create values: a session created done gets its done time,
        quick-create books into the client's open series, or starts a new course, and a
        session takes its series' practitioner unless another one is chosen."""
        Series = self.env["microneedling.series"]
        result = []
        for vals in map(self._prepare_done_values, vals_list):
            if "user_id" in vals and not vals["user_id"]:
                # An empty practitioner field (a dialog, an import column) is not a
                # choice: the series' practitioner applies.
                vals = {key: value for key, value in vals.items() if key != "user_id"}
            partner_id = vals.pop("booking_partner_id", False)
            if partner_id and not vals.get("series_id"):
                series = Series.with_context(
                    microneedling_number_later=True
                )._get_or_start_for_booking(partner_id, vals.get("user_id"))
                vals = dict(vals, series_id=series.id)
            result.append(vals)
        return result

    @api.model
    def _prepare_done_values(self, vals):
        """A session written as done (import, RPC) gets its done time like action_done."""
        if vals.get("state") == "done" and not vals.get("date_done"):
            vals = dict(vals, date_done=fields.Datetime.now())
        return vals

    def _check_restricted_values(self, vals):
        """Server-side guard for the values only some roles, or only the addon, may set."""
        if self.env.su:
            return
        trusted.check_derived_values(self, [vals])
        user = self.env.user
        keys = set(vals)
        if "event_id" in keys and not trusted.is_raised(self.env, trusted.SYNC):
            raise AccessError(_("A session's calendar event is managed by the session itself."))
        is_practitioner = user.has_group("microneedling_treatment.group_practitioner")
        if vals.get("state") == "done" and not is_practitioner:
            raise AccessError(_("Only a practitioner can mark a session done."))
        if "date_done" in keys and not is_practitioner:
            raise AccessError(_("Only a practitioner can change when a session was done."))
        if (
            keys & EVENT_KEYS
            and not is_practitioner
            and any(session.state == "done" for session in self)
        ):
            raise AccessError(
                _(
                    "A session that was done is part of the clinical record: "
                    "only a practitioner can change it."
                )
            )
        if "series_id" in keys and self:
            target = self.env["microneedling.series"].browse(vals["series_id"]).sudo()
            moved = self.sudo().filtered(
                lambda s: s.series_id.partner_id != target.partner_id
                or s.series_id.company_id != target.company_id
            )
            if moved:
                raise AccessError(
                    _(
                        "%(sessions)s belong to %(client)s: a session cannot move to another "
                        "client's or company's series. Cancel it and book the other client "
                        "instead.",
                        sessions=", ".join(moved.mapped("display_name")),
                        client=moved.partner_id[:1].display_name,
                    )
                )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_book(self):
        self.write({"state": "booked"})
        return True

    def action_done(self):
        """Mark the sessions done now: the whole booking check runs again."""
        not_booked = self.filtered(lambda s: s.state != "booked")
        if not_booked:
            raise UserError(
                _(
                    "Only booked sessions can be marked done: %(sessions)s.",
                    sessions=", ".join(not_booked.mapped("display_name")),
                )
            )
        future = self.filtered(lambda s: s.start > fields.Datetime.now())
        if future:
            raise UserError(
                _(
                    "%(sessions)s has not started yet: mark it done after it took place.",
                    sessions=", ".join(future.mapped("display_name")),
                )
            )
        self.write({"state": "done"})
        return True

    def action_reset_to_booked(self):
        self.write({"state": "booked", "date_done": False})
        return True

    def action_cancel(self):
        self.write({"state": "cancelled"})
        return True

    def action_no_show(self):
        self.write({"state": "no_show"})
        return True

    def action_confirm_screening_unchanged(self):
        """Practitioner's one-click re-screening: the client confirms nothing changed."""
        current = self.env["microneedling.intake"]._current_for_partners(
            self.partner_id, self.company_id
        )
        intakes = self.env["microneedling.intake"].browse([i.id for i in current.values()])
        if any((s.partner_id.id, s.company_id.id) not in current for s in self):
            raise UserError(_("This client has no submitted screening yet: screen them first."))
        intakes.action_confirm_unchanged()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _history_import_sessions(self):
        """The sessions the history import records as done in the past: only under its
        trusted flag, which no client can raise."""
        if not trusted.is_raised(self.env, trusted.HISTORY):
            return self.browse()
        now = fields.Datetime.now()
        return self.filtered(lambda s: s.state == "done" and s.start and s.start <= now)

    def _sync_event(self):
        """Make each session's calendar event match it (idempotent)."""
        self.env["calendar.event"]._microneedling_mirror_sessions(self)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _format_datetime(self, value):
        return tools.format_user_datetime(self.env, value)
