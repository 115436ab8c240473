from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import tools
from .microneedling_session import EVENT_STATES

# Sessions the protocol's rules apply to.
ACTIVE_STATES = ("booked", "done")
# A booking is for a coming date (a walk-in from earlier today is still booked);
# a session that took place long ago is recorded as done by a practitioner.
PAST_BOOKING_GRACE = timedelta(hours=24)


class MicroneedlingSession(models.Model):
    """The protocol's booking rules: the client's screening at the session's time,
    the spacing between the client's sessions, and booking for a coming date.

    Every entry point (form, calendar drag, import, RPC) creates or writes sessions,
    so the rules run there, as constraints, for the whole batch at once.
    """

    _inherit = "microneedling.session"  # pylint: disable=consider-merging-classes-inherited

    @api.constrains("start", "stop", "state", "series_id", "user_id", "override_reason")
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

    @api.constrains("series_id", "state")
    def _check_series_open(self):
        """A cancelled series books nothing: reopen it first."""
        closed = self.filtered(
            lambda s: s.state in ("planned", "booked") and s.series_id.state == "cancelled"
        )
        if closed:
            raise ValidationError(
                _(
                    "%(series)s is cancelled: it books no session. Reopen the series first, "
                    "or start a new one.",
                    series=", ".join(closed.series_id.mapped("name")),
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

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

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
        # The practitioner's row too: two bookings of one practitioner's hour serialise.
        (sessions.partner_id | sessions.user_id.partner_id)._microneedling_lock()
        problems = {}
        overridden = sessions._overridden_answers()
        Intake = self.env["microneedling.intake"]
        current = Intake._current_for_partners(sessions.partner_id, sessions.company_id)
        for session in sessions:
            intake = current.get((session.partner_id.id, session.company_id.id), Intake)
            reasons = intake._block_reasons(session.start)
            if session.id in overridden:
                reasons = self._without_overridden(reasons, overridden[session.id])
            if session.state == "done":
                reasons += intake._confirmation_reasons(
                    session.start, session.company_id.microneedling_confirmation_days
                )
            if reasons:
                problems[session] = reasons
        for session, reasons in sessions._spacing_reasons().items():
            problems.setdefault(session, []).extend(reasons)
        for session, reasons in sessions._busy_reasons().items():
            problems.setdefault(session, []).extend(reasons)
        return problems

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
                if other.id == session.id or abs(other.start - session.start) >= gap:
                    continue
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
                            earliest=_("; earliest %(date)s", date=self._format_datetime(earliest))
                            if earliest
                            else "",
                        ),
                    }
                )
        return result

    def _busy_reasons(self):
        """Booked sessions whose practitioner or client is busy elsewhere at that time:
        another session of the practitioner (also of this batch) or any appointment of
        theirs shown as busy. The client's other microneedling sessions are the spacing
        rule's."""
        booked = self.filtered(lambda s: s.state == "booked" and s.stop)
        if not booked:
            return {}
        busy = self.env["calendar.event"]._microneedling_busy_events(
            [
                (session, partner.id, session.start, session.stop)
                for session in booked
                for partner in session.partner_id | session.user_id.partner_id
            ]
        )
        result = {}
        for session, conflicts in busy.items():
            for partner_id, event in conflicts:
                # Core's rule: a private event's name is its organizer's and attendees'.
                private = event._check_private_event_conditions()
                person = self.env["res.partner"].browse(partner_id).sudo().name
                appointment = _("a private appointment") if private else f'"{event.name}"'
                if event.allday:
                    reason = self._busy_reason(
                        person,
                        tools.format_user_date(self.env, event.start_date),
                        tools.format_user_date(self.env, event.stop_date),
                        appointment,
                    )
                else:
                    reason = self._busy_reason(
                        person,
                        self._format_datetime(event.start),
                        self._format_datetime(event.stop),
                        appointment,
                    )
                result.setdefault(session, []).append(reason)
        practitioners = booked.filtered("user_id")
        if practitioners:
            # The session table says when a practitioner is taken, whatever became of
            # the sessions' appointments; the batch's new values are in the cache.
            others = self._practitioner_sessions(
                practitioners.user_id,
                min(practitioners.mapped("start")),
                max(practitioners.mapped("stop")),
            )
            candidates = others.with_env(self.env) | booked
            for session in practitioners:
                for other in candidates:
                    if (
                        other.id != session.id
                        and other.user_id == session.user_id
                        and other.state in EVENT_STATES
                        and other.start < session.stop
                        and other.stop > session.start
                    ):
                        result.setdefault(session, []).append(
                            self._busy_reason(
                                session.user_id.name,
                                self._format_datetime(other.start),
                                self._format_datetime(other.stop),
                                other.sudo().display_name,
                            )
                        )
        return result

    @api.model
    def _practitioner_sessions(self, users, start, stop):
        """The sessions that take the practitioners' time between start and stop
        (sudo: whoever books must see that the time is taken)."""
        return self.sudo().search_fetch(
            [
                ("user_id", "in", users.ids),
                ("state", "in", EVENT_STATES),
                ("start", "<", stop),
                ("stop", ">", start),
            ],
            ["user_id", "start", "stop", "state"],
        )

    @api.model
    def _busy_reason(self, person, start, stop, appointment):
        return {
            "type": "busy",
            "until": False,
            "message": _(
                "%(person)s is busy from %(start)s to %(stop)s with %(appointment)s: "
                "choose another time",
                person=person,
                start=start,
                stop=stop,
                appointment=appointment,
            ),
        }
