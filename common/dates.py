"""ISO 8601 date-times from JSON input (``Z`` accepted, naive values read as UTC), and a
moment in UTC as the reader writes it."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format


def not_a_datetime(value: Any) -> str:
    return f"{value!r} is not an ISO 8601 date-time."


def parse_iso_datetime(value: Any) -> datetime | None:
    """``None`` for a missing value (``None`` or ``""``); ValueError for anything unparsable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _parse_text(value)
    if not isinstance(value, datetime):
        raise ValueError(not_a_datetime(value))
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


@functools.lru_cache(maxsize=65536)  # a bundle repeats its timestamps across its objects
def _parse_text(value: str) -> datetime:
    try:
        parsed = parse_datetime(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(not_a_datetime(value))
    return timezone.make_aware(parsed, UTC) if timezone.is_naive(parsed) else parsed


def utc_moment(value: datetime) -> str:
    """``value`` in UTC, in the active language's short date-time format, then ``UTC``."""
    return f"{date_format(value.astimezone(UTC), 'SHORT_DATETIME_FORMAT')} UTC"
