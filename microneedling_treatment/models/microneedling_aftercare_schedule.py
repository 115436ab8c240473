from datetime import timedelta

from odoo import api, fields, models

# Steps that fall due longer ago than this when they are first scheduled are
# never run: importing or re-dating old sessions must not message clients.
BACKFILL_GRACE = timedelta(hours=24)


class MicroneedlingAftercareSchedule(models.Model):
    _name = "microneedling.aftercare.schedule"
    _description = "Microneedling Aftercare Schedule"
    _order = "scheduled_date, id"

    session_id = fields.Many2one(
        comodel_name="microneedling.session", required=True, index=True, ondelete="cascade"
    )
    series_id = fields.Many2one(related="session_id.series_id", store=True, index=True)
    partner_id = fields.Many2one(related="session_id.partner_id", string="Client")
    company_id = fields.Many2one(related="session_id.company_id", store=True, index=True)
    step_id = fields.Many2one(
        comodel_name="microneedling.aftercare.step", required=True, index=True, ondelete="cascade"
    )
    kind = fields.Selection(related="step_id.kind")
    scheduled_date = fields.Datetime(required=True, index=True)
    state = fields.Selection(
        selection=[
            ("pending", "Pending"),
            ("done", "Done"),
            ("skipped", "Skipped"),
            ("cancelled", "Withdrawn"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    processed_date = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "session_step_unique",
            "UNIQUE(session_id, step_id)",
            "An aftercare step runs at most once per session.",
        ),
    ]

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _cron_process_due(self, batch_size=200, auto_commit=False):
        """Run every due step, batch by batch; each batch commits with its effects."""
        sheets = {}  # one PDF per language for the whole run
        while True:
            lines = self.search(
                [("state", "=", "pending"), ("scheduled_date", "<=", fields.Datetime.now())],
                limit=batch_size,
            )
            if not lines:
                return
            lines._process(sheets)
            if auto_commit:
                # Messages are queued and lines marked done in the same transaction:
                # a crash rolls both back, so a rerun neither skips nor repeats a step.
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _process(self, sheets=None):
        """Run these pending lines' steps now, step by step, in batch."""
        sheets = {} if sheets is None else sheets
        now = fields.Datetime.now()
        lines = self.filtered(lambda line: line.state == "pending")
        conditional = lines.filtered(lambda line: line.step_id.condition == "next_session_needed")
        needed = conditional.session_id._aftercare_next_session_needed()
        skipped = conditional.filtered(lambda line: line.session_id not in needed)
        todo = lines - skipped
        for step, step_lines in todo.grouped("step_id").items():
            if step.kind == "message":
                step_lines._send_messages(sheets)
            else:
                step_lines._plan_activities()
        skipped.write({"state": "skipped", "processed_date": now})
        todo.write({"state": "done", "processed_date": now})

    def _send_messages(self, sheets):
        """Email (and SMS where possible) one step's client message, in each client's language."""
        step = self.step_id.ensure_one()
        sessions = self.session_id.with_context(
            mail_notify_force_send=False, mail_create_nosubscribe=True
        )
        rendered = step.mail_template_id._generate_template(
            sessions.ids, ("subject", "body_html", "email_from", "reply_to")
        )
        if step.attach_sheet:
            self._aftercare_sheets(sessions, sheets)
        # An internal note addressed to the client: the client gets the email, the
        # session's staff followers do not (they get activities instead).
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        for session in sessions:
            values = rendered[session.id]
            lang = session.partner_id.lang or "en_US"
            session.message_post(
                body=values["body_html"],
                subject=values["subject"],
                email_from=values.get("email_from"),
                reply_to=values.get("reply_to"),
                partner_ids=session.partner_id.ids,
                message_type="auto_comment",
                subtype_id=subtype_id,
                attachments=[sheets[lang]] if step.attach_sheet else None,
                email_layout_xmlid="mail.mail_notification_light",
            )
        if step.sms_template_id:
            for session in sessions.filtered(
                lambda s: s.company_id.microneedling_sms_enabled and s.partner_id.mobile
            ):
                session._message_sms_with_template(
                    template=step.sms_template_id, partner_ids=session.partner_id.ids
                )

    @api.model
    def _aftercare_sheets(self, sessions, sheets):
        """Fill {lang: (file name, pdf)}: the sheet is the same for every client of a language."""
        report = self.env.ref("microneedling_treatment.action_report_aftercare_sheet")
        for lang, lang_sessions in sessions.grouped(lambda s: s.partner_id.lang or "en_US").items():
            if lang in sheets:
                continue
            pdf, _format = (
                self.env["ir.actions.report"]
                .with_context(lang=lang)
                ._render_qweb_pdf(report, lang_sessions[:1].ids)
            )
            name = self.env["ir.actions.report"].with_context(lang=lang)._get_report(report).name
            sheets[lang] = (f"{name}.pdf", pdf)

    def _plan_activities(self):
        """Create one step's staff activities in one batch, due when the step falls due."""
        step = self.step_id.ensure_one()
        target_model = (
            "microneedling.series" if step.activity_target == "series" else "microneedling.session"
        )
        model_id = self.env["ir.model"]._get_id(target_model)
        vals_list = []
        for line in self:
            session = line.session_id
            record = session.series_id if step.activity_target == "series" else session
            user = session._aftercare_assignee(step.activity_assignee)
            vals_list.append(
                {
                    "activity_type_id": step.activity_type_id.id,
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "user_id": user.id,
                    "summary": step.name,
                    "date_deadline": line.scheduled_date.date(),
                }
            )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
