from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, is_html_empty, plaintext2html

from . import trusted
from .mail_message import CLINICAL_THREAD_MODELS, PRACTITIONER_GROUP

SIDE_EFFECT_TYPE = "microneedling_treatment.mail_activity_type_side_effects"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    microneedling_side_effect_form = fields.Boolean(
        compute="_compute_microneedling_side_effect_form",
        help="A session's side-effect follow-up: marking it done opens the side-effect form.",
    )

    @api.depends("activity_type_id", "res_model")
    def _compute_microneedling_side_effect_form(self):
        side_effect_type = self.env.ref(SIDE_EFFECT_TYPE, raise_if_not_found=False)
        for activity in self:
            activity.microneedling_side_effect_form = bool(
                side_effect_type
                and activity.activity_type_id == side_effect_type
                and activity.res_model == "microneedling.session"
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        activities._microneedling_keep_note_clinical()
        return activities

    def write(self, vals):
        result = super().write(vals)
        if "note" in vals:
            self._microneedling_keep_note_clinical()
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_microneedling_record_side_effects(self):
        """Mark Done of a side-effect follow-up: the form that records the findings."""
        self.ensure_one()
        self._microneedling_check_side_effect_follow_up()
        return {
            "type": "ir.actions.act_window",
            "name": _("Side-effect Follow-up"),
            "res_model": "microneedling.side.effect.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_activity_id": self.id},
        }

    def _action_done(self, feedback=False, attachment_ids=None):
        """The outcome of a clinical follow-up goes to the clinical record, never to
        the chatter: Odoo would post the feedback, the activity's note and its files
        in the "done" message, which everyone who reads the record reads."""
        # The side-effect follow-up is a practitioner's, whichever way it is closed.
        side_effect_follow_ups = self.filtered("microneedling_side_effect_form")
        if side_effect_follow_ups:
            side_effect_follow_ups._microneedling_check_side_effect_follow_up()
        # A follow-up planned by the aftercare timeline is done there too.
        self.env["microneedling.aftercare.schedule"].sudo().search(
            [("activity_id", "in", self.ids)]
        ).write({"state": "done", "processed_date": fields.Datetime.now()})
        clinical = self._microneedling_clinical_follow_ups()
        if not clinical:
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        clinical._microneedling_record_outcome(feedback, attachment_ids)
        messages, next_activities = super(MailActivity, self - clinical)._action_done(
            feedback=feedback, attachment_ids=attachment_ids
        )
        # The "done" message still says which activity was done, by whom.
        clinical_messages, clinical_next = super(MailActivity, clinical)._action_done()
        return messages + clinical_messages, next_activities + clinical_next

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _microneedling_check_side_effect_follow_up(self):
        """Only practitioners record side effects, and only from a session's follow-up."""
        if not (self.env.su or self.env.user.has_group(PRACTITIONER_GROUP)):
            raise AccessError(
                _(
                    "Only a practitioner records a client's side effects: ask %(user)s (or "
                    "another practitioner) to complete the follow-up.",
                    user=", ".join(self.sudo().user_id.mapped("name")) or _("a practitioner"),
                )
            )
        for activity in self:
            if not activity.microneedling_side_effect_form:
                raise UserError(
                    _(
                        "%(activity)s is not a session's side-effect follow-up: mark it done "
                        "from the activity itself.",
                        activity=activity._microneedling_title(),
                    )
                )

    def _microneedling_own_uploads(self, attachment_ids):
        """The files given when completing these activities, which are then posted in
        sudo: only what the user uploaded for it (a pending composer upload, or a file
        of these activities) and may read, as core's message_post would accept."""
        files = self.env["ir.attachment"].browse(attachment_ids or [])
        if not files:
            return files.sudo()
        files.check_access("read")
        foreign = files.sudo().filtered(
            lambda f: f.create_uid != self.env.user
            or not (
                (f.res_model == "mail.compose.message" and not f.res_id)
                or (f.res_model == self._name and f.res_id in self.ids)
            )
        )
        if foreign:
            raise AccessError(
                _(
                    "%(files)s: only files uploaded for this follow-up can be attached "
                    "when marking it done.",
                    files=", ".join(foreign.mapped("name")),
                )
            )
        return files.sudo()

    def _microneedling_clinical_follow_ups(self):
        """Activities whose outcome is health data: any activity on a session (whoever
        takes the client's call: reception's notes go to the clinicians), and what a
        practitioner completes on the client's other records."""
        by_practitioner = self.env["mail.message"]._microneedling_reads_clinical()
        return self.filtered(
            lambda a: a.res_model == "microneedling.session"
            or (by_practitioner and a.res_model in CLINICAL_THREAD_MODELS)
        )

    def _microneedling_keep_note_clinical(self):
        """A note a practitioner writes on a planned activity of a client's record is
        health data, and whoever reads the record reads its activities: the note goes
        to the clinical record (a practitioner-only note), the activity says where."""
        if trusted.is_raised(self.env, trusted.CLINICAL):
            return
        if not self.env["mail.message"]._microneedling_reads_clinical():
            return
        noted = self.filtered(
            lambda a: a.res_model in CLINICAL_THREAD_MODELS and not is_html_empty(a.note)
        )
        for activity in noted:
            entry = activity._microneedling_outcome_entry(False, activity.note)
            record = self.env[activity.res_model].sudo().browse(activity.res_id)
            record.with_context(**trusted.flag(trusted.CLINICAL)).message_post(
                body=entry,
                author_id=self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        noted.sudo().with_context(**trusted.flag(trusted.CLINICAL)).write(
            {
                "note": Markup("<p>%s</p>")
                % _("Note kept in the clinical record (practitioners only).")
            }
        )

    def _microneedling_record_outcome(self, feedback, attachment_ids):
        """Session: feedback and note appended to the clinical notes. Series, client:
        a practitioner-only note. Files: a practitioner-only note on the record."""
        Attachment = self.env["ir.attachment"].sudo()
        given_files = self._microneedling_own_uploads(attachment_ids)
        for activity in self:
            note = activity.note if not is_html_empty(activity.note) else False
            entry = activity._microneedling_outcome_entry(feedback, note)
            files = given_files | Attachment.search(
                [("res_model", "=", self._name), ("res_id", "=", activity.id)]
            )
            # sudo: the user may complete the activity without reading the clinical record.
            record = self.env[activity.res_model].sudo().browse(activity.res_id)
            if entry and activity.res_model == "microneedling.session":
                record.clinical_notes = Markup("%s%s") % (record.clinical_notes or "", entry)
                entry = False
            if entry or files:
                record.with_context(**trusted.flag(trusted.CLINICAL)).message_post(
                    body=entry
                    or Markup("<p>%s</p>")
                    % _("Files of %(activity)s", activity=activity._microneedling_title()),
                    author_id=self.env.user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    attachment_ids=files.ids,
                )
            if note:
                # Kept in the clinical record: neither the "done" message nor a kept
                # done activity shows it.
                activity.sudo().note = False

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _microneedling_title(self):
        self.ensure_one()
        if self.summary and self.summary != self.activity_type_id.name:
            return _(
                "%(activity_type)s: %(summary)s",
                activity_type=self.activity_type_id.name,
                summary=self.summary,
            )
        return self.activity_type_id.name or self.summary or ""

    def _microneedling_outcome_entry(self, feedback, note):
        """A dated entry with the feedback and the note, or False when both are empty."""
        self.ensure_one()
        if not feedback and not note:
            return False
        header = _(
            "%(activity)s, %(date)s (%(user)s)",
            activity=self._microneedling_title(),
            date=format_date(self.env, fields.Date.context_today(self)),
            user=self.env.user.name,
        )
        parts = [Markup("<p><strong>%s</strong></p>") % header]
        if note:
            parts.append(Markup("<div>%s</div>") % note)
        if feedback:
            parts.append(plaintext2html(feedback))
        return Markup().join(parts)
