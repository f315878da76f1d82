"""Chart data for the pages' charts (drawn by static/js/charts.js from a ``json_script``
element, and repeated as a table for screen readers): series per day from aggregate rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise


@dataclass(frozen=True)
class Series:
    """One stacked series: the values of ``key`` it adds up, its label and its tone (a colour
    name charts.js knows: ok, warn, bad, info, muted)."""

    values: tuple[str, ...]
    label: str | Promise
    tone: str


def last_days(*, today: date, days: int) -> list[date]:
    """The ``days`` days ending with ``today``, oldest first."""
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def stacked_per_day(
    rows: Iterable[dict[str, Any]],
    *,
    days: Sequence[date],
    series: Sequence[Series],
    key: str = "status",
) -> dict[str, Any]:
    """A stacked bar chart of ``rows`` (each with ``day``, ``key`` and a count ``n``) and the
    same numbers as table rows (``table``: one per day, with its total)."""
    index = {day: position for position, day in enumerate(days)}
    labels = [str(s.label) for s in series]
    data = {label: [0] * len(days) for label in labels}
    for row in rows:
        position = index.get(row["day"])
        if position is None:
            continue
        for s, label in zip(series, labels, strict=True):
            if row[key] in s.values:
                data[label][position] += row["n"]
    table = [
        {
            "day": day,
            "values": [data[label][position] for label in labels],
            "total": sum(data[label][position] for label in labels),
        }
        for position, day in enumerate(days)
    ]
    return {
        "spec": {
            "kind": "bar",
            "stacked": True,
            "labels": [date_format(day, "MONTH_DAY_FORMAT") for day in days],
            "datasets": [
                {"label": label, "data": data[label], "tone": s.tone}
                for s, label in zip(series, labels, strict=True)
            ],
        },
        "headers": labels,
        "table": table,
        "total": sum(row["total"] for row in table),
    }
