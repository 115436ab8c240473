"""Dates as the client reads them: in the client's language and time zone."""

from datetime import datetime

import babel.dates
import pytz

from odoo.tools.misc import babel_locale_parse


def client_tz(partner, company):
    return pytz.timezone(partner.tz or company.partner_id.tz or "UTC")


def client_lang(partner, company):
    return partner.lang or company.partner_id.lang or "en_US"


def to_local(value, partner, company):
    """A naive UTC datetime as an aware datetime in the client's time zone."""
    return pytz.utc.localize(value).astimezone(client_tz(partner, company))


def format_client_datetime(value, partner, company):
    """'Monday, November 23, 2026, 10:00 AM' in the client's language and time zone."""
    local = to_local(value, partner, company)
    locale = babel_locale_parse(client_lang(partner, company))
    return "{}, {}".format(
        babel.dates.format_date(local, format="full", locale=locale),
        babel.dates.format_time(local, format="short", locale=locale),
    )


def format_client_date(value, partner, company):
    """'November 9, 2026' in the client's language (a naive UTC datetime or a date)."""
    if isinstance(value, datetime):
        value = to_local(value, partner, company).date()
    locale = babel_locale_parse(client_lang(partner, company))
    return babel.dates.format_date(value, format="long", locale=locale)
