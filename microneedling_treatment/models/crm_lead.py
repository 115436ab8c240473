from collections import defaultdict

from odoo import _, fields, models


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
        """Turn a consultation into a series: client, screening request, next stage."""
        self.ensure_one()
        series = self.microneedling_series_ids.filtered(
            lambda s: s.state in ("new", "in_progress")
        )[:1]
        # A second click opens the series the first one started.
        if not series:
            if not self.partner_id:
                self._handle_partner_assignment(create_missing=True)
            series = self.env["microneedling.series"].create(
                {"partner_id": self.partner_id.id, "lead_id": self.id}
            )
            series.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Screen the client before the first session"),
                user_id=series.user_id.id or self.env.uid,
            )
            self._microneedling_advance_stage()
        return {
            "type": "ir.actions.act_window",
            "res_model": "microneedling.series",
            "res_id": series.id,
            "view_mode": "form",
        }

    def action_view_microneedling_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "microneedling_treatment.microneedling_session_action"
        )
        action["domain"] = [("series_id.lead_id", "=", self.id)]
        return action

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
