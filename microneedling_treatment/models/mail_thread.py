from odoo import models

from .mail_message import PRACTITIONER_GROUP


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        """Staff outside the practitioners are never notified of a practitioner-only
        message, even when they follow the record or are mentioned: a notification
        (inbox, email, push) would carry its text. Clients and portal users still
        get what is addressed to them."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        clinical = (msg_vals or {}).get("microneedling_clinical")
        # sudo: reading the flag of the message being sent
        if not (clinical or message.sudo().microneedling_clinical):
            return recipients
        group_id = self.env.ref(PRACTITIONER_GROUP).id
        return [
            recipient
            for recipient in recipients
            if recipient["type"] != "user" or group_id in (recipient["groups"] or ())
        ]
