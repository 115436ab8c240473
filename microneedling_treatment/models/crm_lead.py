from collections import defaultdict

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.mail import parse_contact_from_email

from .mail_message import PRACTITIONER_GROUP


class CrmLead(models.Model):
    _inherit = "crm.lead"

    microneedling_series_ids = fields.One2many(
        comodel_name="microneedling.series", inverse_name="lead_id", string="Treatment Series"
    )
    microneedling_series_count = fields.Integer(
        string="Series", compute="_compute_microneedling_counts"
    )
    microneedling_session_count = fields.Integer(
        string="Sessions", compute="_compute_microneedling_counts"
    )

    def _compute_microneedling_counts(self):
        series_counts = dict(
            self.env["microneedling.series"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        session_counts = defaultdict(int)
        for series, count in self.env["microneedling.session"]._read_group(
            [("series_id.lead_id", "in", self.ids), ("state", "!=", "cancelled")],
            ["series_id"],
            ["__count"],
        ):
            session_counts[series.lead_id] += count
        for lead in self:
            lead.microneedling_series_count = series_counts.get(lead, 0)
            lead.microneedling_session_count = session_counts.get(lead, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_start_microneedling_series(self):
        """Turn a consultation into a series: client, screening request, next stage.

        The salesperson runs the series when they are a practitioner; otherwise a
        small form asks which practitioner will."""
        self.ensure_one()
        series = self._microneedling_open_series()
        # A second click opens the series the first one started.
        if series:
            return self._microneedling_series_action(series)
        practitioner = self._microneedling_default_practitioner()
        if practitioner:
            return self._microneedling_start_series(practitioner)
        return {
            "type": "ir.actions.act_window",
            "name": _("Start Treatment Series"),
            "res_model": "microneedling.series.start.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_view_microneedling_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "microneedling_treatment.microneedling_session_action"
        )
        action["domain"] = [("series_id.lead_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _microneedling_open_series(self):
        self.ensure_one()
        open_series = self.microneedling_series_ids.filtered(
            lambda s: s.state in ("new", "in_progress")
        )
        return open_series[:1]

    def _microneedling_default_practitioner(self):
        """The salesperson, when they are a practitioner."""
        self.ensure_one()
        user = self.user_id
        return user if user and user.has_group(PRACTITIONER_GROUP) else user.browse()

    def _microneedling_start_series(self, practitioner):
        """Create the client and the series run by `practitioner`, and ask that
        practitioner to screen the client; return the series' form action."""
        self.ensure_one()
        series = self._microneedling_open_series()
        if series:
            return self._microneedling_series_action(series)
        if not (practitioner and practitioner.has_group(PRACTITIONER_GROUP)):
            raise UserError(
                _(
                    "%(user)s is not a practitioner: choose a practitioner to run the "
                    "treatment series of %(lead)s.",
                    user=practitioner.name or _("Nobody"),
                    lead=self.display_name,
                )
            )
        client = self._microneedling_client()
        series = self.env["microneedling.series"].create(
            {"partner_id": client.id, "lead_id": self.id, "user_id": practitioner.id}
        )
        series._request_screening()
        self._microneedling_advance_stage()
        return self._microneedling_series_action(series)

    def _microneedling_series_action(self, series):
        return {
            "type": "ir.actions.act_window",
            "res_model": "microneedling.series",
            "res_id": series.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _microneedling_client(self):
        """The person to treat: the opportunity's contact, else a new contact named after
        them (Contact Name, else Company Name, else the email's name; never the
        opportunity's title), in the opportunity's language."""
        self.ensure_one()
        partner = self.partner_id
        if partner and not partner.is_company:
            return partner
        if self.contact_name and not partner:
            # Odoo's own conversion: the person, under a new company if one is named.
            self._handle_partner_assignment(create_missing=True)
            return self.partner_id
        name = (
            self.contact_name
            or (not partner and self.partner_name)
            or parse_contact_from_email(self.email_from)[0]
        )
        if not name:
            raise UserError(
                _(
                    "The opportunity %(lead)s does not say who the client is: enter the "
                    "client's name in Contact Name, then start the series again.",
                    lead=self.display_name,
                )
            )
        client = self.env["res.partner"].create(
            self._prepare_customer_values(name, is_company=False, parent_id=partner.id)
        )
        self.partner_id = client
        return client

    def _microneedling_advance_stage(self):
        """Move the opportunity to the next open stage of its pipeline."""
        for lead in self:
            stages = self.env["crm.stage"].search(
                [
                    "|",
                    ("team_id", "=", False),
                    ("team_id", "=", lead.team_id.id),
                    ("is_won", "=", False),
                ]
            )
            later = stages.filtered(
                lambda s, lead=lead: (s.sequence, s.id) > (lead.stage_id.sequence, lead.stage_id.id)
            )
            if later:
                lead.stage_id = later[0]
