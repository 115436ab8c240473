from odoo import models

from .mail_message import MANAGER_GROUP, PRACTITIONER_GROUP, PROTOCOL_THREAD_MODELS


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

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """Staff without an email address still book, assign and clear on the addon's
        records: core refuses any notice they cause ("configure the sender's email
        address"). Their notices keep them as author and go out from the company's
        address instead. Other models keep core's rule."""
        if (
            raise_on_email
            and author_id is None
            and not email_from
            and self._name.startswith("microneedling.")
            and not self.env.user.email
        ):
            # The record's company: a client of one spa never hears from another.
            company = self[:1].company_id if "company_id" in self._fields else False
            sender = (company or self.env.company).partner_id
            return self.env.user.partner_id.id, sender.email_formatted or False
        return super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=raise_on_email
        )

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """The protocol catalog's history is the managers': only they follow its
        items, so nobody else is sent what managers write there."""
        if self._name in PROTOCOL_THREAD_MODELS and partner_ids:
            partners = self.env["res.partner"].sudo().browse(partner_ids)
            partner_ids = partners.filtered(
                lambda p: any(user.has_group(MANAGER_GROUP) for user in p.user_ids)
            ).ids
            if not partner_ids and not subtype_ids:
                return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
