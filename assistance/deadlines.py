"""Deadlines of assistance requests: from the settings table ``ASSISTANCE_DEADLINES`` (by
instrument, kind and urgency) and ``ASSISTANCE_EXTENSIONS`` (preservation extensions)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

NO_RULE = "ASSISTANCE_DEADLINES has no rule for {key} and no '*:*:*' default."


def deadline_hours(*, instrument: str, kind: str, urgency: str) -> int:
    """The most specific rule: instrument first, then kind, then urgency ("*" matches any)."""
    table: dict[str, int] = settings.ASSISTANCE_DEADLINES
    for i in (instrument or "*", "*"):
        for k in (kind, "*"):
            for u in (urgency, "*"):
                hours = table.get(f"{i}:{k}:{u}")
                if hours is not None:
                    return hours
    raise KeyError(NO_RULE.format(key=f"{instrument}:{kind}:{urgency}"))


def due_at(*, start: dt.datetime, instrument: str, kind: str, urgency: str) -> dt.datetime:
    return start + dt.timedelta(
        hours=deadline_hours(instrument=instrument, kind=kind, urgency=urgency)
    )


def extension(instrument: str) -> dt.timedelta:
    table: dict[str, int] = settings.ASSISTANCE_EXTENSIONS
    return dt.timedelta(hours=table.get(instrument, table["*"]))
