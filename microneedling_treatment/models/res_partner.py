from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .microneedling_intake import CLEARANCE_STATES


class ResPartner(models.Model):
    _inherit = "res.partner"

    microneedling_series_ids = fields.One2many(
        comodel_name="microneedling.series", inverse_name="partner_id", string="Treatment Series"
    )
    microneedling_series_count = fields.Integer(
        string="Series", compute="_compute_microneedling_counts"
    )
    microneedling_session_count = fields.Integer(
        string="Sessions", compute="_compute_microneedling_counts"
    )
    # Derived from the health answers, readable by reception: no answer leaks through.
    microneedling_clearance_state = fields.Selection(
        selection=CLEARANCE_STATES,
        string="Microneedling Clearance",
        groups="microneedling_treatment.group_receptionist",
        compute="_compute_microneedling_clearance",
        compute_sudo=True,
        search="_search_microneedling_clearance_state",
    )
    microneedling_blocked_until = fields.Datetime(
        string="Blocked Until",
        groups="microneedling_treatment.group_receptionist",
        compute="_compute_microneedling_clearance",
        compute_sudo=True,
        help="When only time-bound contraindications block the client: the first moment a "
        "session is allowed again.",
    )
    microneedling_clearance_label = fields.Char(
        string="Clearance",
        compute="_compute_microneedling_clearance",
        compute_sudo=True,
        groups="microneedling_treatment.group_receptionist",
    )
    # The Clients menu lists these: a series or a screening (any state) in one of
    # the user's companies. Staff, companies' contacts and CRM-only contacts are not.
    # Who is screened is for the desk only, like the clearance.
    microneedling_is_client = fields.Boolean(
        string="Treatment Client",
        compute="_compute_microneedling_is_client",
        search="_search_microneedling_is_client",
        groups="microneedling_treatment.group_receptionist",
    )

    def _compute_microneedling_counts(self):
        series_counts = dict(
            self.env["microneedling.series"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        session_counts = dict(
            self.env["microneedling.session"]._read_group(
                [("partner_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.microneedling_series_count = series_counts.get(partner, 0)
            partner.microneedling_session_count = session_counts.get(partner, 0)

    @api.depends_context("company")
    def _compute_microneedling_clearance(self):
        now = fields.Datetime.now()
        # Clearance as the current company's screenings establish it.
        company = self.env.company
        Intake = self.env["microneedling.intake"]
        current = Intake._current_for_partners(self._origin, company)
        for partner in self:
            intake = current.get((partner._origin.id, company.id), Intake)
            (
                partner.microneedling_clearance_state,
                partner.microneedling_blocked_until,
                partner.microneedling_clearance_label,
            ) = intake._clearance(now)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_microneedling_is_client(self):
        clients = set(self.env["microneedling.series"]._client_partner_ids(self._origin.ids))
        for partner in self:
            partner.microneedling_is_client = partner._origin.id in clients

    def _check_microneedling_desk_search(self, field_name):
        """The ORM does not check a field's groups for a searched computed field: who
        is screened, and their clearance, stay the desk's."""
        if not (
            self.env.su or self.env.user.has_group("microneedling_treatment.group_receptionist")
        ):
            raise AccessError(
                _(
                    "Only the microneedling desk (reception, practitioners) can filter "
                    "contacts by %(field)s.",
                    field=self._fields[field_name]._description_string(self.env),
                )
            )

    def _search_microneedling_is_client(self, operator, value):
        self._check_microneedling_desk_search("microneedling_is_client")
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Filter treatment clients with = or != and a boolean value."))
        clients = self.env["microneedling.series"]._client_partner_ids()
        return [("id", "in" if (operator == "=") == value else "not in", clients)]

    def _search_microneedling_clearance_state(self, operator, value):
        """Clients by clearance as the compute gives it (current company, now): not
        stored, as a time-bound block ends by itself."""
        self._check_microneedling_desk_search("microneedling_clearance_state")
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(
                _("Filter clients by clearance with =, !=, in or not in (a list of states).")
            )
        values = set(value) if operator in ("in", "not in") else {value}
        if operator in ("!=", "not in"):
            values = {state for state, _label in CLEARANCE_STATES} - values
        return self.env["microneedling.intake"]._partner_domain_by_clearance(
            values, self.env.company, fields.Datetime.now()
        )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        if "tz" in vals and self:
            self.env["microneedling.aftercare.schedule"]._replan_for_time_zones(self)
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_microneedling_series(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "microneedling_treatment.microneedling_series_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_view_microneedling_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "microneedling_treatment.microneedling_session_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_view_microneedling_intakes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "microneedling_treatment.microneedling_intake_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_send_microneedling_screening_link(self):
        """Reception sends the screening link for the client's next booked visit here."""
        self.ensure_one()
        session = self.env["microneedling.session"]._next_visit(self)
        if not session:
            raise UserError(
                _(
                    "%(client)s has no coming booked visit: book the session first, the "
                    "screening link is for a visit.",
                    client=self.display_name,
                )
            )
        return session.action_send_screening_link()

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _microneedling_lock(self):
        """Serialise, per client, the transactions that book sessions or change screenings.

        The booking rules read several rows (the client's sessions, screenings) and
        write others: two such transactions for one client must not both commit on
        what each read alone. Odoo's transactions are REPEATABLE READ, so a plain row
        lock is not enough (the second would go on with its old snapshot): each one
        updates the client's row, the second then fails with a serialization error
        once the first commits, and Odoo retries it on fresh data. Rows are taken
        in id order so that two batches never deadlock.
        """
        if not self.ids:
            return
        self.env.cr.execute(
            """
            UPDATE res_partner SET write_date = write_date
             WHERE id IN (SELECT id FROM res_partner WHERE id IN %s ORDER BY id FOR UPDATE)
            """,
            [tuple(self.ids)],
        )
