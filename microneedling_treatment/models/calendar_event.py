from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from . import trusted
from .microneedling_session import EVENT_STATES


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    microneedling_session_id = fields.Many2one(
        comodel_name="microneedling.session",
        string="Microneedling Session",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    microneedling_series_id = fields.Many2one(
        comodel_name="microneedling.series",
        string="Microneedling Series",
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="Set when creating an event to book it as a session of this series.",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not trusted.is_raised(self.env, trusted.SYNC):
            self._check_microneedling_link(vals_list)
            # An appointment that books a session is one appointment: not a series of them.
            if any(
                vals.get("microneedling_series_id") and vals.get("recurrency") for vals in vals_list
            ):
                raise UserError(
                    _(
                        "An appointment that books a microneedling session cannot be "
                        "recurring: untick Recurrent, and book the next sessions from the "
                        "series (Book Next Session)."
                    )
                )
        events = super().create(vals_list)
        if not trusted.is_raised(self.env, trusted.SYNC):
            events._sync_microneedling_session_from_event()
        return events

    def write(self, vals):
        if not trusted.is_raised(self.env, trusted.SYNC):
            self._check_microneedling_link([vals])
            self._check_microneedling_event_change(vals)
        result = super().write(vals)
        if not trusted.is_raised(self.env, trusted.SYNC) and {"start", "stop", "user_id"} & set(
            vals
        ):
            self._sync_microneedling_session_from_event()
        return result

    def unlink(self):
        if not trusted.is_raised(self.env, trusted.SYNC):
            # sudo: a private event hides its link from non-attendees; the session is
            # then cancelled as the user, whose rights on sessions apply.
            sessions = self.sudo().microneedling_session_id.filtered(lambda s: s.state != "done")
            sessions.with_env(self.env).with_context(**trusted.flag(trusted.SYNC)).write(
                {"state": "cancelled", "event_id": False}
            )
        return super().unlink()

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _check_microneedling_link(self, vals_list):
        """Only a session links itself to its event: a link written by hand would let
        any calendar user move, or cancel by deleting their own event, a session."""
        if any("microneedling_session_id" in vals for vals in vals_list):
            raise AccessError(
                _(
                    "An appointment is linked to a microneedling session by the session "
                    "itself: book the session from its series or the sessions calendar."
                )
            )

    def _check_microneedling_event_change(self, vals):
        """A session's appointment is not archived or repeated: the session decides."""
        archiving = "active" in vals and not vals["active"]
        repeating = bool(vals.get("recurrency"))
        if not (archiving or repeating):
            return
        # sudo: a private event hides its link from non-attendees.
        linked = self.sudo().filtered("microneedling_session_id")
        if linked:
            raise UserError(
                _(
                    "%(events)s: these appointments belong to microneedling sessions, so "
                    "they cannot be archived or made recurring. Cancel the session, or book "
                    "the next one from its series, instead.",
                    events=", ".join(linked.mapped("name")),
                )
            )

    def _sync_microneedling_practitioner(self, previous, session):
        """The session's practitioner attends its event, instead of the previous one."""
        self.ensure_one()
        gone = previous.partner_id - session.partner_id - session.user_id.partner_id
        self.sudo().with_context(**trusted.flag(trusted.SYNC), no_mail_to_attendees=True).write(
            {
                "partner_ids": [fields.Command.unlink(p.id) for p in gone]
                + [fields.Command.link(p.id) for p in session.user_id.partner_id]
            }
        )

    @api.model
    def _microneedling_busy_events(self, slots):
        """The appointments that make people busy during slots, in one query.

        `slots`: (key, partner id, start, stop). An appointment makes its attendee busy
        when it is active, shown as busy and not declined by them; an all-day one for
        the whole of its days in the attendee's time zone (core keeps 08:00-18:00 of
        them). Sessions' own appointments are left out: the sessions themselves say
        when a practitioner is taken, whatever became of their appointments.
        Returns {key: [(partner id, event)]}, events in sudo: a conflict is found
        whoever books; the caller names private ones as such.
        """
        if not slots:
            return {}
        self.flush_model(
            ["active", "show_as", "allday", "start", "stop", "start_date", "stop_date"]
            + ["microneedling_session_id"]
        )
        self.env["calendar.attendee"].flush_model(["event_id", "partner_id", "state"])
        values = SQL(", ").join(
            SQL("(%s, %s, %s::timestamp, %s::timestamp)", index, partner_id, start, stop)
            for index, (_key, partner_id, start, stop) in enumerate(slots)
        )
        # All-day appointments are kept by date: a day either side covers every time
        # zone here; their exact days are checked below, in the attendee's zone.
        found = self.env.execute_query(
            SQL(
                """
                SELECT slot.index, event.id
                  FROM (VALUES %s) AS slot(index, partner_id, start, stop)
                  JOIN calendar_attendee attendee
                    ON attendee.partner_id = slot.partner_id
                   AND attendee.state IS DISTINCT FROM 'declined'
                  JOIN calendar_event event ON event.id = attendee.event_id
                 WHERE event.active AND event.show_as = 'busy'
                   AND event.microneedling_session_id IS NULL
                   AND CASE WHEN event.allday
                            THEN event.start_date <= slot.stop::date + 1
                             AND event.stop_date >= slot.start::date - 1
                            ELSE event.start < slot.stop AND event.stop > slot.start
                       END
              ORDER BY event.start, event.id
                """,
                values,
            )
        )
        events = self.sudo().browse([event_id for _index, event_id in found])
        partners = self.env["res.partner"].browse({slot[1] for slot in slots})
        result = {}
        for (index, _event_id), event in zip(found, events, strict=True):
            key, partner_id, start, stop = slots[index]
            if event.allday:
                tz = pytz.timezone(
                    partners.browse(partner_id).tz or self.env.company.partner_id.tz or "UTC"
                )
                first = pytz.utc.localize(start).astimezone(tz).date()
                last = pytz.utc.localize(stop - timedelta(microseconds=1)).astimezone(tz).date()
                if event.start_date > last or event.stop_date < first:
                    continue
            result.setdefault(key, []).append((partner_id, event))
        return result

    @api.model
    def _microneedling_mirror_sessions(self, sessions):
        """Make each session's calendar event match it (idempotent): created, moved,
        retitled or deleted with the session. Its practitioner attends it."""
        # The event mirrors the session for the calendar: its history and followers
        # are the session's, so it logs no creation and subscribes nobody.
        Event = self.sudo().with_context(
            **trusted.flag(trusted.SYNC),
            no_mail_to_attendees=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_auto_subscribe_no_notify=True,
            # Reminders of a session are the addon's aftercare and screening
            # messages, not the calendar's alarms.
            dont_notify=True,
        )
        to_unlink = Event
        create_vals, to_create = [], sessions.browse()
        for session in sessions:
            if session.state not in EVENT_STATES or not session.start:
                to_unlink |= session.event_id
                continue
            vals = self._microneedling_event_values(session)
            if session.event_id:
                # Through Event: a moved session must not email the client a change
                # notice (the booking itself sends no invitation either).
                event = Event.browse(session.event_id.id)
                current = {
                    "name": event.name,
                    "start": event.start,
                    "stop": event.stop,
                    "user_id": event.user_id.id,
                }
                changed = {key: vals[key] for key, value in current.items() if value != vals[key]}
                previous = event.user_id
                if changed:
                    event.write(changed)
                if "user_id" in changed:
                    event._sync_microneedling_practitioner(previous, session)
            else:
                create_vals.append(vals)
                to_create |= session
        if to_unlink:
            sessions.filtered(lambda s: s.event_id in to_unlink).with_context(
                **trusted.flag(trusted.SYNC)
            ).write({"event_id": False})
            to_unlink.unlink()
        if create_vals:
            events = Event.create(create_vals)
            for session, event in zip(to_create, events, strict=True):
                session.with_context(**trusted.flag(trusted.SYNC)).event_id = event

    @api.model
    def _microneedling_event_values(self, session):
        partners = session.partner_id | session.user_id.partner_id
        return {
            "name": session.display_name,
            "start": session.start,
            "stop": session.stop,
            "user_id": session.user_id.id,
            "partner_ids": [fields.Command.set(partners.ids)],
            "microneedling_session_id": session.id,
            "res_model_id": self.env["ir.model"]._get_id(session._name),
            "res_id": session.id,
        }

    def _sync_microneedling_session_from_event(self):
        """Carry calendar-side changes to the session (idempotent); its checks then apply."""
        Session = self.env["microneedling.session"].with_context(**trusted.flag(trusted.SYNC))
        create_vals, to_link = [], self.browse()
        for event in self:
            session = event.microneedling_session_id
            if session:
                vals = {
                    key: value
                    for key, value in (
                        ("start", event.start),
                        ("stop", event.stop),
                        ("user_id", event.user_id),
                    )
                    if session[key] != value
                }
                if vals:
                    previous = session.user_id
                    if "user_id" in vals:
                        vals["user_id"] = vals["user_id"].id
                    session.with_context(**trusted.flag(trusted.SYNC)).write(vals)
                    if "user_id" in vals:
                        event._sync_microneedling_practitioner(previous, session)
            elif event.microneedling_series_id:
                create_vals.append(
                    {
                        "series_id": event.microneedling_series_id.id,
                        "start": event.start,
                        "stop": event.stop,
                        "user_id": event.user_id.id,
                        "state": "booked",
                        "event_id": event.id,
                    }
                )
                to_link |= event
        if create_vals:
            sessions = Session.create(create_vals)
            for event, session in zip(to_link, sessions, strict=True):
                event.with_context(**trusted.flag(trusted.SYNC)).write(
                    {
                        "microneedling_session_id": session.id,
                        "name": session.display_name,
                        "res_model_id": self.env["ir.model"]._get_id(session._name),
                        "res_id": session.id,
                        # The client and the practitioner attend, as for a session
                        # booked from its series.
                        "partner_ids": [
                            fields.Command.link(partner.id)
                            for partner in session.partner_id | session.user_id.partner_id
                        ],
                    }
                )
