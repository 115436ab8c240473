"""Small helpers the models share: user-facing dates and refusal texts, spreadsheets,
quiet hours."""

from . import quiet_hours, spreadsheet
from .formatting import format_user_datetime, reason_texts

__all__ = ["format_user_datetime", "quiet_hours", "reason_texts", "spreadsheet"]
