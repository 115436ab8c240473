from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import is_html_empty

from . import trusted

# A client's records: what a practitioner writes in their chatter is health data.
CLINICAL_THREAD_MODELS = (
    "microneedling.session",
    "microneedling.series",
    "microneedling.intake",
    "res.partner",
)
PRACTITIONER_GROUP = "microneedling_treatment.group_practitioner"
# The protocol's catalog: its chatter is the audit of who changed the protocol, for
# managers only (reception and practitioners read the catalog itself).
PROTOCOL_THREAD_MODELS = ("microneedling.contraindication", "microneedling.aftercare.step")
MANAGER_GROUP = "microneedling_treatment.group_manager"


class MailMessage(models.Model):
    _inherit = "mail.message"

    microneedling_clinical = fields.Boolean(
        string="Practitioners Only",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Written by a practitioner on a client's record (a log note, a message, the "
        "outcome of an activity): only practitioners read it, and only practitioners "
        "among the staff are notified of it. Its attachments follow it.",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        forced = trusted.is_raised(self.env, trusted.CLINICAL)
        written_by_practitioner = self._microneedling_reads_clinical()
        # The "activity done" notice is written clean by mail.activity (its outcome goes
        # to the clinical record): reception may read which activity was done.
        activity_done = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_activities")
        for vals in vals_list:
            message_type = vals.get("message_type", "comment")
            if forced or (
                written_by_practitioner
                and vals.get("model") in CLINICAL_THREAD_MODELS
                and message_type != "user_notification"
                and vals.get("subtype_id") != activity_done
                # Any text a practitioner posts (tracking messages carry none).
                and (message_type == "comment" or not is_html_empty(vals.get("body")))
            ):
                vals["microneedling_clinical"] = True
        messages = super().create(vals_list)
        messages.filtered("microneedling_clinical")._microneedling_attach_to_message()
        return messages

    def write(self, vals):
        res = super().write(vals)
        if "attachment_ids" in vals:  # files added while editing a message
            self.sudo().filtered("microneedling_clinical")._microneedling_attach_to_message()
        return res

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if not self.env.su and not self._microneedling_reads_clinical():
            domain = expression.AND([[("microneedling_clinical", "=", False)], domain])
        if not self.env.su and not self._microneedling_reads_protocol_audit():
            domain = expression.AND(
                [["|", ("model", "=", False), ("model", "not in", PROTOCOL_THREAD_MODELS)], domain]
            )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _get_forbidden_access(self, operation):
        forbidden = super()._get_forbidden_access(operation)
        if operation == "create":
            return forbidden
        if not self._microneedling_reads_protocol_audit():
            # sudo: reading the model of the messages under check
            audit = (self - forbidden).sudo().filtered(lambda m: m.model in PROTOCOL_THREAD_MODELS)
            forbidden += self.browse(audit.ids)
        if self._microneedling_reads_clinical():
            return forbidden
        # sudo: reading the flag of the messages under check (a plain read would check them)
        clinical = (self - forbidden).sudo().filtered("microneedling_clinical")
        return forbidden + self.browse(clinical.ids)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _microneedling_reads_clinical(self):
        """Whether the current user is a practitioner (OdooBot, running jobs, is not)."""
        user = self.env.user
        return not user._is_superuser() and user.has_group(PRACTITIONER_GROUP)

    @api.model
    def _microneedling_reads_protocol_audit(self):
        """Whether the current user may read the protocol catalog's change history."""
        return self.env.user._is_superuser() or self.env.user.has_group(MANAGER_GROUP)

    def _microneedling_attach_to_message(self):
        """Attach the files of practitioner-only messages to the message, not the record:
        anyone who reads the record may read its attachments."""
        for message in self:
            message.attachment_ids.sudo().write({"res_model": self._name, "res_id": message.id})
