"""18.0.1.2.0: gapless series numbering (the sequence's data is noupdate), and the
waiting client messages planned around the new quiet hours."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    sequence = env.ref("microneedling_treatment.seq_microneedling_series", False)
    if sequence and sequence.implementation == "standard":
        # The next number lives in a PostgreSQL sequence until now: carry it over.
        sequence.write({"implementation": "no_gap", "number_next": sequence.number_next_actual})
    # The companies have their default quiet hours (21:00-08:00) now.
    env["microneedling.aftercare.schedule"].search([("state", "=", "pending")])._compute_send_date()
    env.flush_all()
