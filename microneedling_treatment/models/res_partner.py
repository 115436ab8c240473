from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools.misc import babel_locale_parse, format_datetime, get_lang, posix_to_ldml

CLEARANCE_STATES = [
    ("cleared", "Cleared"),
    ("blocked", "Blocked"),
    ("review", "Needs Practitioner Review"),
    ("no_screening", "No Screening"),
]


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
        data = self._microneedling_screening_data(self, company)
        for partner in self:
            (
                partner.microneedling_clearance_state,
                partner.microneedling_blocked_until,
                partner.microneedling_clearance_label,
            ) = self._microneedling_clearance(data.get((partner._origin.id, company.id)), now)

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

    @api.model
    def _microneedling_screening_data(self, partners, companies):
        """Current screening of each client in each company, with its present answers,
        in constant queries.

        Returns {(partner id, company id): {"intake": intake, "confirmed_date": dt,
        "answers": [answer]}}.
        """
        Intake = self.env["microneedling.intake"].sudo()
        current = Intake._current_for_partners(partners, companies)
        intakes = Intake.browse([intake.id for intake in current.values()])
        answers = (
            self.env["microneedling.intake.answer"]
            .sudo()
            .search([("intake_id", "in", intakes.ids), ("present", "=", True)])
        )
        answers.fetch(["intake_id", "contraindication_id", "cleared", "last_occurrence"])
        answers.contraindication_id.fetch(["name", "kind", "window_hours"])
        intakes.fetch(["confirmed_date"])
        by_intake = {}
        for answer in answers:
            by_intake.setdefault(answer.intake_id.id, []).append(answer)
        return {
            key: {
                "intake": intake,
                "confirmed_date": intake.confirmed_date,
                "answers": by_intake.get(intake.id, []),
            }
            for key, intake in current.items()
        }

    @api.model
    def _microneedling_block_reasons(self, data, at):
        """Reasons the contraindication rules refuse a session starting at `at`.

        A reason that reveals an answer also has a `public_message` without it, for
        the users who may only see the client's clearance.
        """
        if not data:
            return [
                {
                    "type": "no_screening",
                    "until": False,
                    "message": _(
                        "no submitted screening: a practitioner must screen the client first"
                    ),
                }
            ]
        reasons = []
        for answer in data["answers"]:
            item = answer.contraindication_id
            if item.kind == "absolute":
                reasons.append(
                    {
                        "type": "absolute",
                        "until": False,
                        "message": _(
                            "%(item)s: declared present, an absolute contraindication",
                            item=item.name,
                        ),
                        "public_message": _(
                            "a contraindication in the screening rules out treatment "
                            "(details for practitioners only)"
                        ),
                    }
                )
            elif item.kind == "review" and not answer.cleared:
                reasons.append(
                    {
                        "type": "review",
                        "until": False,
                        "message": _(
                            "%(item)s: declared present, a practitioner must review and clear it",
                            item=item.name,
                        ),
                        "public_message": _(
                            "an answer in the screening awaits a practitioner's review "
                            "(details for practitioners only)"
                        ),
                    }
                )
            elif item.kind == "window":
                if not answer.last_occurrence:
                    reasons.append(
                        {
                            "type": "undated",
                            "until": False,
                            "message": _(
                                "%(item)s: declared present without a date; record when it "
                                "last happened",
                                item=item.name,
                            ),
                            "public_message": _(
                                "an answer in the screening has no date: a practitioner "
                                "must complete it"
                            ),
                        }
                    )
                    continue
                earliest = answer.last_occurrence + timedelta(hours=item.window_hours)
                if at < earliest:
                    reasons.append(
                        {
                            "type": "window",
                            "until": earliest,
                            "message": _(
                                "%(item)s on %(last)s: earliest %(earliest)s (%(window)s)",
                                item=item.name,
                                last=self._microneedling_format(answer.last_occurrence),
                                earliest=self._microneedling_format(earliest),
                                window=item._window_label(),
                            ),
                            "public_message": _(
                                "a time-bound contraindication in the screening: earliest "
                                "%(earliest)s (details for practitioners only)",
                                earliest=self._microneedling_format(earliest),
                            ),
                        }
                    )
        return reasons

    @api.model
    def _microneedling_reason_texts(self, reasons):
        """Reason texts for the current user: the answers behind them for practitioners only."""
        if self.env.user.has_group("microneedling_treatment.group_practitioner"):
            return [reason["message"] for reason in reasons]
        return [reason.get("public_message") or reason["message"] for reason in reasons]

    @api.model
    def _microneedling_clearance(self, data, at):
        """(state, blocked until, label) of a client at `at`, from their screening data."""
        state, until = self._microneedling_clearance_from_reasons(
            self._microneedling_block_reasons(data, at)
        )
        return state, until, self._microneedling_clearance_text(state, until)

    @api.model
    def _microneedling_clearance_from_reasons(self, reasons):
        """(state, blocked until) summarising block reasons, most serious first."""
        types = {reason["type"] for reason in reasons}
        if "no_screening" in types:
            return "no_screening", False
        if types & {"absolute", "undated"}:
            return "blocked", False
        if "review" in types:
            return "review", False
        if types:
            return "blocked", max(reason["until"] for reason in reasons)
        return "cleared", False

    @api.model
    def _microneedling_clearance_text(self, state, until):
        if state == "blocked" and until:
            return _("Blocked until %(date)s", date=self._microneedling_format(until))
        labels = dict(
            self._fields["microneedling_clearance_state"]._description_selection(self.env)
        )
        return labels[state]

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _microneedling_format(self, value):
        """A date-time in the user's language and time zone, to the minute."""
        lang = get_lang(self.env)
        locale = babel_locale_parse(lang.code)
        pattern = f"{posix_to_ldml(lang.date_format, locale=locale)} HH:mm"
        return format_datetime(self.env, value, tz=self.env.user.tz or "UTC", dt_format=pattern)
