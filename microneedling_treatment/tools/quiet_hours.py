"""Quiet hours: when a client message may go out, in the client's own time zone."""

from datetime import datetime, time, timedelta

import pytz

MINUTES_PER_DAY = 24 * 60


def to_minutes(hours):
    """A time of day entered as hours (21.5 for 21:30) as minutes after midnight."""
    return round((hours or 0.0) * 60)


def format_hours(hours):
    """21.5 as "21:30", as the settings form shows a time of day."""
    return "{:02d}:{:02d}".format(*divmod(to_minutes(hours), 60))


def client_timezone(*names):
    """The first known time zone among `names` (the client's, the company's), else UTC."""
    for name in names:
        if not name:
            continue
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            continue
    return pytz.utc


def after_quiet_hours(when, tz, start, end):
    """The first moment at or after `when` that is outside the quiet hours.

    :param when: naive UTC datetime
    :param tz: the client's pytz time zone
    :param start: minutes after local midnight when the quiet hours begin
    :param end: minutes after local midnight when they end (before start: overnight)
    :return: naive UTC datetime; `when` itself if it is not in the quiet hours
    """
    if start == end:
        return when
    local = pytz.utc.localize(when).astimezone(tz)
    minute = local.hour * 60 + local.minute
    if start < end:
        quiet, end_day = start <= minute < end, local.date()
    elif minute >= start:
        quiet, end_day = True, local.date() + timedelta(days=1)
    else:
        quiet, end_day = minute < end, local.date()
    if not quiet:
        return when
    # The wall-clock time the quiet hours end, on its day: localized on that day, so a
    # change of daylight saving time during the night moves it as the clock moves.
    morning = datetime.combine(end_day, time(*divmod(end, 60)))
    morning = tz.normalize(tz.localize(morning, is_dst=False))
    return morning.astimezone(pytz.utc).replace(tzinfo=None)
