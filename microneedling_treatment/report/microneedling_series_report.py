import logging
from datetime import datetime, time, timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.tools import SQL, format_date, formatLang

from ..models.microneedling_series import SERIES_KINDS, SERIES_STATES

_logger = logging.getLogger(__name__)

# A completed course "returns" when a tune-up session is done within this many months.
TUNE_UP_MONTHS = 6

# Conditions shared by several columns; `s` is the series, `c` its company.
# Nothing booked from now on (a booking left open in the past is no next session).
NOTHING_COMING = """NOT EXISTS (
    SELECT 1 FROM microneedling_session coming
     WHERE coming.series_id = s.id AND coming.state = 'booked' AND coming.start >= %(now)s
)"""
COMPLETED = "(s.planned_session_count > 0 AND s.session_done_count >= s.planned_session_count)"
DROPPED_OUT = f"""(NOT {COMPLETED} AND (
    (s.state = 'cancelled' AND s.session_done_count > 0)
    OR (s.state = 'in_progress' AND {NOTHING_COMING}
        AND s.overdue_date + make_interval(days => c.microneedling_dropout_grace_days) < %(now)s)
))"""
# Same test as microneedling.series.is_overdue, minus the series already dropped out.
OVERDUE = f"""(s.state = 'in_progress' AND s.overdue_date < %(now)s
    AND {NOTHING_COMING}
    AND NOT {DROPPED_OUT})"""
TUNE_UP_DONE = f"""({COMPLETED} AND s.kind = 'course' AND EXISTS (
    SELECT 1
      FROM microneedling_session t
      JOIN microneedling_series ts ON ts.id = t.series_id
     WHERE t.partner_id = s.partner_id AND t.company_id = s.company_id
       AND ts.kind = 'tune_up' AND t.state = 'done'
       AND t.start > s.last_done_date
       AND t.start <= s.last_done_date + interval '{TUNE_UP_MONTHS} months'
))"""


# Phorest's rebooking: a done visit counts as rebooked when the client's next session
# (any series, same company) was booked by the end of the visit day (UTC) and is not
# cancelled since. `visit` is the done session.
REBOOKED = """EXISTS (
    SELECT 1
      FROM microneedling_session next_visit
     WHERE next_visit.partner_id = visit.partner_id
       AND next_visit.company_id = visit.company_id
       AND next_visit.id != visit.id
       AND next_visit.start > visit.start
       AND next_visit.state IN ('booked', 'done', 'no_show')
       AND next_visit.create_date < CAST(visit.start AS date) + 1
)"""


