from odoo import models

from . import trusted


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def _subscribe_partner(self):
        # A session's event mirrors the session for the calendar: its followers are
        # the session's. The client following it would be emailed whatever staff
        # post on an appointment they never see.
        if trusted.is_raised(self.env, trusted.SYNC):
            return
        super()._subscribe_partner()
