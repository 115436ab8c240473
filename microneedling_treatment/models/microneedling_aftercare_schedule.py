import hashlib
import logging
import re
import threading
from collections import OrderedDict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Steps that fall due longer ago than this when they are first scheduled are
# never run: importing or re-dating old sessions must not message clients.
BACKFILL_GRACE = timedelta(hours=24)

# Lines claimed and run per call: one transaction when the cron runs them.
BATCH_SIZE = 200

# Rendered aftercare sheets, by database and sheet HTML: the same HTML gives the
# same PDF, and a PDF takes about a second to render. The cron runs its batches
# in separate calls (and transactions); they share the PDFs through this cache.
# Keyed on the HTML, a sheet is never stale: any change to it is a new key.
SHEET_CACHE_SIZE = 32
# The report marks its page with the record's id, which the sheet does not show.
RECORD_ID_ATTRIBUTE = re.compile(rb' data-oe-id="\d+"')
_sheet_pdfs = OrderedDict()
_sheet_pdfs_lock = threading.Lock()


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
    scheduled_date = fields.Datetime(
        string="Due", required=True, index=True, help="When the step falls due."
    )
    # Stored when the line is scheduled, not kept in step with the client's time zone or
    # the company's quiet hours: a message that went out must keep the time it was
    # planned for. A line still waiting is moved when the quiet hours change, and
    # checked again when it is sent (_hold_for_quiet_hours).
    send_date = fields.Datetime(
        string="Planned Send Time",
        compute="_compute_send_date",
        store=True,
        precompute=True,
        readonly=True,
        index=True,
        help="When the step runs: its due time, except that a client message falling due "
        "in the client's quiet hours (night, a company setting) waits for their end, in "
        "the client's time zone. Staff activities are planned at their due time.",
    )
    state = fields.Selection(
        selection=[
            ("pending", "Pending"),
            ("planned", "Planned"),
            ("done", "Done"),
            ("skipped", "Skipped"),
            ("cancelled", "Withdrawn"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    processed_date = fields.Datetime(readonly=True)
    activity_id = fields.Many2one(
        comodel_name="mail.activity",
        string="Planned Activity",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="A staff step's activity, planned as soon as the session is done.",
    )
    error_message = fields.Text(
        string="Error",
        readonly=True,
        groups="microneedling_treatment.group_manager",
        help="Why this step could not run (a template that does not render, for example).",
    )

    _sql_constraints = [
        (
            "session_step_unique",
            "UNIQUE(session_id, step_id)",
            "An aftercare step runs at most once per session.",
        ),
    ]

    @api.depends("scheduled_date")
    def _compute_send_date(self):
        for line in self:
            date = line.scheduled_date
            session = line.session_id
            if date and line.step_id.kind == "message" and session.company_id:
                date = session.company_id._microneedling_send_time(date, session.partner_id)
            line.send_date = date

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_retry(self):
        """Run failed steps again at the next cron run, once their cause is fixed."""
        failed = self.filtered(lambda line: line.state == "failed")
        if self - failed:
            raise UserError(
                _(
                    "Only failed aftercare steps can be retried, and these did not fail: "
                    "%(lines)s. Select failed steps only (filter Failed).",
                    lines=", ".join(
                        f"{line.step_id.name} ({line.session_id.display_name})"
                        for line in self - failed
                    ),
                )
            )
        # A session no longer done keeps its steps withdrawn, as its pending ones were.
        withdrawn = failed.filtered(lambda line: line.session_id.state != "done")
        retried = failed - withdrawn
        withdrawn.write({"state": "cancelled", "error_message": False})
        retried.write({"state": "pending", "error_message": False})
        if retried:
            self.env.ref("microneedling_treatment.ir_cron_aftercare_process")._trigger()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _sync_sessions(self, sessions):
        """Make the sessions' aftercare lines match their done time and series (idempotent).

        A done session gets one line per active step, dated from its done time.
        Client messages wait for the cron ("pending"); staff activities are planned
        at once ("planned", due on the step's date), so staff see and plan their
        calls. A conditional step (the series has sessions left and none booked) is
        planned while that holds, and withdrawn as soon as a session is booked.
        Moving the done time moves what has not run; a session no longer done has
        it withdrawn; what ran never runs again. A step that would fall due more
        than BACKFILL_GRACE ago is skipped: imported history messages nobody.
        """
        sessions = sessions.sudo().filtered("id")
        if not sessions:
            return
        Schedule = self.sudo()
        steps = self.env["microneedling.aftercare.step"].sudo().search([])
        existing = Schedule.search([("session_id", "in", sessions.ids)])
        by_key = {(line.session_id.id, line.step_id.id): line for line in existing}
        floor = fields.Datetime.now() - BACKFILL_GRACE
        needed = self._next_session_needed(sessions)
        create_vals, withdraw, to_plan, moved = [], Schedule, Schedule, Schedule
        for session in sessions:
            is_done = session.state == "done" and session.date_done
            for step in steps:
                line = by_key.get((session.id, step.id))
                if not is_done:
                    if line and line.state in ("pending", "planned"):
                        withdraw |= line
                    continue
                date = step._scheduled_date(session)
                state = self._wanted_state(step, date, floor, session in needed)
                if not line:
                    create_vals.append(
                        {
                            "session_id": session.id,
                            "step_id": step.id,
                            "scheduled_date": date,
                            "state": state,
                        }
                    )
                elif line.state == "planned" and state == "planned":
                    if line.scheduled_date != date:
                        line.scheduled_date = date
                        moved |= line
                elif line.state == "planned":
                    withdraw |= line
                    if state == "skipped":
                        withdraw -= line
                        line.activity_id.unlink()
                        line.state = "skipped"
                elif line.state in ("pending", "cancelled") and (
                    line.scheduled_date != date or line.state != state
                ):
                    line.write({"scheduled_date": date, "state": state})
                    if state == "planned":
                        to_plan |= line
        withdraw.activity_id.unlink()
        withdraw.write({"state": "cancelled"})
        for line in moved.filtered("activity_id"):
            line.activity_id.date_deadline = line.scheduled_date.date()
        created = Schedule.create(create_vals)
        to_plan |= created.filtered(lambda line: line.state == "planned")
        for step_lines in to_plan.grouped("step_id").values():
            step_lines._plan_activities()
        if created.filtered(lambda line: line.state == "pending"):
            # The "at once" steps should not wait for the next scheduled run.
            self.env.ref("microneedling_treatment.ir_cron_aftercare_process")._trigger()

    @api.model
    def _wanted_state(self, step, date, floor, next_session_needed):
        """What a done session's line of `step`, due at `date`, should be now."""
        if date < floor:
            return "skipped"
        if step.kind == "message":
            return "pending"
        if step.condition == "always" or next_session_needed:
            return "planned"
        return "cancelled"

    @api.model
    def _next_session_needed(self, sessions):
        """Sessions whose series still needs a next session that nobody booked."""
        return sessions.filtered(
            lambda s: s.series_id.state == "in_progress"
            and s.series_id.session_done_count < s.series_id.planned_session_count
            and not s.series_id.next_session_date
            and s.series_id.last_done_date == s.start
        )

    @api.model
    def _cron_process_due(self, batch_size=BATCH_SIZE, auto_commit=None):
        """Claim and run one batch of due lines, and report progress to the cron.

        Run by the cron, each call is one transaction: the framework commits after
        it and calls again while lines remain (``ir.cron._notify_progress``). Called
        elsewhere (a test, a button, "Run Manually"), it runs one batch in the
        caller's transaction and triggers the cron for the rest. Return the lines
        claimed.
        """
        # `auto_commit` was the cron's argument when this method committed by itself;
        # a database installed then keeps that cron code (noupdate data): ignore it.
        del auto_commit
        lines = self._claim_due(batch_size)
        lines._process_isolated({})
        remaining = 0 if len(lines) < batch_size else self.search_count(self._due_domain())
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)
        # `cron_id` is in the context of the cron framework's own runs only (not of
        # "Run Manually"): it calls again by itself while lines remain.
        if remaining and not self.env.context.get("cron_id"):
            self.env.ref("microneedling_treatment.ir_cron_aftercare_process")._trigger()
        return lines

    @api.model
    def _due_domain(self):
        return [
            ("state", "=", "pending"),
            ("send_date", "<=", fields.Datetime.now()),
            ("company_id.microneedling_aftercare_paused", "=", False),
        ]

    @api.model
    def _claim_due(self, limit):
        """Lock up to `limit` due lines for this transaction, skipping lines locked by another.

        Two workers (the cron, a manual run) never run the same line and never
        wait for each other: a line being run elsewhere is simply not claimed here.
        """
        self.flush_model(["state", "send_date", "company_id"])
        self.env["res.company"].flush_model(["microneedling_aftercare_paused"])
        self.env.cr.execute(
            SQL(
                """
                SELECT line.id FROM %(table)s line
                  JOIN res_company company ON company.id = line.company_id
                 WHERE line.state = 'pending' AND line.send_date <= %(now)s
                   -- A company's explicit pause holds its client messages back.
                   AND NOT coalesce(company.microneedling_aftercare_paused, false)
              ORDER BY line.send_date, line.id
                 LIMIT %(limit)s
                   FOR UPDATE OF line SKIP LOCKED
                """,
                table=SQL.identifier(self._table),
                now=fields.Datetime.now(),
                limit=limit,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _process_isolated(self, sheets):
        """Run these lines in one go; if that fails, line by line, marking the lines that fail.

        Each line's messages and its new state are saved together or not at all.
        A concurrency error (lock, serialization, deadlock) is no line's fault: it
        aborts the batch, as Odoo retries such requests, and the cron runs it again.
        """
        try:
            with self.env.cr.savepoint():
                self._process(sheets)
            return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001 - any line may break the batch; find which below
            _logger.info("Aftercare batch of %s lines failed: running it line by line", len(self))
        for line in self:
            try:
                with self.env.cr.savepoint():
                    line._process(sheets)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:  # noqa: BLE001 - isolate the broken line, run the rest
                _logger.warning(
                    "Aftercare line %s (step %r, session %s) failed and is marked failed",
                    line.id,
                    line.step_id.name,
                    line.session_id.id,
                    exc_info=True,
                )
                line._mark_failed(error)

    def _mark_failed(self, error):
        self.write(
            {
                "state": "failed",
                "processed_date": fields.Datetime.now(),
                "error_message": f"{type(error).__name__}: {error}",
            }
        )

    def _process(self, sheets=None):
        """Run these pending lines' steps now, step by step, in batch."""
        sheets = {} if sheets is None else sheets
        now = fields.Datetime.now()
        lines = self.filtered(lambda line: line.state == "pending")
        lines -= lines._hold_for_quiet_hours(now)
        conditional = lines.filtered(lambda line: line.step_id.condition == "next_session_needed")
        needed = self._next_session_needed(conditional.session_id)
        skipped = conditional.filtered(lambda line: line.session_id not in needed)
        todo = lines - skipped
        for step, step_lines in todo.grouped("step_id").items():
            if step.kind == "message":
                step_lines._send_messages(sheets)
            else:
                step_lines._plan_activities()
        skipped.write({"state": "skipped", "processed_date": now})
        todo.write({"state": "done", "processed_date": now})

    def _hold_for_quiet_hours(self, now):
        """Move the client messages whose client is in the quiet hours now to their end,
        and return them (they stay pending).

        The planned send time already avoids the night; this catches what changed since
        it was computed: the client's time zone, a pause lifted at night, a retry.
        """
        held = self.browse()
        for line in self.filtered(lambda line: line.step_id.kind == "message"):
            session = line.session_id
            morning = session.company_id._microneedling_send_time(now, session.partner_id)
            if morning > now:
                line.send_date = morning
                held |= line
        return held

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
            sheet_key = self._sheet_key(session)
            session.message_post(
                body=values["body_html"],
                subject=values["subject"],
                email_from=values.get("email_from"),
                reply_to=values.get("reply_to"),
                partner_ids=session.partner_id.ids,
                message_type="auto_comment",
                subtype_id=subtype_id,
                attachments=[sheets[sheet_key]] if step.attach_sheet else None,
                email_layout_xmlid="mail.mail_notification_light",
            )
        if not step.sms_template_id:
            return
        sms_sessions = sessions.filtered(
            lambda s: s.company_id.microneedling_sms_enabled and s.partner_id.mobile
        )
        for session in sms_sessions:
            # Queued, not sent from inside the transaction: a rollback (a failing
            # line, a crash) cannot unsend a text, and the rerun would send it again.
            session._message_sms_with_template(
                template=step.sms_template_id,
                partner_ids=session.partner_id.ids,
                put_in_queue=True,
            )
        if sms_sessions:
            # The SMS queue runs hourly: run it as soon as this batch is committed.
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    @api.model
    def _sheet_key(self, session):
        """The sheet is the same for the clients of a language and a company (its letterhead)."""
        return (session.partner_id.lang or "en_US", session.company_id.id)

    @api.model
    def _aftercare_sheets(self, sessions, sheets):
        """Fill {(lang, company id): (file name, pdf)} for these sessions."""
        report = self.env.ref("microneedling_treatment.action_report_aftercare_sheet")
        for key, key_sessions in sessions.grouped(self._sheet_key).items():
            if key in sheets:
                continue
            Report = self.env["ir.actions.report"].with_context(lang=key[0])
            name = Report._get_report(report).name
            sheets[key] = (f"{name}.pdf", self._sheet_pdf(Report, report, key_sessions[:1]))

    @api.model
    def _sheet_pdf(self, Report, report, session):
        """The session's aftercare sheet as a PDF, rendered once per distinct sheet HTML."""
        html, _format = Report._render_qweb_html(report, session.ids)
        paperformat = Report._get_report(report).get_paperformat()
        key = (
            self.env.cr.dbname,
            paperformat.id,
            paperformat.write_date,
            hashlib.sha256(RECORD_ID_ATTRIBUTE.sub(b"", html)).hexdigest(),
        )
        with _sheet_pdfs_lock:
            pdf = _sheet_pdfs.get(key)
            if pdf is not None:
                _sheet_pdfs.move_to_end(key)
                return pdf
        pdf, _format = Report._render_qweb_pdf(report, session.ids)
        with _sheet_pdfs_lock:
            _sheet_pdfs[key] = pdf
            while len(_sheet_pdfs) > SHEET_CACHE_SIZE:
                _sheet_pdfs.popitem(last=False)
        return pdf

    def _plan_activities(self):
        """Create one step's staff activities in one batch, due when the step falls due,
        and link each line to its activity."""
        step = self.step_id.ensure_one()
        target_model = (
            "microneedling.series" if step.activity_target == "series" else "microneedling.session"
        )
        model_id = self.env["ir.model"]._get_id(target_model)
        vals_list = []
        for line in self:
            session = line.session_id
            record = session.series_id if step.activity_target == "series" else session
            user = step._activity_user(session)
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
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        for line, activity in zip(self, activities, strict=True):
            line.activity_id = activity

    @api.model
    def _replan_for_time_zones(self, partners):
        """Waiting client messages are planned for the daytime of a changed time zone:
        the clients', and, for a company's own partner, those of its clients."""
        companies = self.env["res.company"].sudo().search([("partner_id", "in", partners.ids)])
        self.sudo().search(
            [
                ("state", "=", "pending"),
                "|",
                ("session_id.partner_id", "in", partners.ids),
                ("company_id", "in", companies.ids),
            ]
        )._compute_send_date()
