from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from . import trusted

MIN_COURSE_SESSIONS = 3
# "Continued until desired results are achieved": a bound that catches typos.
MAX_PLANNED_SESSIONS = 24
# A series that still books sessions.
OPEN_STATES = ("new", "in_progress")
# Shared with the series analysis report.
SERIES_KINDS = [("course", "Course"), ("tune_up", "Tune-up")]
SERIES_STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("done", "Completed"),
    ("cancelled", "Cancelled"),
]


class MicroneedlingSeries(models.Model):
    _name = "microneedling.series"
    _description = "Microneedling Treatment Series"
    _inherit = ["microneedling.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _input_checked_by_model = True

    # Identification
    name = fields.Char(
        required=True, copy=False, readonly=True, default=lambda self: _("New"), index="trigram"
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Practitioner",
        index=True,
        ondelete="set null",
        tracking=True,
        default=lambda self: self._default_user_id(),
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="restrict",
    )
    lead_id = fields.Many2one(
        comodel_name="crm.lead",
        string="Opportunity",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
    )
    # Plan
    kind = fields.Selection(
        selection=SERIES_KINDS,
        required=True,
        default="course",
        tracking=True,
        help="Course: the series of at least 3 sessions, 4 to 6 weeks apart.\n"
        "Tune-up: a periodic session after a completed course.",
    )
    planned_session_count = fields.Integer(
        string="Planned Sessions",
        compute="_compute_planned_session_count",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    skin_goal_ids = fields.Many2many(comodel_name="microneedling.skin.goal", string="Skin Goals")
    notes = fields.Html()
    # Sessions and progress
    session_ids = fields.One2many(
        comodel_name="microneedling.session", inverse_name="series_id", string="Sessions"
    )
    session_done_count = fields.Integer(
        string="Sessions Done", compute="_compute_session_stats", store=True
    )
    session_count = fields.Integer(compute="_compute_session_stats", store=True)
    progress = fields.Float(compute="_compute_session_stats", store=True, aggregator="avg")
    last_done_date = fields.Datetime(
        string="Last Session", compute="_compute_session_stats", store=True
    )
    next_session_date = fields.Datetime(
        string="Next Booked Session", compute="_compute_session_stats", store=True
    )
    window_open_date = fields.Datetime(
        string="Next Session From",
        compute="_compute_window_dates",
        store=True,
        help="Earliest start of the next session (last session + minimum interval).",
    )
    overdue_date = fields.Datetime(
        string="Overdue After",
        compute="_compute_window_dates",
        store=True,
        help="Without a session booked by then, the series is overdue.",
    )
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    cancel_date = fields.Datetime(readonly=True, copy=False)
    aftercare_pending_ids = fields.One2many(
        comodel_name="microneedling.aftercare.schedule",
        inverse_name="series_id",
        string="Pending Aftercare",
        domain=[("state", "=", "pending")],
        readonly=True,
    )
    state = fields.Selection(
        selection=SERIES_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        # The kanban by status always shows every column, in the workflow's order.
        group_expand=True,
    )

    @api.model
    def _default_user_id(self):
        # A practitioner plans their own series; reception picks the practitioner.
        if self.env.user.has_group("microneedling_treatment.group_practitioner"):
            return self.env.user
        return self.env["res.users"]

    @api.depends("kind")
    def _compute_planned_session_count(self):
        for series in self:
            series.planned_session_count = 1 if series.kind == "tune_up" else 6

    @api.depends("session_ids.state", "session_ids.start", "planned_session_count")
    def _compute_session_stats(self):
        for series in self:
            sessions = series.session_ids
            done = sessions.filtered(lambda s: s.state == "done")
            booked = sessions.filtered(lambda s: s.state == "booked")
            series.session_done_count = len(done)
            series.session_count = len(sessions.filtered(lambda s: s.state != "cancelled"))
            planned = series.planned_session_count
            series.progress = 100.0 * min(len(done), planned) / planned if planned > 0 else 0.0
            series.last_done_date = max(done.mapped("start"), default=False)
            series.next_session_date = min(booked.mapped("start"), default=False)

    @api.depends(
        "last_done_date",
        "company_id.microneedling_min_interval_days",
        "company_id.microneedling_overdue_days",
    )
    def _compute_window_dates(self):
        for series in self:
            last = series.last_done_date
            company = series.company_id
            series.window_open_date = last and last + timedelta(
                days=company.microneedling_min_interval_days
            )
            series.overdue_date = last and last + timedelta(days=company.microneedling_overdue_days)

    @api.depends("session_done_count", "session_count", "planned_session_count", "cancel_date")
    def _compute_state(self):
        for series in self:
            if series.cancel_date:
                series.state = "cancelled"
            elif series.planned_session_count and (
                series.session_done_count >= series.planned_session_count
            ):
                series.state = "done"
            elif series.session_count:
                series.state = "in_progress"
            else:
                series.state = "new"

    @api.depends("state", "overdue_date", "session_ids.state", "session_ids.start")
    def _compute_is_overdue(self):
        # Overdue until the next session is booked, even one after the overdue date:
        # reception has then done what the series needed. A booking left open in the
        # past (never marked done or no-show) is no next session.
        now = fields.Datetime.now()
        # sudo: whether a coming booking exists, across the series' companies.
        coming = (
            self.env["microneedling.session"]
            .sudo()
            .search_fetch(
                [
                    ("series_id", "in", self._origin.ids),
                    ("state", "=", "booked"),
                    ("start", ">=", now),
                ],
                ["series_id"],
            )
            .series_id.ids
        )
        for series in self:
            series.is_overdue = bool(
                series.state == "in_progress"
                and series.overdue_date
                and series.overdue_date < now
                and series._origin.id not in coming
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Filter overdue series with = or != and a boolean value."))
        now = fields.Datetime.now()
        coming = [("state", "=", "booked"), ("start", ">=", now)]
        if (operator == "=") == value:
            return [
                ("state", "=", "in_progress"),
                ("overdue_date", "<", now),
                ("session_ids", "not any", coming),
            ]
        return [
            "|",
            "|",
            "|",
            ("state", "!=", "in_progress"),
            ("overdue_date", "=", False),
            ("overdue_date", ">=", now),
            ("session_ids", "any", coming),
        ]

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("user_id", "company_id")
    def _check_practitioner_company(self):
        for series in self:
            series._check_works_for_company(series.user_id, series.name)

    def _check_works_for_company(self, user, what):
        """A practitioner works for the series' company: its to-dos and clients are
        that company's."""
        self.ensure_one()
        if user and self.company_id not in user.sudo().company_ids:
            raise ValidationError(
                _(
                    "%(user)s does not work for %(company)s: choose one of its "
                    "practitioners for %(record)s.",
                    user=user.name,
                    company=self.company_id.name,
                    record=what,
                )
            )

    @api.constrains("kind", "planned_session_count")
    def _check_planned_session_count(self):
        for series in self:
            if series.kind == "course" and series.planned_session_count < MIN_COURSE_SESSIONS:
                raise ValidationError(
                    _(
                        "%(series)s for %(client)s plans %(count)s session(s): a microneedling "
                        "course is at least %(minimum)s sessions (a single treatment does not "
                        "produce results). Plan %(minimum)s or more, or make it a tune-up.",
                        series=series.name,
                        client=series.partner_id.display_name,
                        count=series.planned_session_count,
                        minimum=MIN_COURSE_SESSIONS,
                    )
                )
            if not 1 <= series.planned_session_count <= MAX_PLANNED_SESSIONS:
                raise ValidationError(
                    _(
                        "%(series)s plans %(count)s sessions: Planned Sessions goes from 1 to "
                        "%(maximum)s.",
                        series=series.name,
                        count=series.planned_session_count,
                        maximum=MAX_PLANNED_SESSIONS,
                    )
                )

    @api.constrains("kind", "partner_id")
    def _check_tune_up_eligibility(self):
        tune_ups = self.filtered(lambda s: s.kind == "tune_up")
        if not tune_ups:
            return
        completed = self.sudo().search(
            [
                ("partner_id", "in", tune_ups.partner_id.ids),
                ("kind", "=", "course"),
                ("state", "=", "done"),
            ]
        )
        eligible = completed.partner_id
        for series in tune_ups:
            if series.partner_id not in eligible:
                raise ValidationError(
                    _(
                        "%(client)s has not completed a microneedling course yet: tune-ups "
                        "are for clients who have. Plan a course instead.",
                        client=series.partner_id.display_name,
                    )
                )

    @api.constrains("planned_session_count", "kind")
    def _check_session_count(self):
        self.partner_id._microneedling_lock()
        self.session_ids._check_series_capacity()
        self._check_reopened()

    def _check_reopened(self):
        """A completed course reopened (a session un-done, its plan raised) is open again:
        the client still has one open course at a time, and a tune-up still needs a
        completed course."""
        courses = self.filtered(lambda s: s.kind == "course" and s.state in OPEN_STATES)
        courses._check_single_open_course()
        courses.partner_id.microneedling_series_ids.filtered(
            lambda s: s.kind == "tune_up" and s.state in OPEN_STATES
        )._check_tune_up_eligibility()

    @api.constrains("kind", "partner_id", "cancel_date", "planned_session_count")
    def _check_single_open_course(self):
        """A client follows one course at a time: two open courses would book sessions
        that the spacing rule then refuses, or lose track of which course is running.
        The clients are locked first: two transactions cannot each open one."""
        courses = self.filtered(lambda s: s.kind == "course" and s.state in OPEN_STATES)
        if not courses:
            return
        courses.partner_id._microneedling_lock()
        open_courses = self.sudo().search(
            [
                ("partner_id", "in", courses.partner_id.ids),
                ("kind", "=", "course"),
                ("state", "in", OPEN_STATES),
            ]
        )
        for series in courses:
            others = open_courses.filtered(
                lambda o, series=series: o.partner_id == series.partner_id and o.id != series.id
            )
            if others:
                raise ValidationError(
                    _(
                        "%(client)s already follows the course %(other)s: a client has one "
                        "open course at a time. Book into it, or complete or cancel it first.",
                        client=series.partner_id.display_name,
                        other=", ".join(others.mapped("name")),
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list, "create")
        trusted.check_derived_values(self, vals_list)
        new = self.env._("New")
        to_number = [vals.get("name", new) == new for vals in vals_list]
        series = super().create(vals_list)
        # Numbered once the series passed its checks: a refused series takes no number.
        # A series started by a booking is numbered once the booking passed its own
        # (see microneedling.session), hence the context key.
        if not self.env.context.get("microneedling_number_later"):
            series.browse(
                [record.id for record, number in zip(series, to_number, strict=True) if number]
            )._assign_number()
        return series

    def write(self, vals):
        if self:
            self._check_input_values([vals], "write")
        trusted.check_derived_values(self, [vals])
        if {"partner_id", "company_id"} & set(vals):
            locked = self.filtered(
                lambda s: s.session_ids.filtered(lambda session: session.state != "cancelled")
            )
            if locked:
                raise UserError(
                    _(
                        "%(series)s already has sessions: its client and company can no longer "
                        "change. Cancel the series and plan a new one instead.",
                        series=", ".join(locked.mapped("name")),
                    )
                )
        result = super().write(vals)
        if {"user_id", "planned_session_count"} & set(vals):
            # The practitioner attends, and "session n/N" is in the event's title.
            self.session_ids._sync_event()
        return result

    def unlink(self):
        # Sessions own calendar events: delete them through the ORM, not the SQL cascade.
        self.session_ids.unlink()
        return super().unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_done_sessions(self):
        done = self.filtered(lambda s: s.session_done_count)
        if done:
            raise UserError(
                _(
                    "%(series)s already has sessions done, which belong to the client's record: "
                    "cancel the series instead of deleting it.",
                    series=", ".join(done.mapped("name")),
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_cancel(self):
        self.session_ids.filtered(lambda s: s.state in ("planned", "booked")).action_cancel()
        self.write({"cancel_date": fields.Datetime.now()})
        return True

    def action_reopen(self):
        self.write({"cancel_date": False})
        return True

    def action_view_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "microneedling_treatment.microneedling_session_action"
        )
        action["domain"] = [("series_id", "=", self.id)]
        action["context"] = {"default_series_id": self.id}
        return action

    def action_book_next_session(self):
        """Open the free slots of the next-session window, ready to book."""
        self.ensure_one()
        wizard = self.env["microneedling.book.next.wizard"].create({"series_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Book Next Session"),
            "res_model": "microneedling.book.next.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _get_or_start_for_booking(self, partner_id, user_id=False):
        """The client's open series in the current company that still has room, or a
        new course (with the practitioner chosen for the booking)."""
        series = self._open_for_booking(partner_id)
        return series or self.create({"partner_id": partner_id, "user_id": user_id or False})

    @api.model
    def _open_for_booking(self, partner_id):
        """The client's open series in the current company that still has room."""
        return self.search(
            [
                ("partner_id", "=", partner_id),
                ("company_id", "=", self.env.company.id),
                ("state", "in", OPEN_STATES),
            ],
            order="id desc",
        ).filtered(lambda s: s.session_count < s.planned_session_count)[:1]

    @api.model
    def _client_partner_ids(self, partner_ids=None):
        """Ids of the treatment clients: partners with a series or a screening in the
        user's companies (among partner_ids when given). Screenings are read whoever
        asks: only the fact that a client was screened comes out."""
        if partner_ids is not None and not partner_ids:
            return []
        self.flush_model(["partner_id", "company_id"])
        self.env["microneedling.intake"].flush_model(["partner_id", "company_id"])
        among = SQL("AND partner_id IN %s", tuple(partner_ids)) if partner_ids else SQL()
        companies = tuple(self.env.companies.ids)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id FROM microneedling_series
                 WHERE company_id IN %(companies)s %(among)s
                 UNION
                SELECT partner_id FROM microneedling_intake
                 WHERE company_id IN %(companies)s %(among)s
                """,
                companies=companies,
                among=among,
            )
        )
        return [partner_id for (partner_id,) in rows]

    def _assign_number(self):
        """Give each series the next number of the series sequence.

        A standard (PostgreSQL) sequence: a number is taken without locking, so a long
        transaction (an import step) never makes the desk wait. Numbers are taken only
        once the checks passed, so a refused attempt leaves no gap; a transaction that
        fails later (a crash, a lost concurrent update) still may.
        """
        for series in self:
            series.name = self.env["ir.sequence"].next_by_code("microneedling.series") or _("New")

    def _request_screening(self):
        """Ask each series' practitioner to screen the client before the first session."""
        for series in self:
            series.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Screen the client before the first session"),
                user_id=(series.user_id or self.env.user).id,
            )

    def _reception_user(self):
        """Who takes reception's tasks for this series: the company's reception user,
        else whoever booked the series."""
        self.ensure_one()
        return self.company_id.microneedling_reception_user_id or self.create_uid
