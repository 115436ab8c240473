import logging

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

_logger = logging.getLogger(__name__)

LINK_MODEL = "microneedling.screening.link"


class MicroneedlingScreening(http.Controller):
    """The client's screening page, opened from a personal link without an account.

    Hostile territory: every request is rate limited and logged; invalid, expired,
    used, other clients' and empty tokens all get the same neutral page; the form's
    values are checked by the link before a trusted server path records them.
    The routes hold no right of their own: the link's methods do what the token
    allows, with the values they checked.
    """

    @http.route(
        ["/microneedling/screening", "/microneedling/screening/<string:token>"],
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def screening_page(self, token="", **kwargs):
        link, refusal = self._open(token)
        if refusal:
            return refusal
        self._log(link, "opened")
        return self._render_form(link)

    @http.route(
        "/microneedling/screening/<string:token>/submit",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def screening_submit(self, token, **form):
        link, refusal = self._open(token)
        if refusal:
            return refusal
        values, errors = link._client_parse_form(form)
        if not errors:
            try:
                blocked = link._client_submit(values)
            except (UserError, ValidationError):
                _logger.info("Screening link %s: the submission was refused", link.id)
                errors = [
                    link.with_context(lang=link._client_lang()).env._(
                        "Your answers could not be recorded: please check them and try again."
                    )
                ]
        if errors:
            self._log(link, "refused")
            return self._render_form(link, form=form, errors=errors, status=422)
        self._log(link, "submitted")
        return self._render_done(link, blocked)

    @http.route(
        "/microneedling/screening/<string:token>/unchanged",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def screening_unchanged(self, token, **form):
        link, refusal = self._open(token)
        if refusal:
            return refusal
        # env._ (not an alias of it): the translation export looks for `_(` calls.
        env = link.with_context(lang=link._client_lang()).env
        if set(form) - {"unchanged"} or form.get("unchanged") != "1":
            errors = [env._("Tick the box to confirm that nothing has changed.")]
        elif not link._client_current_screening():
            errors = [env._("Please fill in the form: there is no recent screening to confirm.")]
        else:
            blocked = link._client_confirm_unchanged()
            self._log(link, "confirmed")
            return self._render_done(link, blocked)
        self._log(link, "refused")
        return self._render_form(link, errors=errors, status=422)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _open(self, token):
        """(link, None) for a valid token, else (None, the response to send)."""
        ip = request.httprequest.remote_addr
        if not request.env["microneedling.screening.attempt"]._check_and_register(ip, token):
            return None, request.render(
                "microneedling_treatment.screening_page_rate_limited", status=429
            )
        link = request.env[LINK_MODEL]._get_by_token(token)
        if not link:
            return None, request.render(
                "microneedling_treatment.screening_page_invalid", status=404
            )
        # The page speaks the client's language, whatever the browser's.
        request.update_context(lang=link._client_lang())
        return link, None

    def _log(self, link, event):
        link._record_access(
            event,
            request.httprequest.remote_addr,
            request.httprequest.user_agent.string,
            request.env.user,
        )

    def _render_form(self, link, form=None, errors=None, status=200):
        return request.render(
            "microneedling_treatment.screening_page_form",
            {
                "token": link._get_token(),
                "company": link.company_id,
                "first_name": link._client_first_name(),
                "visit": link._client_visit_label(),
                "items": link._client_items(),
                "consent_text": link.company_id.with_context(
                    lang=link._client_lang()
                ).microneedling_consent_text,
                "can_confirm": bool(link._client_current_screening()),
                "form": form or {},
                "errors": errors or [],
                "today": link._client_today(),
                "now_local": link._client_now_local(),
            },
            status=status,
        )

    def _render_done(self, link, blocked):
        return request.render(
            "microneedling_treatment.screening_page_done",
            {
                "company": link.company_id,
                "first_name": link._client_first_name(),
                "visit": link._client_visit_label(),
                "blocked": blocked,
            },
        )
