"""ISO 8601 date-times from JSON input (``Z`` accepted, naive values read as UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def not_a_datetime(value: Any) -> str:
    return f"{value!r} is not an ISO 8601 date-time."


def parse_iso_datetime(value: Any) -> datetime | None:
    """``None`` for a missing value (``None`` or ``""``); ValueError for anything unparsable."""
    if value is None or value == "":
        return None
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError(not_a_datetime(value))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed
