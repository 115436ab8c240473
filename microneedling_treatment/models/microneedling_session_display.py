from odoo import api, fields, models


class MicroneedlingSession(models.Model):
    """How a session reads in the reception calendar (kept apart from the booking
    rules in microneedling_session.py)."""

    _inherit = "microneedling.session"  # pylint: disable=consider-merging-classes-inherited

    # "2/6": short enough to stay next to the client's name in a one-hour box of
    # the week view; "session 2/6" and the rest are in the popover.
    progress_label = fields.Char(string="Session No.", compute="_compute_progress_label")

    @api.depends("sequence_number", "series_id.planned_session_count")
    def _compute_progress_label(self):
        for session in self:
            number = session.sequence_number or "-"
            session.progress_label = f"{number}/{session.series_id.planned_session_count}"
