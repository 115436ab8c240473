"""Small helpers the models share: dates as users read them, and refusal texts."""

from odoo.tools.misc import (
    babel_locale_parse,
    format_date,
    format_datetime,
    get_lang,
    posix_to_ldml,
)


def format_user_datetime(env, value):
    """A date-time in the user's language and time zone, to the minute."""
    lang = get_lang(env)
    locale = babel_locale_parse(lang.code)
    pattern = f"{posix_to_ldml(lang.date_format, locale=locale)} HH:mm"
    return format_datetime(env, value, tz=env.user.tz or "UTC", dt_format=pattern)


def format_user_date(env, value):
    """A date in the user's language."""
    return format_date(env, value)


def format_user_slot(env, start, stop):
    """A time slot as "Tue 12/01/2026 09:00 - 10:00", in the user's language and
    time zone (an end on another day is written in full)."""
    if not start:
        return ""
    lang = get_lang(env)
    locale = babel_locale_parse(lang.code)
    tz = env.user.tz or "UTC"
    date_pattern = posix_to_ldml(lang.date_format, locale=locale)
    text = format_datetime(env, start, tz=tz, dt_format=f"EEE {date_pattern} HH:mm")
    if not stop:
        return text
    same_day = format_datetime(env, start, tz=tz, dt_format="yyyyMMdd") == format_datetime(
        env, stop, tz=tz, dt_format="yyyyMMdd"
    )
    stop_pattern = "HH:mm" if same_day else f"EEE {date_pattern} HH:mm"
    return f"{text} - {format_datetime(env, stop, tz=tz, dt_format=stop_pattern)}"


def reason_texts(env, reasons):
    """Refusal reasons as the current user may read them: the health answers behind
    them for practitioners, the derived clearance only for everyone else."""
    if env.user.has_group("microneedling_treatment.group_practitioner"):
        return [reason["message"] for reason in reasons]
    return [reason.get("public_message") or reason["message"] for reason in reasons]
