from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.rrule import FR, HOURLY, MO, TH, TU, WE, rrule

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import tools
from ..models.microneedling_series import OPEN_STATES

SLOT_COUNT = 10
WORKDAY_HOURS = range(9, 18)  # sessions start 09:00-17:00, practitioner's time zone
# Morning: starts before noon; afternoon: from noon (practitioner's time zone).
NOON = 12
# Offered slots per day: a choice of days, not nine hours of the first free one. A
# preferred weekday has few days in the window: more hours on each.
SLOTS_PER_DAY = 2
SLOTS_PER_PREFERRED_DAY = 3
# Two offers on one day: preferably this far apart.
SLOT_SPACING = timedelta(hours=2)
WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
]
DAYPARTS = [("morning", "Morning"), ("afternoon", "Afternoon")]


class MicroneedlingBookNextWizard(models.TransientModel):
    _name = "microneedling.book.next.wizard"
    _description = "Book the Next Microneedling Session"

    series_id = fields.Many2one(
        comodel_name="microneedling.series", required=True, ondelete="cascade"
    )
    preferred_weekday = fields.Selection(
        selection=WEEKDAYS,
        string="Preferred Day",
        help="Only offer this day of the week (empty: any working day).",
    )
    preferred_daypart = fields.Selection(
        selection=DAYPARTS,
        string="Preferred Time",
        help="Only offer mornings (before noon) or afternoons (empty: both), in the "
        "practitioner's time zone.",
    )
    # Every free hour of the window, found once when the wizard opens ...
    slot_ids = fields.One2many(
        comodel_name="microneedling.book.next.slot", inverse_name="wizard_id", string="Free Slots"
    )
    # ... and those offered, spread over days and narrowed by the preferences: saved
    # records, so a slot offered after a change of preference books as any other.
    offered_slot_ids = fields.Many2many(
        comodel_name="microneedling.book.next.slot",
        string="Offered Slots",
        compute="_compute_offered_slot_ids",
    )

    @api.depends("slot_ids", "preferred_weekday", "preferred_daypart")
    def _compute_offered_slot_ids(self):
        for wizard in self:
            tz = self._practitioner_tz(wizard.series_id)
            starts = set(
                self._pick_slots(
                    wizard.slot_ids.mapped("start"),
                    tz,
                    weekday=wizard.preferred_weekday,
                    daypart=wizard.preferred_daypart,
                )
            )
            wizard.offered_slot_ids = wizard.slot_ids.filtered(
                lambda slot, starts=starts: slot.start in starts
            ).sorted("start")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        self.env["microneedling.book.next.slot"].create(
            [
                {"wizard_id": wizard.id, "start": start, "stop": start + timedelta(hours=1)}
                for wizard in wizards
                if not wizard.slot_ids
                for start in self._candidate_slots(wizard.series_id)
            ]
        )
        return wizards

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _free_slots(self, series, count=SLOT_COUNT, weekday=False, daypart=False):
        """Free one-hour slots to offer for the next session: `count` at most, a few
        per day over the window's days, on the preferred weekday ("0" Monday to "4"
        Friday) and part of the day ("morning", "afternoon") when given."""
        return self._pick_slots(
            self._candidate_slots(series),
            self._practitioner_tz(series),
            count=count,
            weekday=weekday,
            daypart=daypart,
        )

    @api.model
    def _practitioner_tz(self, series):
        """Working hours, mornings and weekdays are the practitioner's."""
        # The booking rule's fallbacks: the practitioner's zone, else the company's.
        return pytz.timezone(series.user_id.tz or series.company_id.partner_id.tz or "UTC")

    @api.model
    def _pick_slots(self, starts, tz, count=SLOT_COUNT, weekday=False, daypart=False):
        """The slots to offer among the free `starts` (UTC), in time order.

        Days and hours are the practitioner's (`tz`). At most SLOTS_PER_DAY a day
        (a morning and an afternoon when both are free, else hours apart), and the
        days spread over the window: its first free day, its last, and days in
        between, so that the client can choose early or late.
        """
        by_day = defaultdict(list)
        for start in sorted(starts):
            local = pytz.utc.localize(start).astimezone(tz)
            part = "morning" if local.hour < NOON else "afternoon"
            if (weekday and local.weekday() != int(weekday)) or (daypart and part != daypart):
                continue
            by_day[local.date()].append((part, start))
        per_day = SLOTS_PER_PREFERRED_DAY if weekday else SLOTS_PER_DAY
        days = sorted(by_day)
        wanted_days = -(-count // per_day)  # ceil
        if 1 < wanted_days < len(days):
            step = (len(days) - 1) / (wanted_days - 1)
            spread = [days[round(index * step)] for index in range(wanted_days)]
        else:
            spread = days[:wanted_days]
        # Spread days first; then, if some of them had fewer free hours, the others.
        order = spread + [day for day in days if day not in spread]
        picked = []
        for day in order:
            picked += self._spread_day(by_day[day], min(per_day, count - len(picked)))
            if len(picked) >= count:
                break
        return sorted(picked)

    @api.model
    def _spread_day(self, entries, count):
        """Up to `count` of one day's (part, start) entries: the parts of the day in
        turn, each next offer in a part SLOT_SPACING after the previous if it can."""
        queues = {}
        for part, start in entries:
            queues.setdefault(part, []).append(start)
        picked = []
        last = {}
        while len(picked) < count and any(queues.values()):
            for part, queue in queues.items():
                if not queue or len(picked) >= count:
                    continue
                spaced = [s for s in queue if part not in last or s >= last[part] + SLOT_SPACING]
                start = (spaced or queue)[0]
                queue.remove(start)
                last[part] = start
                picked.append(start)
        return picked

    @api.model
    @api.model
    def _client_session_starts(self, series):
        """Starts of the client's booked and done sessions, in every series and company
        (sudo: the spacing rule counts them all)."""
        return sorted(
            self.env["microneedling.session"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "=", series.partner_id.id),
                    ("state", "in", ("booked", "done")),
                    ("start", "!=", False),
                ],
                ["start"],
            )
            .mapped("start")
        )

    @api.model
    def _spaced_from(self, series, start, client_starts):
        """The first moment from `start` at least the minimum interval away from the
        client's sessions around it (`client_starts`, in time order)."""
        gap = timedelta(days=series.company_id.microneedling_min_interval_days)
        for other in client_starts:
            if other - gap < start < other + gap:
                start = other + gap
        return start

    @api.model
    def _without_conflicts(self, series, starts, client_starts):
        """The one-hour slots among `starts` the booking rule would not refuse for
        being taken: the practitioner's sessions, the client's other sessions closer
        than the minimum interval, and the practitioner's and the client's busy
        appointments, checked by the rule's own query (all-day ones in each one's
        time zone)."""
        if not starts:
            return []
        hour = timedelta(hours=1)
        Session = self.env["microneedling.session"]
        taken = [
            (session.start, session.stop)
            for session in Session._practitioner_sessions(
                series.user_id, starts[0], starts[-1] + hour
            )
        ]
        gap = timedelta(days=series.company_id.microneedling_min_interval_days)
        busy = self.env["calendar.event"]._microneedling_busy_events(
            [
                (start, partner.id, start, start + hour)
                for start in starts
                for partner in series.user_id.partner_id | series.partner_id
            ]
        )
        return [
            start
            for start in starts
            if start not in busy
            and not any(begin < start + hour and end > start for begin, end in taken)
            and not any(abs(start - other) < gap for other in client_starts)
        ]

    def _candidate_slots(self, series):
        """Every free one-hour slot inside the next-session window (4 to 6 weeks).

        Working hours in the practitioner's time zone, Monday to Friday; skips what the
        booking rule would refuse: the client's time-bound blocks, the spacing with the
        client's other sessions, the practitioner's sessions and the practitioner's and
        the client's busy appointments. An overdue series gets a window of the same
        length from now on.
        """
        series.ensure_one()
        if series.state not in OPEN_STATES:
            raise UserError(
                _(
                    "%(series)s is %(state)s: it books no more sessions. Reopen it, or start "
                    "a new series.",
                    series=series.display_name,
                    state=dict(series._fields["state"]._description_selection(self.env))[
                        series.state
                    ],
                )
            )
        now = fields.Datetime.now()
        company = series.company_id
        window_start = max(series.window_open_date or now, now)
        span = timedelta(
            days=company.microneedling_overdue_days - company.microneedling_min_interval_days
        )
        # The spacing rule counts the client's every session, in any series: a tune-up
        # right after a course waits for the course's last session too.
        client_starts = self._client_session_starts(series)
        window_start = self._spaced_from(series, window_start, client_starts)
        if series.overdue_date and series.overdue_date > now:
            window_end = series.overdue_date
        else:
            window_end = window_start + span
        Intake = self.env["microneedling.intake"]
        current = Intake._current_for_partners(series.partner_id, series.company_id)
        intake = current.get((series.partner_id.id, series.company_id.id), Intake)
        reasons = intake._block_reasons(window_start)
        if any(reason["type"] not in ("window",) for reason in reasons):
            raise UserError(
                _(
                    "%(client)s cannot be booked: %(reasons)s",
                    client=series.partner_id.display_name,
                    reasons="; ".join(tools.reason_texts(self.env, reasons)),
                )
            )
        blocked_until = max((reason["until"] for reason in reasons), default=window_start)
        if blocked_until >= window_end:
            raise UserError(
                _(
                    "%(client)s is blocked until %(until)s, after this window (until %(end)s): "
                    "book the session from the calendar on or after that date.",
                    client=series.partner_id.display_name,
                    until=tools.format_user_datetime(self.env, blocked_until),
                    end=tools.format_user_datetime(self.env, window_end),
                )
            )
        user = series.user_id
        if not user:
            raise UserError(
                _(
                    "%(series)s has no practitioner: choose one on the series, then look "
                    "for free slots in their calendar.",
                    series=series.display_name,
                )
            )
        tz = self._practitioner_tz(series)
        local_start = pytz.utc.localize(window_start).astimezone(tz)
        # Wall-clock hours, localized one by one: a window crossing a daylight-saving
        # change keeps 09:00 at 09:00.
        candidates = rrule(
            HOURLY,
            dtstart=datetime.combine(local_start.date(), time(0, 0)),
            byweekday=(MO, TU, WE, TH, FR),
            byhour=list(WORKDAY_HOURS),
            byminute=0,
            bysecond=0,
        )
        starts = []
        for local in candidates:
            start = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
            if start > window_end:
                break
            if start >= window_start and start >= blocked_until:
                starts.append(start)
        slots = self._without_conflicts(series, starts, client_starts)
        if not slots:
            raise UserError(
                _(
                    "%(practitioner)s has no free hour for %(client)s between %(start)s and "
                    "%(end)s: book the session from the calendar, or choose another "
                    "practitioner on the series.",
                    practitioner=user.name,
                    client=series.partner_id.display_name,
                    start=tools.format_user_datetime(self.env, max(window_start, blocked_until)),
                    end=tools.format_user_datetime(self.env, window_end),
                )
            )
        return slots


class MicroneedlingBookNextSlot(models.TransientModel):
    _name = "microneedling.book.next.slot"
    _description = "Free Slot for the Next Microneedling Session"
    _order = "start"

    wizard_id = fields.Many2one(
        comodel_name="microneedling.book.next.wizard", required=True, ondelete="cascade"
    )
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    label = fields.Char(string="Slot", compute="_compute_label")

    @api.depends("start", "stop")
    @api.depends_context("uid", "lang", "tz")
    def _compute_label(self):
        # "Tue 12/01/2026 09:00 - 10:00": the weekday to choose by, no seconds, in
        # the user's time zone.
        for slot in self:
            slot.label = tools.format_user_slot(self.env, slot.start, slot.stop)

    def action_book(self):
        """Book the chosen slot: every server-side check applies."""
        self.ensure_one()
        series = self.wizard_id.series_id
        session = self.env["microneedling.session"].create(
            {"series_id": series.id, "start": self.start, "stop": self.stop}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "microneedling.session",
            "res_id": session.id,
            "view_mode": "form",
        }
