from datetime import datetime, time, timedelta

import pytz
from dateutil.rrule import FR, HOURLY, MO, TH, TU, WE, rrule

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import tools

SLOT_COUNT = 10
WORKDAY_HOURS = range(9, 18)  # sessions start 09:00-17:00, practitioner's time zone


class MicroneedlingBookNextWizard(models.TransientModel):
    _name = "microneedling.book.next.wizard"
    _description = "Book the Next Microneedling Session"

    series_id = fields.Many2one(
        comodel_name="microneedling.series", required=True, ondelete="cascade"
    )
    slot_ids = fields.One2many(
        comodel_name="microneedling.book.next.slot", inverse_name="wizard_id", string="Free Slots"
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        self.env["microneedling.book.next.slot"].create(
            [
                {"wizard_id": wizard.id, "start": start, "stop": start + timedelta(hours=1)}
                for wizard in wizards
                if not wizard.slot_ids
                for start in self._free_slots(wizard.series_id)
            ]
        )
        return wizards

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _free_slots(self, series, count=SLOT_COUNT):
        """First free one-hour slots inside the next-session window (4 to 6 weeks).

        Working hours in the practitioner's time zone, Monday to Friday; skips the
        practitioner's calendar and the client's time-bound blocks. An overdue series
        gets a window of the same length from now on.
        """
        series.ensure_one()
        now = fields.Datetime.now()
        company = series.company_id
        window_start = max(series.window_open_date or now, now)
        span = timedelta(
            days=company.microneedling_overdue_days - company.microneedling_min_interval_days
        )
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
        tz = pytz.timezone(user.tz or "UTC")
        busy = (
            self.env["calendar.event"]
            .sudo()
            .search_read(
                [
                    ("partner_ids", "in", user.partner_id.ids),
                    ("start", "<", window_end),
                    ("stop", ">", window_start),
                ],
                ["start", "stop"],
            )
        )
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
        slots = []
        for local in candidates:
            start = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
            if start > window_end or len(slots) >= count:
                break
            stop = start + timedelta(hours=1)
            if start < window_start or start < blocked_until:
                continue
            if any(event["start"] < stop and event["stop"] > start for event in busy):
                continue
            slots.append(start)
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
