from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# Reasons a manager's override lifts; absolute contraindications, a missing
# screening and the spacing between sessions are never overridden.
OVERRIDABLE_REASONS = ("window", "review")
OVERRIDE_FIELDS = ("override_reason", "override_user_id", "override_date")


class MicroneedlingSession(models.Model):
    """A manager's override of a session's clearance block.

    The override names its author, covers only the answers that blocked the session
    when it was given, and lasts while the session keeps its slot in its series.
    """

    _inherit = "microneedling.session"  # pylint: disable=consider-merging-classes-inherited

    # Its reason is usually clinical: practitioners only.
    override_reason = fields.Text(
        copy=False,
        help="A manager's reason to let the session go ahead despite a time window or an "
        "uncleared review answer. Absolute contraindications cannot be overridden.",
        tracking=True,
        groups="microneedling_treatment.group_practitioner",
    )
    override_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Overridden By",
        readonly=True,
        copy=False,
        ondelete="restrict",
        tracking=True,
    )
    override_date = fields.Datetime(readonly=True, copy=False)
    override_answer_ids = fields.Many2many(
        comodel_name="microneedling.intake.answer",
        string="Overridden Answers",
        readonly=True,
        copy=False,
        groups="microneedling_treatment.group_practitioner",
        help="The answers the manager reviewed when overriding: a later screening's answers "
        "are not covered.",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def _prepare_booking_values(self, vals_list):
        for vals in vals_list:
            self._check_override_access(vals)
        vals_list = super()._prepare_booking_values(
            [self._prepare_override_values(vals) for vals in vals_list]
        )
        return [
            dict(
                vals, override_answer_ids=self._override_coverage(vals["series_id"], vals["start"])
            )
            if vals.get("override_reason") and vals.get("series_id") and vals.get("start")
            else vals
            for vals in vals_list
        ]

    def write(self, vals):
        if vals.get("override_reason") and len(self) > 1:
            # What an override covers depends on each session's client and time.
            for session in self:
                session.write(vals)
            return True
        self._check_override_access(vals)
        vals = self._prepare_override_values(vals)
        if vals.get("override_reason") and self:
            coverage = self._override_coverage(
                vals.get("series_id", self.series_id.id), vals.get("start", self.start)
            )
            vals = dict(vals, override_answer_ids=coverage)
        expired = self._expired_overrides(vals)
        result = super().write(vals)
        if expired:
            # sudo: reception may move an overridden session without access to the
            # (clinical) reason; the booking check then runs without the override.
            expired.write(
                dict.fromkeys(OVERRIDE_FIELDS, False)
                | {"override_answer_ids": [fields.Command.clear()]}
            )
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_override_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Block"),
            "res_model": "microneedling.session.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _override(self, reason):
        """Manager override of the clearance block, with its mandatory reason."""
        if not (reason or "").strip():
            raise UserError(_("An override needs a reason: say why the session may go ahead."))
        self.write({"override_reason": reason})

    def _overridden_answers(self):
        """{session id: ids of the answers its override covers} (sudo: whoever books
        may rely on an override without reading its reason)."""
        return {
            session.id: set(session.override_answer_ids.ids)
            for session in self.sudo().filtered("override_reason")
        }

    @api.model
    def _without_overridden(self, reasons, covered):
        """The block reasons an override covering the answers `covered` leaves: time
        windows and review answers it was given for, nothing else."""
        return [
            reason
            for reason in reasons
            if not (reason["type"] in OVERRIDABLE_REASONS and reason.get("answer_id") in covered)
        ]

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _check_override_access(self, vals):
        """Only a manager overrides; what an override covers is the server's record."""
        if self.env.su:
            return
        if "override_answer_ids" in vals:
            raise AccessError(
                _("What an override covers is recorded by the server when it is given.")
            )
        if set(OVERRIDE_FIELDS) & set(vals) and not self.env.user.has_group(
            "microneedling_treatment.group_manager"
        ):
            raise AccessError(_("Only a microneedling manager can override a session's block."))

    def _expired_overrides(self, vals):
        """Overrides a write ends: an override holds for one slot of one series."""
        if "override_reason" in vals or not {"start", "series_id"} & set(vals):
            return self.browse()
        return self.sudo().filtered("override_reason")

    @api.model
    def _override_coverage(self, series_id, start):
        """An override covers the answers that block the session when it is given (a
        time window, an uncleared review item): not what a later screening says.
        Returns the x2many command recording them."""
        series = self.env["microneedling.series"].sudo().browse(series_id)
        start = fields.Datetime.to_datetime(start)
        Intake = self.env["microneedling.intake"]
        current = Intake._current_for_partners(series.partner_id, series.company_id)
        intake = current.get((series.partner_id.id, series.company_id.id), Intake)
        covered = [
            reason["answer_id"]
            for reason in (intake._block_reasons(start) if intake else [])
            if reason["type"] in OVERRIDABLE_REASONS
        ]
        return [fields.Command.set(covered)]

    @api.model
    def _prepare_override_values(self, vals):
        """An override names its author and lasts while the session keeps its slot."""
        if "override_reason" in vals:
            raw = vals["override_reason"]
            if raw is not False and not isinstance(raw, str):
                raise ValidationError(
                    _("The override reason must be text: say why the session may go ahead.")
                )
            reason = (raw or "").strip()
            if raw is not False and not reason:
                raise UserError(_("An override needs a reason: say why the session may go ahead."))
            vals = dict(
                vals,
                override_reason=reason or False,
                override_user_id=self.env.uid if reason else False,
                override_date=fields.Datetime.now() if reason else False,
            )
        return vals
