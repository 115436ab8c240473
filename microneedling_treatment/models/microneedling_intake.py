from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from . import trusted

# Set by the screening's own actions only: never by a form, an import or RPC.
ACTION_FIELDS = {"state", "confirmed_date", "reviewer_id", "review_date"}


class MicroneedlingIntake(models.Model):
    _name = "microneedling.intake"
    _description = "Microneedling Screening"
    _inherit = ["microneedling.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "screening_date desc, id desc"
    _rec_name = "partner_id"

    # Client and screening
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="restrict",
    )
    screening_date = fields.Datetime(
        required=True, default=fields.Datetime.now, tracking=True, index=True
    )
    state = fields.Selection(
        selection=[("draft", "Draft"), ("submitted", "Submitted"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    answer_ids = fields.One2many(
        comodel_name="microneedling.intake.answer",
        inverse_name="intake_id",
        string="Answers",
        copy=True,
    )
    # Consent and confirmation
    consent_given = fields.Boolean(
        string="Client Consent",
        tracking=True,
        help="The client consents to the treatment and to the processing of these health answers.",
    )
    consent_date = fields.Datetime(tracking=True)
    confirmed_date = fields.Datetime(
        string="Answers Confirmed On",
        readonly=True,
        copy=False,
        tracking=True,
        help="Last time the client confirmed these answers are still true.",
    )
    # Practitioner review
    reviewer_id = fields.Many2one(
        comodel_name="res.users",
        string="Reviewed By",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    review_date = fields.Datetime(readonly=True, copy=False)
    notes = fields.Html()
    present_count = fields.Integer(compute="_compute_present_count")

    @api.depends("answer_ids.present")
    def _compute_present_count(self):
        for intake in self:
            intake.present_count = len(intake.answer_ids.filtered("present"))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        if "answer_ids" in fields_list and not result.get("answer_ids"):
            result["answer_ids"] = [
                fields.Command.create({"contraindication_id": item.id})
                for item in self.env["microneedling.contraindication"].search([])
            ]
        return result

    @api.model_create_multi
    def create(self, vals_list):
        intakes = super().create(vals_list)
        intakes._sync_answer_lines()
        return intakes

    def write(self, vals):
        if not self.env.su and not trusted.is_raised(self.env, trusted.TRUSTED):
            if ACTION_FIELDS & set(vals):
                raise AccessError(
                    _("A screening's status, confirmation and review are set by its buttons only.")
                )
            if set(vals) - {"notes", "message_follower_ids", "activity_ids"} and any(
                intake.state != "draft" for intake in self
            ):
                raise UserError(
                    _(
                        "A submitted screening can no longer change: screen the client again, "
                        "or confirm the answers unchanged."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(intake.state == "submitted" for intake in self):
            raise UserError(
                _("A submitted screening is part of the client's record: cancel it instead.")
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_submit(self):
        """Validate the answers and make this the client's current screening."""
        self._check_submittable()
        now = fields.Datetime.now()
        self._trusted().write({"state": "submitted", "confirmed_date": now})
        return True

    def action_confirm_unchanged(self):
        """The client confirms, today, that the submitted answers still hold."""
        if any(intake.state != "submitted" for intake in self):
            raise UserError(_("Only a submitted screening can be confirmed as unchanged."))
        self._trusted().write({"confirmed_date": fields.Datetime.now()})
        self.message_post(body=_("The client confirmed the answers are unchanged."))
        return True

    def action_mark_reviewed(self):
        self._trusted().write({"reviewer_id": self.env.uid, "review_date": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._trusted().write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        self._trusted().write({"state": "draft"})
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _trusted(self):
        return self.with_context(**trusted.flag(trusted.TRUSTED))

    def _sync_answer_lines(self):
        """Give each draft intake one answer line per active catalog item."""
        catalog = self.env["microneedling.contraindication"].search([])
        vals_list = []
        for intake in self.filtered(lambda i: i.state == "draft"):
            missing = catalog - intake.answer_ids.contraindication_id
            vals_list += [{"intake_id": intake.id, "contraindication_id": c.id} for c in missing]
        if vals_list:
            self.env["microneedling.intake.answer"].create(vals_list)

    def _check_submittable(self):
        problems = []
        for intake in self:
            if not intake.consent_given or not intake.consent_date:
                problems.append(
                    _(
                        "%(client)s: record the client's consent and its date before submitting.",
                        client=intake.partner_id.display_name,
                    )
                )
            undated = intake.answer_ids.filtered(
                lambda a: a.present and a.kind == "window" and not a.last_occurrence
            )
            if undated:
                problems.append(
                    _(
                        "%(client)s: give the date of the last occurrence for %(items)s.",
                        client=intake.partner_id.display_name,
                        items=", ".join(undated.contraindication_id.mapped("name")),
                    )
                )
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model
    def _create_submitted(self, partner, answers, when):
        """A consented, submitted screening of partner at `when`.

        answers maps a contraindication code to True (present) or to the datetime
        of its last occurrence; codes left out are answered "not present".
        """
        intake = self.create(
            {
                "partner_id": partner.id,
                "screening_date": when,
                "consent_given": True,
                "consent_date": when,
            }
        )
        for line in intake.answer_ids:
            value = answers.get(line.contraindication_id.code)
            if value:
                vals = {"present": True}
                if isinstance(value, datetime):
                    vals["last_occurrence"] = value
                line.write(vals)
        intake.action_submit()
        return intake

    @api.model
    def _current_for_partners(self, partners, companies):
        """Latest submitted screening of each client in each company, in one query.

        A screening belongs to the company that took it (its record rules keep it
        there), so another company must screen the client itself.
        Returns {(partner id, company id): intake}.
        """
        if not partners or not companies:
            return {}
        self.flush_model(["partner_id", "company_id", "state", "screening_date"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (partner_id, company_id) partner_id, company_id, id
              FROM microneedling_intake
             WHERE partner_id IN %s AND company_id IN %s AND state = 'submitted'
          ORDER BY partner_id, company_id, screening_date DESC, id DESC
            """,
            [tuple(partners.ids), tuple(companies.ids)],
        )
        return {
            (partner_id, company_id): self.browse(intake_id)
            for partner_id, company_id, intake_id in self.env.cr.fetchall()
        }
