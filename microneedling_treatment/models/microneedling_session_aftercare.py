from datetime import timedelta

import pytz

from odoo import api, fields, models

# The writes that move a session's aftercare timeline, or its siblings' (the
# "book the next session" follow-ups end when the next one is booked).
AFTERCARE_KEYS = {"state", "date_done", "start", "series_id"}


class MicroneedlingSession(models.Model):
    """A done session's aftercare timeline.

    Scheduling it is part of the session's own write path, like core event's mail
    schedulers: no separate rule whose archiving would silently stop it.
    """

    _inherit = "microneedling.session"  # pylint: disable=consider-merging-classes-inherited

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

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        sessions = super().create(vals_list)
        # A booking withdraws the series' "book the next session" follow-ups.
        sessions.series_id.session_ids.filtered(
            lambda s: s.state == "done"
        )._sync_aftercare_schedule()
        return sessions

    def write(self, vals):
        if not AFTERCARE_KEYS & set(vals):
            return super().write(vals)
        before = self.series_id.session_ids
        result = super().write(vals)
        (self | before | self.series_id.session_ids).filtered(
            lambda s: s.state == "done" or s in self
        )._sync_aftercare_schedule()
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_aftercare_sheet(self):
        return self.env.ref("microneedling_treatment.action_report_aftercare_sheet").report_action(
            self
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _sync_aftercare_schedule(self):
        """Keep the sessions' aftercare timeline in step with them (see the schedule).
        Hook for the history import: its past sessions get no aftercare at all."""
        rest = self - self._history_import_sessions()
        self.env["microneedling.aftercare.schedule"]._sync_sessions(rest)
