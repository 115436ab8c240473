from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .client_format import client_lang, format_client_date, format_client_datetime

# Visits a screening link is for: a booked one, or one planned until the client is screened.
VISIT_STATES = ("planned", "booked")
# The protocol's pre-treatment instructions: how long before the visit each applies.
PRETREATMENT = [
    ("waxing", timedelta(weeks=2)),
    ("tanning", timedelta(weeks=1)),
    ("retinol", timedelta(hours=72)),
]


class MicroneedlingSession(models.Model):
    """Online screening links and the booking confirmation of a session."""

    _inherit = "microneedling.session"  # pylint: disable=consider-merging-classes-inherited

    # Readable by reception: whether the link went out and was used, never the link.
    screening_link_status = fields.Selection(
        selection=[
            ("not_needed", "Not Needed"),
            ("to_send", "To Send"),
            ("sent", "Sent"),
            ("done", "Done"),
            ("expired", "Expired"),
        ],
        string="Online Screening",
        compute="_compute_screening_link_status",
        compute_sudo=True,
        help="Not Needed: the client's screening is recent and confirmed for this visit.\n"
        "To Send: the client must fill in or confirm the screening; the link goes out "
        "automatically before the visit, or send it now.\n"
        "Sent: the client has the link and has not used it yet.\n"
        "Done: the client filled it in or confirmed it.\n"
        "Expired: the visit is past and the link was not used.",
    )
    screening_link_ids = fields.One2many(
        comodel_name="microneedling.screening.link",
        inverse_name="session_id",
        groups="microneedling_treatment.group_manager",
    )
    screening_link_sent_date = fields.Datetime(
        string="Screening Link Sent On",
        compute="_compute_screening_link_status",
        compute_sudo=True,
    )
    booking_screening_missing = fields.Boolean(
        compute="_compute_booking_screening_missing",
        help="The client chosen in the booking dialog has no screening here yet: the "
        "session is planned, not booked, and the practitioner is asked to screen them.",
    )

    @api.depends("booking_partner_id")
    def _compute_booking_screening_missing(self):
        unscreened = self._unscreened_clients(self.booking_partner_id)
        for session in self:
            session.booking_screening_missing = session.booking_partner_id in unscreened

    @api.depends(
        "state",
        "start",
        "partner_id",
        "company_id",
        "screening_link_ids.state",
        "screening_link_ids.last_sent_date",
    )
    def _compute_screening_link_status(self):
        Link = self.env["microneedling.screening.link"].sudo()
        real = self.filtered("id")
        links = {link.session_id.id: link for link in Link._for_sessions(real)}
        now = fields.Datetime.now()
        pending = real.filtered(lambda s: s.state in VISIT_STATES and s.start and s.start > now)
        needs = pending._microneedling_screening_need() if pending else {}
        for session in self:
            link = links.get(session.id)
            session.screening_link_sent_date = link.last_sent_date if link else False
            if link and link.state == "done":
                status = "done"
            elif link and link.state == "sent":
                status = "sent" if link.expiry_date > now else "expired"
            elif session in pending and needs.get(session):
                status = "to_send"
            else:
                status = "not_needed"
            session.screening_link_status = status

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # Quick-create for a client never screened here: the session is planned, not
        # booked, and the practitioner is asked to screen the client (no dead end).
        unscreened = self._unscreened_clients(
            self.env["res.partner"].browse(
                {
                    vals["booking_partner_id"]
                    for vals in vals_list
                    # A true int (not a bool): odd values are refused by the input check.
                    if type(vals.get("booking_partner_id")) is int
                }
            )
        )
        to_plan = [
            type(vals.get("booking_partner_id")) is int
            and vals["booking_partner_id"] in unscreened.ids
            and vals.get("state", "booked") == "booked"
            for vals in vals_list
        ]
        sessions = super().create(
            [
                dict(vals, state="planned") if plan else vals
                for vals, plan in zip(vals_list, to_plan, strict=True)
            ]
        )
        planned = sessions.browse(
            [session.id for session, plan in zip(sessions, to_plan, strict=True) if plan]
        )
        planned.series_id._request_screening()
        planned._microneedling_send_first_link()
        sessions.filtered(lambda s: s.state == "booked")._microneedling_on_booked()
        return sessions

    def write(self, vals):
        rebooked = self.browse()
        if vals.get("state") == "booked":
            rebooked = self.filtered(lambda s: s.state in ("planned", "cancelled"))
        result = super().write(vals)
        rebooked.filtered(lambda s: s.state == "booked")._microneedling_on_booked()
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send_screening_link(self):
        """Reception sends (or sends again) the client's screening link for this visit."""
        now = fields.Datetime.now()
        for session in self:
            company = session.company_id
            if not company.microneedling_online_screening:
                raise UserError(
                    _(
                        "Online screening links are off for %(company)s: a manager turns them "
                        "on in Settings > Microneedling.",
                        company=company.name,
                    )
                )
            if session.state not in VISIT_STATES or not session.start or session.start <= now:
                raise UserError(
                    _(
                        "%(session)s is not a coming visit: the screening link is sent for "
                        "planned or booked visits only.",
                        session=session.display_name,
                    )
                )
            if not session.sudo()._microneedling_reachable():
                raise UserError(
                    _(
                        "%(client)s has no email address (nor a mobile number with SMS "
                        "enabled): add one on the client to send the link.",
                        client=session.partner_id.display_name,
                    )
                )
        Link = self.env["microneedling.screening.link"].sudo()
        links = Link._for_sessions(self)
        links |= Link._create_for_sessions(self.filtered(lambda s: s not in links.session_id))
        links._check_resend()
        links._send("manual")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("The screening link was sent to the client."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _microneedling_on_booked(self):
        """A session was booked: the confirmation, and the screening link when due."""
        if not self:
            return
        now = fields.Datetime.now()
        coming = self.filtered(lambda s: s.start and s.start > now)
        coming.filtered(
            lambda s: s.company_id.microneedling_booking_confirmation
        )._microneedling_send_booking_confirmation()
        self.env["microneedling.screening.link"]._send_due(coming)

    def _microneedling_send_booking_confirmation(self):
        recipients = self.sudo().filtered("partner_id.email")
        if not recipients:
            return
        template = self.env.ref("microneedling_treatment.mail_template_booking_confirmation").sudo()
        for session in recipients:
            template.send_mail(
                session.id, email_values={"author_id": session.company_id.partner_id.id}
            )

    @api.model
    def _next_visit(self, partner):
        """The client's next booked visit in the current company."""
        return self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "booked"),
                ("start", ">", fields.Datetime.now()),
            ],
            order="start",
            limit=1,
        )

    @api.model
    def _unscreened_clients(self, partners):
        """The clients among `partners` with no submitted screening in this company."""
        current = self.env["microneedling.intake"]._current_for_partners(partners, self.env.company)
        return partners.filtered(lambda p: (p.id, self.env.company.id) not in current)

    def _microneedling_send_first_link(self):
        """A visit planned for a client never screened: the client gets the online
        screening link at once, where the company offers it and the client can be
        reached (sudo: reception sends links without reading them)."""
        sessions = self.sudo().filtered(
            lambda s: s.company_id.microneedling_online_screening and s._microneedling_reachable()
        )
        if sessions:
            self.env["microneedling.screening.link"]._create_for_sessions(sessions)._send("first")

    def _microneedling_reachable(self):
        self.ensure_one()
        partner = self.partner_id
        return bool(partner.email or (self.company_id.microneedling_sms_enabled and partner.mobile))

    def _microneedling_screening_need(self):
        """{session: why} for sessions whose client must fill in or confirm the screening
        before the visit: "missing", "outdated" (older than the company's validity) or
        "confirm" (not confirmed within the confirmation days before the visit)."""
        current = self.env["microneedling.intake"]._current_for_partners(
            self.partner_id, self.company_id
        )
        result = {}
        for session in self:
            company = session.company_id
            intake = current.get((session.partner_id.id, company.id))
            if not intake:
                result[session] = "missing"
                continue
            months = company.microneedling_screening_max_age_months
            submitted, confirmed = intake.submitted_date, intake.confirmed_date
            if not submitted or submitted < session.start - relativedelta(months=months):
                result[session] = "outdated"
            elif not confirmed or confirmed < session.start - timedelta(
                days=company.microneedling_confirmation_days
            ):
                result[session] = "confirm"
        return result

    def _microneedling_client_start(self):
        """The visit's start as the client reads it (language and time zone)."""
        self.ensure_one()
        return format_client_datetime(self.start, self.partner_id, self.company_id)

    def _microneedling_pretreatment_lines(self):
        """The pre-treatment instructions with the dates computed for this visit, in the
        client's language; each says whether it already applies at booking time."""
        self.ensure_one()
        session = self.with_context(lang=client_lang(self.partner_id, self.company_id))
        # env._ (not an alias of it): the translation export looks for `_(` calls.
        env = session.env
        now = fields.Datetime.now()
        texts = {
            "waxing": env._(
                "No waxing of the area to be treated from %(date)s (two weeks before)."
            ),
            "tanning": env._(
                "No tanning, sunbeds or sunburn from %(date)s (one week before): protect your "
                "skin from the sun."
            ),
            "retinol": env._(
                "No retinol or exfoliants (AHA, BHA, scrubs) from %(date)s (72 hours before)."
            ),
        }
        lines = []
        for key, delay in PRETREATMENT:
            since = self.start - delay
            when = (
                format_client_datetime(since, self.partner_id, self.company_id)
                if delay < timedelta(days=7)
                else format_client_date(since, self.partner_id, self.company_id)
            )
            text = texts[key] % {"date": when}
            applies = since <= now
            if applies:
                text = env._("%(instruction)s This already applies.", instruction=text)
            lines.append({"key": key, "text": text, "applies": applies})
        return lines
