import hashlib
from datetime import timedelta

from odoo import api, fields, models

# Requests to the public screening pages allowed per window (auth_totp's pattern):
# plenty for a client who reloads or corrects answers, far too few to guess tokens.
WINDOW = timedelta(minutes=15)
IP_LIMIT = 30
TOKEN_LIMIT = 10


class MicroneedlingScreeningAttempt(models.Model):
    """One request to a public screening page, counted per IP and per token."""

    _name = "microneedling.screening.attempt"
    _description = "Microneedling Screening Page Request"
    _order = "date desc, id desc"
    _log_access = False

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    ip = fields.Char(string="IP Address", index=True)
    token_key = fields.Char(
        index=True, help="A hash of the token tried: the token itself is never stored."
    )

    @api.model
    def _check_and_register(self, ip, token):
        """Record a request; False when this IP or this token went over its limit."""
        Attempt = self.sudo()
        since = fields.Datetime.now() - WINDOW
        key = hashlib.sha256(("microneedling-attempt:" + (token or "")).encode()).hexdigest()
        ip_count = Attempt.search_count([("ip", "=", ip), ("date", ">=", since)])
        token_count = Attempt.search_count([("token_key", "=", key), ("date", ">=", since)])
        Attempt.create({"ip": ip, "token_key": key})
        return ip_count < IP_LIMIT and token_count < TOKEN_LIMIT

    @api.autovacuum
    def _gc_attempts(self):
        self.sudo().search([("date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
