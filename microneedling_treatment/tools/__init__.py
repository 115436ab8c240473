"""Small helpers the models share: user-facing dates and refusal texts, spreadsheets,
quiet hours."""

from . import quiet_hours, spreadsheet
from .formatting import format_user_date, format_user_datetime, format_user_slot, reason_texts

__all__ = [
    "format_user_date",
    "format_user_datetime",
    "format_user_slot",
    "quiet_hours",
    "reason_texts",
    "spreadsheet",
]
