from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import tools
from . import trusted
from .microneedling_intake import CLEARANCE_STATES

ACTIVE_STATES = ("booked", "done")
# Reasons a manager's override lifts; absolute contraindications, a missing
# screening and the spacing between sessions are never overridden.
OVERRIDABLE_REASONS = ("window", "review")
# A booking is for a coming date (a walk-in from earlier today is still booked);
# a session that took place long ago is recorded as done by a practitioner.
PAST_BOOKING_GRACE = timedelta(hours=24)
# Sessions that hold a slot in the practitioner's calendar.
EVENT_STATES = ("booked", "done", "no_show")


class MicroneedlingSession(models.Model):
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
    # Aftercare
    aftercare_schedule_ids = fields.One2many(
        comodel_name="microneedling.aftercare.schedule",
        inverse_name="session_id",
        string="Aftercare Timeline",
        readonly=True,
    )
    aftercare_paused = fields.Boolean(related="company_id.microneedling_aftercare_paused")
    aftercare_window_start = fields.Date(
        string="Next Session From",
        compute="_compute_aftercare_window",
        help="First day of the next-session window, in the client's time zone.",
    )
    aftercare_window_end = fields.Date(
        string="Next Session By",
        compute="_compute_aftercare_window",
        help="Last day of the next-session window, in the client's time zone.",
    )
    # Manager override of the clearance block; its reason is usually clinical
    override_reason = fields.Text(
        copy=False,
        help="A manager's reason to let the session go ahead despite a time window or an "
        "uncleared review answer. Absolute contraindications cannot be overridden.",
        tracking=True,
        groups="microneedling_treatment.group_practitioner",
    )
    override_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Overridden By",
        readonly=True,
        copy=False,
        ondelete="restrict",
        tracking=True,
    )
    override_date = fields.Datetime(readonly=True, copy=False)
    override_answer_ids = fields.Many2many(
        comodel_name="microneedling.intake.answer",
        string="Overridden Answers",
        readonly=True,
        copy=False,
        groups="microneedling_treatment.group_practitioner",
        help="The answers the manager reviewed when overriding: a later screening's answers "
        "are not covered.",
    )
    # Client clearance (no health detail), for the reception calendar
    clearance_state = fields.Selection(
        selection=CLEARANCE_STATES,
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

    @api.depends("series_id.user_id")
    def _compute_user_id(self):
        for session in self:
            # A done session keeps who treated the client.
            if session.state != "done" or not session.user_id:
                session.user_id = session.series_id.user_id or session.user_id

    @api.depends(
        "start",
        "partner_id.tz",
        "company_id.microneedling_min_interval_days",
        "company_id.microneedling_overdue_days",
    )
    def _compute_aftercare_window(self):
        for session in self:
            if not session.start:
                session.aftercare_window_start = session.aftercare_window_end = False
                continue
            company = session.company_id
            tz = pytz.timezone(session.partner_id.tz or company.partner_id.tz or "UTC")
            local_start = pytz.utc.localize(session.start).astimezone(tz)
            session.aftercare_window_start = (
                local_start + timedelta(days=company.microneedling_min_interval_days)
            ).date()
            session.aftercare_window_end = (
                local_start + timedelta(days=company.microneedling_overdue_days)
            ).date()

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

    @api.depends("partner_id", "company_id", "start")
    def _compute_clearance(self):
        """The client's clearance for this session: at its start (or now, once past),
        from the session's company's screenings."""
        Intake = self.env["microneedling.intake"]
        now = fields.Datetime.now()
        current = Intake._current_for_partners(self.partner_id, self.company_id)
        for session in self:
            intake = current.get((session.partner_id.id, session.company_id.id), Intake)
            state, _until, label = intake._clearance(max(session.start or now, now))
            session.clearance_state = state
            session.clearance_label = label

    @api.depends("clearance_state")
    def _compute_clearance_color(self):
        # Calendar colour indexes: green cleared, red blocked, orange review, grey none.
        colors = {"cleared": 10, "blocked": 1, "review": 2, "no_screening": 0}
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

    def _check_start_in_time(self, booking=True):
        """Done only once it took place; booked (created or moved) for a coming date.
        Putting a past session back to booked (an undo) is not a new booking."""
        if self.env.su:
            return
        now = fields.Datetime.now()
        for session in self.filtered("start"):
            if (
                booking
                and session.state in ("planned", "booked")
                and session.start < now - PAST_BOOKING_GRACE
            ):
                raise ValidationError(
                    _(
                        "%(session)s would be booked on %(start)s, in the past: choose a "
                        "coming date, or have a practitioner record a session that took place "
                        "as done.",
                        session=session.display_name,
                        start=self._format_datetime(session.start),
                    )
                )
            if session.state == "done" and session.start > now:
                raise ValidationError(
                    _(
                        "%(session)s starts on %(start)s, in the future: a session is done "
                        "once it took place.",
                        session=session.display_name,
                        start=self._format_datetime(session.start),
                    )
                )

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

    @api.constrains("start", "state", "series_id", "override_reason")
    def _check_booking_rules(self):
        """Refuse, as a whole, any booked or done session the protocol forbids."""
        problems = self._get_booking_problems()
        if problems:
            blocks = []
            for session, reasons in problems.items():
                blocks.append(
                    _(
                        "%(client)s cannot have a microneedling session on %(start)s:",
                        client=session.partner_id.display_name,
                        start=self._format_datetime(session.start),
                    )
                    + "\n"
                    + "\n".join(f"- {text}" for text in tools.reason_texts(self.env, reasons))
                )
            raise ValidationError("\n\n".join(blocks))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list, "create")
        vals_list = self._prepare_booking_series(
            [self._prepare_override_values(self._prepare_done_values(vals)) for vals in vals_list]
        )
        for vals in vals_list:
            self._check_restricted_values(vals)
        vals_list = [
            dict(
                vals,
                override_answer_ids=self._override_coverage(vals["series_id"], vals.get("start")),
            )
            if vals.get("override_reason") and vals.get("series_id")
            else vals
            for vals in vals_list
        ]
        # The chatter starts with what changes after the booking: no "created" log,
        # and the booker is not made a follower of every session they book.
        sessions = (
            super(MicroneedlingSession, self.with_context(mail_create_nolog=True))
            .create(vals_list)
            .with_env(self.env)
        )
        sessions._check_start_in_time()
        if not trusted.is_raised(self.env, trusted.SYNC):
            sessions._sync_event()
        # Aftercare is part of the session's own life, like core event's mail
        # schedulers: no separate rule whose archiving would silently stop it. A
        # booking withdraws the series' "book the next session" follow-ups.
        sessions.series_id.session_ids.filtered(
            lambda s: s.state == "done"
        )._sync_aftercare_schedule()
        # A new session may come before others of its series: they are renumbered.
        (sessions.series_id.session_ids - sessions)._sync_event()
        return sessions

    def write(self, vals):
        if vals.get("override_reason") and len(self) > 1:
            # What an override covers depends on each session's client and time.
            for session in self:
                session.write(vals)
            return True
        if self:
            self._check_input_values([vals], "write")
        self._check_restricted_values(vals)
        vals = self._prepare_override_values(self._prepare_done_values(vals))
        if vals.get("override_reason") and self:
            coverage = self._override_coverage(
                vals.get("series_id", self.series_id.id), vals.get("start", self.start)
            )
            vals = dict(vals, override_answer_ids=coverage)
        expired = self._expired_overrides(vals)
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
            rebooked = self.filtered(lambda s: previous[s.id] in ("cancelled", "no_show"))
            rebooked._check_start_in_time()
            (self - rebooked)._check_start_in_time(booking=False)
            self.filtered(lambda s: previous[s.id] == "done").series_id._check_reopened()
        if expired:
            # sudo: reception may move an overridden session without access to the
            # (clinical) reason; the booking check then runs without the override.
            super(MicroneedlingSession, expired).write(
                {
                    "override_reason": False,
                    "override_user_id": False,
                    "override_date": False,
                    "override_answer_ids": [fields.Command.clear()],
                }
            )
        to_sync = self.browse()
        if not trusted.is_raised(self.env, trusted.SYNC) and {
            "start",
            "stop",
            "state",
            "user_id",
            "series_id",
        } & set(vals):
            to_sync = self
        if renumbering:
            # Also when the change came from the event itself (a drag): its title
            # carries the session's number, which the event cannot know.
            to_sync |= siblings | self.series_id.session_ids
        to_sync._sync_event()
        if {"state", "date_done", "start"} & set(vals):
            (self | siblings | self.series_id.session_ids).filtered(
                lambda s: s.state == "done" or s in self
            )._sync_aftercare_schedule()
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
    def _prepare_booking_series(self, vals_list):
        """Quick-create books into the client's open series, or starts a new course."""
        Series = self.env["microneedling.series"]
        result = []
        for vals in vals_list:
            partner_id = vals.pop("booking_partner_id", False)
            if partner_id and not vals.get("series_id"):
                series = Series._get_or_start_for_booking(partner_id, vals.get("user_id"))
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
            keys & {"start", "stop", "series_id", "state", "user_id"}
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
        if "override_answer_ids" in keys:
            raise AccessError(
                _("What an override covers is recorded by the server when it is given.")
            )
        if keys & {"override_reason", "override_user_id", "override_date"} and not (
            user.has_group("microneedling_treatment.group_manager")
        ):
            raise AccessError(_("Only a microneedling manager can override a session's block."))

    def _expired_overrides(self, vals):
        """Overrides a write ends: an override holds for one slot of one series."""
        if "override_reason" in vals or not {"start", "series_id"} & set(vals):
            return self.browse()
        return self.sudo().filtered("override_reason")

    @api.model
    def _override_coverage(self, series_id, start):
        """An override covers the answers that block the session when it is given (a
        time window, an uncleared review item): not what a later screening says.
        Returns the x2many command recording them."""
        series = self.env["microneedling.series"].sudo().browse(series_id)
        start = fields.Datetime.to_datetime(start)
        Intake = self.env["microneedling.intake"]
        current = Intake._current_for_partners(series.partner_id, series.company_id)
        intake = current.get((series.partner_id.id, series.company_id.id), Intake)
        covered = [
            reason["answer_id"]
            for reason in (intake._block_reasons(start) if intake and start else [])
            if reason["type"] in OVERRIDABLE_REASONS
        ]
        return [fields.Command.set(covered)]

    @api.model
    def _prepare_override_values(self, vals):
        """An override names its author and lasts while the session keeps its slot."""
        if "override_reason" in vals:
            raw = vals["override_reason"]
            if raw is not False and not isinstance(raw, str):
                raise ValidationError(
                    _("The override reason must be text: say why the session may go ahead.")
                )
            reason = (raw or "").strip()
            if raw is not False and not reason:
                raise UserError(_("An override needs a reason: say why the session may go ahead."))
            vals = dict(
                vals,
                override_reason=reason or False,
                override_user_id=reason and self.env.uid,
                override_date=reason and fields.Datetime.now(),
            )
        return vals

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

    def action_aftercare_sheet(self):
        return self.env.ref("microneedling_treatment.action_report_aftercare_sheet").report_action(
            self
        )

    def action_open_override_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Block"),
            "res_model": "microneedling.session.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _override(self, reason):
        """Manager override of the clearance block, with its mandatory reason."""
        if not (reason or "").strip():
            raise UserError(_("An override needs a reason: say why the session may go ahead."))
        self.write({"override_reason": reason})

    def _sync_aftercare_schedule(self):
        """Keep the sessions' aftercare timeline in step with them (see the schedule).
        Hook for the history import: its past sessions get no aftercare at all."""
        rest = self - self._history_import_sessions()
        self.env["microneedling.aftercare.schedule"]._sync_sessions(rest)

    def _aftercare_assignee(self, role):
        """The user who owns a staff step: practitioner, reception or manager."""
        self.ensure_one()
        company = self.company_id
        if role == "reception":
            return company.microneedling_reception_user_id or self.series_id.create_uid
        if role == "manager":
            return company.microneedling_manager_user_id or self.series_id.user_id or self.user_id
        return self.user_id or self.series_id.user_id

    def _get_booking_problems(self):
        """{session: [reason, ...]} for every booked or done session the rules refuse.

        The cost is a constant number of queries for the whole batch, whatever the
        clients' history: one for the screenings, one for their present answers, one
        for the client's other sessions. The clients' rows are locked first, so two
        transactions booking for one client never both pass on what each read alone.
        """
        sessions = self.filtered(lambda s: s.state in ACTIVE_STATES and s.start)
        # Hook for the history import (trusted.HISTORY, server code only): a session done in
        # the past in another system is a fact to record, not a booking to allow.
        sessions -= sessions._history_import_sessions()
        if not sessions:
            return {}
        sessions.partner_id._microneedling_lock()
        problems = {}
        # sudo: whoever books may rely on an override without reading its reason.
        overridden = {
            session.id: set(session.override_answer_ids.ids)
            for session in sessions.sudo().filtered("override_reason")
        }
        Intake = self.env["microneedling.intake"]
        current = Intake._current_for_partners(sessions.partner_id, sessions.company_id)
        for session in sessions:
            intake = current.get((session.partner_id.id, session.company_id.id), Intake)
            reasons = intake._block_reasons(session.start)
            if session.id in overridden:
                # A manager's override covers time windows and review answers only, and
                # only the answers it was given for.
                covered = overridden[session.id]
                reasons = [
                    r
                    for r in reasons
                    if not (r["type"] in OVERRIDABLE_REASONS and r.get("answer_id") in covered)
                ]
            if session.state == "done":
                reasons += session._confirmation_reasons(intake)
            if reasons:
                problems[session] = reasons
        for session, reasons in sessions._spacing_reasons().items():
            problems.setdefault(session, []).extend(reasons)
        return problems

    def _history_import_sessions(self):
        """The sessions the history import records as done in the past: only under its
        trusted flag, which no client can raise."""
        if not trusted.is_raised(self.env, trusted.HISTORY):
            return self.browse()
        now = fields.Datetime.now()
        return self.filtered(lambda s: s.state == "done" and s.start and s.start <= now)

    def _confirmation_reasons(self, intake):
        """Answers must have been confirmed recently before a session is marked done."""
        self.ensure_one()
        if not intake:
            return []  # "no screening" is already reported
        days = self.company_id.microneedling_confirmation_days
        confirmed = intake.confirmed_date
        if confirmed and confirmed >= self.start - timedelta(days=days):
            return []
        return [
            {
                "type": "confirmation",
                "until": False,
                "message": _(
                    "the answers were last confirmed on %(date)s: they must be confirmed at "
                    "most %(days)s days before the session; ask the client and confirm them",
                    date=self._format_datetime(confirmed) if confirmed else _("never"),
                    days=days,
                ),
            }
        ]

    def _spacing_reasons(self):
        """Sessions closer than the company's minimum interval to another session of the
        same client: the interval protects the client's skin, whatever the series, its
        kind or the company that booked it."""
        others = self.sudo().search_fetch(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("state", "in", ACTIVE_STATES),
                ("start", "!=", False),
            ],
            ["partner_id", "start"],
        )
        by_client = others.grouped("partner_id")
        result = {}
        for session in self:
            days = session.company_id.microneedling_min_interval_days
            gap = timedelta(days=days)
            for other in by_client.get(session.partner_id.sudo(), others.browse()):
                if other.id == session.id:
                    continue
                if abs(other.start - session.start) < gap:
                    earliest = other.start + gap if other.start < session.start else False
                    result.setdefault(session, []).append(
                        {
                            "type": "spacing",
                            "until": earliest,
                            "message": _(
                                "the client has another session on %(other)s: sessions "
                                "must be at least %(days)s days apart%(earliest)s",
                                other=self._format_datetime(other.start),
                                days=days,
                                earliest=_(
                                    "; earliest %(date)s", date=self._format_datetime(earliest)
                                )
                                if earliest
                                else "",
                            ),
                        }
                    )
        return result

    def _sync_event(self):
        """Make each session's calendar event match it (idempotent)."""
        self.env["calendar.event"]._microneedling_mirror_sessions(self)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _format_datetime(self, value):
        return tools.format_user_datetime(self.env, value)