class MicroneedlingSeriesReport(models.Model):
    """One row per series, with its outcome against the protocol.

    Read-only SQL query over the series and their sessions. It is a `_table_query`
    (as `account.invoice.report`) rather than a view created in `init()`: overdue and
    drop-out depend on the current time, which is passed from the ORM's clock instead
    of the database's `now()`, so the report and `microneedling.series.is_overdue`
    always agree (and tests can move time).
    Rates are proper ratios: the completion and drop-out rates are averages of 0/100
    over series rows (each series weighs one); session-based rates (on cadence,
    rebooking) and the tune-up return rate are ratios of two summed measures.
    """

    _name = "microneedling.series.report"
    _description = "Microneedling Series Analysis"
    _auto = False
    _rec_name = "series_id"
    _order = "cohort_date desc, id desc"
    _depends = {
        "microneedling.series": [
            "partner_id",
            "user_id",
            "company_id",
            "kind",
            "state",
            "planned_session_count",
            "session_done_count",
            "last_done_date",
            "next_session_date",
            "overdue_date",
            "cancel_date",
            "skin_goal_ids",
        ],
        "microneedling.session": [
            "series_id",
            "partner_id",
            "company_id",
            "start",
            "state",
            "create_date",
            "side_effect_ids",
        ],
        "res.company": [
            "microneedling_min_interval_days",
            "microneedling_overdue_days",
            "microneedling_dropout_grace_days",
        ],
    }

    # Dimensions
    series_id = fields.Many2one(comodel_name="microneedling.series", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Client", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Practitioner", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    kind = fields.Selection(selection=SERIES_KINDS, readonly=True)
    state = fields.Selection(
        selection=SERIES_STATES,
        string="Status",
        readonly=True,
    )
    outcome = fields.Selection(
        selection=[
            ("completed", "Completed"),
            ("dropped_out", "Dropped Out"),
            ("overdue", "Overdue"),
            ("on_track", "On Track"),
            ("not_started", "Not Started"),
            ("cancelled", "Cancelled Before Starting"),
        ],
        readonly=True,
        help="Completed: all planned sessions done. Dropped out: cancelled after a done "
        "session, or overdue for longer than the company's drop-out grace with nothing "
        "booked. Overdue: past its overdue date with no session booked, within "
        "the grace. On track: in progress and not overdue.",
    )
    skin_goal_ids = fields.Many2many(
        comodel_name="microneedling.skin.goal",
        relation="microneedling_series_microneedling_skin_goal_rel",
        column1="microneedling_series_id",
        column2="microneedling_skin_goal_id",
        string="Skin Goals",
        readonly=True,
    )
    cohort_date = fields.Date(
        string="Cohort",
        readonly=True,
        help="Day of the series' first done session (UTC); for a series with none done "
        "yet, of its first booked session. Group by month for cohorts.",
    )
    last_session_date = fields.Datetime(string="Last Session Done", readonly=True)
    overdue_date = fields.Datetime(string="Overdue After", readonly=True)
    dropout_date = fields.Datetime(
        string="Dropped Out On",
        readonly=True,
        help="Cancellation date, or the end of the drop-out grace after the overdue date.",
    )
    # Measures
    planned_count = fields.Integer(string="Planned Sessions", readonly=True)
    done_count = fields.Integer(string="Done Sessions", readonly=True)
    interval_count = fields.Integer(
        string="Intervals",
        readonly=True,
        help="Done sessions that follow another done session of the series: the base of "
        "the on-cadence rate.",
    )
    on_cadence_count = fields.Integer(
        string="Sessions On Cadence",
        readonly=True,
        help="Done sessions held within the protocol window after the previous done "
        "session of the series (by default 4 to 6 weeks).",
    )
    late_count = fields.Integer(
        string="Sessions Late",
        readonly=True,
        help="Done sessions held after the overdue delay (by default 6 weeks) since the "
        "previous done session of the series.",
    )
    course_days = fields.Integer(
        string="Days First to Last Session",
        aggregator="avg",
        readonly=True,
        help="Days between the first and the last done session; empty below two sessions.",
    )
    completed = fields.Integer(
        readonly=True, help="1 when all planned sessions are done (see Outcome)."
    )
    dropped_out = fields.Integer(readonly=True, help="1 when the series dropped out (see Outcome).")
    overdue = fields.Integer(
        string="Overdue Now",
        readonly=True,
        help="1 when the series is overdue and has not dropped out yet: the series to act on.",
    )
    completion_rate = fields.Float(
        string="Completion Rate (%)",
        aggregator="avg",
        digits=(16, 1),
        readonly=True,
        help="Completed series out of the series of the group; Reporting and the dashboard "
        "count started courses (at least one done session) by default.",
    )
    dropout_rate = fields.Float(
        string="Drop-out Rate (%)",
        aggregator="avg",
        digits=(16, 1),
        readonly=True,
        help="Dropped-out series out of the series of the group; Reporting and the dashboard "
        "count started courses (at least one done session) by default.",
    )
    rebooked_count = fields.Integer(
        string="Visits Rebooked",
        readonly=True,
        help="Done sessions after which the client's next session was booked by the end "
        "of the visit day (UTC) and is not cancelled. Rebooking rate: divide by Done "
        "Sessions.",
    )
    tune_up_base = fields.Integer(
        string="Completions Due a Tune-up",
        readonly=True,
        help="Completed courses whose last session is at least 6 months old, or that "
        "already returned for a tune-up: the base of the tune-up return rate.",
    )
    tune_up_count = fields.Integer(
        string="Tune-up Within 6 Months",
        readonly=True,
        help="1 when a tune-up session was done within 6 months after the course was " "completed.",
    )
    side_effect_count = fields.Integer(
        string="Side Effects Recorded",
        readonly=True,
        groups="microneedling_treatment.group_practitioner",
    )

    @property
    def _table_query(self):
        return SQL(
            f"""
SELECT
    s.id AS id,
    s.id AS series_id,
    s.partner_id AS partner_id,
    s.user_id AS user_id,
    s.company_id AS company_id,
    s.kind AS kind,
    s.state AS state,
    CASE
        WHEN {COMPLETED} THEN 'completed'
        WHEN {DROPPED_OUT} THEN 'dropped_out'
        WHEN {OVERDUE} THEN 'overdue'
        WHEN s.state = 'in_progress' THEN 'on_track'
        WHEN s.state = 'new' THEN 'not_started'
        ELSE 'cancelled'
    END AS outcome,
    CAST(COALESCE(first_done.start, s.next_session_date) AS date) AS cohort_date,
    s.last_done_date AS last_session_date,
    s.overdue_date AS overdue_date,
    CASE
        WHEN NOT {DROPPED_OUT} THEN NULL
        WHEN s.state = 'cancelled' THEN s.cancel_date
        ELSE s.overdue_date + make_interval(days => c.microneedling_dropout_grace_days)
    END AS dropout_date,
    s.planned_session_count AS planned_count,
    s.session_done_count AS done_count,
    CAST(COALESCE(cadence.interval_count, 0) AS integer) AS interval_count,
    CAST(COALESCE(cadence.on_cadence_count, 0) AS integer) AS on_cadence_count,
    CAST(COALESCE(cadence.late_count, 0) AS integer) AS late_count,
    CASE WHEN s.session_done_count > 1
        THEN CAST(EXTRACT(EPOCH FROM s.last_done_date - first_done.start) / 86400 AS integer)
    END AS course_days,
    CAST({COMPLETED} AS integer) AS completed,
    CAST({DROPPED_OUT} AS integer) AS dropped_out,
    CAST({OVERDUE} AS integer) AS overdue,
    CASE WHEN {COMPLETED} THEN 100.0 ELSE 0.0 END AS completion_rate,
    CASE WHEN {DROPPED_OUT} THEN 100.0 ELSE 0.0 END AS dropout_rate,
    CAST(COALESCE(rebooked.rebooked_count, 0) AS integer) AS rebooked_count,
    CAST({COMPLETED} AND s.kind = 'course' AND (
        s.last_done_date + interval '{TUNE_UP_MONTHS} months' <= %(now)s OR {TUNE_UP_DONE}
    ) AS integer) AS tune_up_base,
    CAST({TUNE_UP_DONE} AS integer) AS tune_up_count,
    CAST(COALESCE(side_effect.side_effect_count, 0) AS integer) AS side_effect_count
FROM microneedling_series s
JOIN res_company c ON c.id = s.company_id
LEFT JOIN (
    SELECT series_id, MIN(start) AS start
      FROM microneedling_session
     WHERE state = 'done'
     GROUP BY series_id
) first_done ON first_done.series_id = s.id
LEFT JOIN (
    SELECT done.series_id,
           COUNT(done.previous) AS interval_count,
           COUNT(*) FILTER (
               WHERE done.start >= done.previous + done.min_interval
                 AND done.start <= done.previous + done.max_interval
           ) AS on_cadence_count,
           COUNT(*) FILTER (
               WHERE done.start > done.previous + done.max_interval
           ) AS late_count
      FROM (
          SELECT session.series_id, session.start,
                 LAG(session.start) OVER (
                     PARTITION BY session.series_id ORDER BY session.start, session.id
                 ) AS previous,
                 make_interval(days => sc.microneedling_min_interval_days) AS min_interval,
                 make_interval(days => sc.microneedling_overdue_days) AS max_interval
            FROM microneedling_session session
            JOIN res_company sc ON sc.id = session.company_id
           WHERE session.state = 'done'
      ) done
     GROUP BY done.series_id
) cadence ON cadence.series_id = s.id
LEFT JOIN (
    SELECT visit.series_id, COUNT(*) AS rebooked_count
      FROM microneedling_session visit
     WHERE visit.state = 'done'
       AND {REBOOKED}
     GROUP BY visit.series_id
) rebooked ON rebooked.series_id = s.id
LEFT JOIN (
    SELECT session.series_id, COUNT(*) AS side_effect_count
      FROM microneedling_session session
      JOIN microneedling_session_microneedling_side_effect_rel rel
        ON rel.microneedling_session_id = session.id
     GROUP BY session.series_id
) side_effect ON side_effect.series_id = s.id
""",
            now=fields.Datetime.now(),
        )

    # ------------------------------------------------------------
    # BUSINESS: weekly summary for managers
    # ------------------------------------------------------------

    @api.model
    def _cron_send_weekly_summary(self):
        """Mail every manager the week that ended last Monday 00:00 (UTC) against the
        week before, in the manager's language, over the manager's companies."""
        today = fields.Date.today()
        week_end = today - timedelta(days=today.weekday())
        template = self.env.ref("microneedling_treatment.mail_template_weekly_summary")
        managers = self.env.ref("microneedling_treatment.group_manager").users.filtered(
            lambda user: user.active and not user.share and user.email and user.id != SUPERUSER_ID
        )
        for manager in managers:
            report = self.with_user(manager).with_context(
                lang=manager.lang, allowed_company_ids=manager.company_ids.ids
            )
            summary = report._weekly_summary_values(week_end)
            template.with_context(summary=summary).send_mail(manager.id)
        _logger.info("Microneedling weekly summary sent to %s manager(s).", len(managers))

    @api.model
    def _weekly_summary_values(self, week_end):
        """Figures of [week_end - 7 days, week_end) and of the week before, formatted in
        the context language, for the records the current user may see."""
        this_week = self._weekly_figures(week_end - timedelta(days=7), week_end)
        previous_week = self._weekly_figures(
            week_end - timedelta(days=14), week_end - timedelta(days=7)
        )
        # (key, label, higher is better)
        lines_spec = [
            ("sessions_done", _("Sessions done"), True),
            ("started", _("Courses started"), True),
            ("completed", _("Courses completed"), True),
            ("dropped_out", _("Courses dropped out"), False),
            ("became_overdue", _("Series that became overdue"), False),
            ("rebooking", _("Rebooking rate"), True),
        ]
        lines = []
        for key, label, higher_is_better in lines_spec:
            current, previous = this_week[key], previous_week[key]
            if current is None or previous is None or current == previous:
                arrow, color = "=", "#6c757d"
            else:
                went_up = current > previous
                arrow = "\u25b2" if went_up else "\u25bc"
                color = "#00a04a" if went_up == higher_is_better else "#dc3545"
            lines.append(
                {
                    "label": label,
                    "this": self._weekly_format(current, key == "rebooking"),
                    "previous": self._weekly_format(previous, key == "rebooking"),
                    "arrow": arrow,
                    "color": color,
                }
            )
        start_dt = datetime.combine(week_end - timedelta(days=7), time.min)
        end_dt = datetime.combine(week_end, time.min)
        overdue = self.search(
            [
                ("outcome", "=", "overdue"),
                ("overdue_date", ">=", start_dt),
                ("overdue_date", "<", end_dt),
            ],
            order="overdue_date, id",
        )
        now_courses = [("kind", "=", "course")]
        return {
            "week_from": format_date(self.env, week_end - timedelta(days=7)),
            "week_to": format_date(self.env, week_end - timedelta(days=1)),
            "lines": lines,
            "overdue": [
                {
                    "series": row.series_id.name,
                    "client": row.partner_id.name,
                    "practitioner": row.user_id.name or "",
                    "since": format_date(self.env, row.overdue_date),
                }
                for row in overdue
            ],
            "active_now": self._weekly_format(
                self.search_count(now_courses + [("outcome", "in", ("on_track", "overdue"))])
            ),
            "overdue_now": self._weekly_format(
                self.search_count(now_courses + [("outcome", "=", "overdue")])
            ),
        }

    @api.model
    def _weekly_figures(self, date_from, date_to):
        start, end = datetime.combine(date_from, time.min), datetime.combine(date_to, time.min)
        courses = [("kind", "=", "course")]
        visits, rebooked = self._weekly_visit_counts(start, end)
        return {
            "sessions_done": visits,
            "started": self.search_count(
                courses
                + [
                    ("done_count", ">", 0),
                    ("cohort_date", ">=", date_from),
                    ("cohort_date", "<", date_to),
                ]
            ),
            "completed": self.search_count(
                courses
                + [
                    ("completed", "=", 1),
                    ("last_session_date", ">=", start),
                    ("last_session_date", "<", end),
                ]
            ),
            "dropped_out": self.search_count(
                courses
                + [
                    ("dropped_out", "=", 1),
                    ("dropout_date", ">=", start),
                    ("dropout_date", "<", end),
                ]
            ),
            "became_overdue": self.search_count(
                [
                    ("outcome", "=", "overdue"),
                    ("overdue_date", ">=", start),
                    ("overdue_date", "<", end),
                ]
            ),
            "rebooking": 100.0 * rebooked / visits if visits else None,
        }

    @api.model
    def _weekly_visit_counts(self, start, end):
        """Done sessions held in [start, end) in the user's companies, and how many of
        them were rebooked (managers only receive the summary: no per-user rule)."""
        self.env["microneedling.session"].flush_model(
            ["partner_id", "company_id", "start", "state", "create_date"]
        )
        self.env.cr.execute(
            SQL(
                f"""
                SELECT COUNT(*), COUNT(*) FILTER (WHERE {REBOOKED})
                  FROM microneedling_session visit
                 WHERE visit.state = 'done' AND visit.start >= %(start)s
                   AND visit.start < %(end)s AND visit.company_id IN %(companies)s
                """,
                start=start,
                end=end,
                companies=tuple(self.env.companies.ids),
            )
        )
        return self.env.cr.fetchone()

    @api.model
    def _weekly_format(self, value, percent=False):
        if value is None:
            return "\u2013"
        if percent:
            return "%s %%" % formatLang(self.env, value, digits=1)
        return formatLang(self.env, value, digits=0)
