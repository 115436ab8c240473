"""18.0.1.2.0: the waiting client messages planned around the new quiet hours."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    # The companies have their default quiet hours (21:00-08:00) now.
    env["microneedling.aftercare.schedule"].search([("state", "=", "pending")])._compute_send_date()
    env.flush_all()
