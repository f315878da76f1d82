"""Correlation (hit / no-hit): matches recorded as indicators arrive, lookups of many values,
and the hidden matches an access request can ask for.

Correlation lives in sharing, not interop: it answers who may learn what about an indicator,
which is sharing's visibility rule, and interop only translates formats (STIX, TAXII, MISP).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.dispatch import receiver
from django.utils import formats
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from audit.services import audit_log, audit_log_deferred
from sharing.models import Indicator, Match
from sharing.normalize import InvalidValue, detect_type, normalize
from sharing.selectors import indicators_visible_to, managing_agencies, visible_indicator_ids
from sharing.signals import indicators_changed

LOOKUP_MAX = 10_000
LOOKUP_EMPTY = gettext_lazy("A non-empty list of values is required.")
LOOKUP_TOO_MANY = gettext_lazy("At most %(max)s values per request.")
LOOKUP_INVALID = gettext_lazy("Some values are invalid.")
NOT_A_LOOKUP = gettext_lazy('Expected a string or {"type": ..., "value": ...}.')
NO_TYPE = gettext_lazy("Cannot tell the type of %(value)s; name it.")
BATCH = 5000


def _same_value(pairs: set[tuple[str, str]]) -> Q:
    """(type, normalized) IN pairs, one branch per type so the lookup index is used."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for type_, value in pairs:
        by_type[type_].append(value)
    query = Q(pk__in=[])
    for type_, values in by_type.items():
        query |= Q(type=type_, normalized__in=values)
    return query


_LIVE_HOLDERS_SQL = """
SELECT i.id, i.type, i.normalized, i.owner_id
FROM unnest(%s::varchar[], %s::text[]) AS wanted(type, normalized)
JOIN {table} AS i ON i.type = wanted.type AND i.normalized = wanted.normalized
WHERE NOT i.revoked
"""


def live_holders(pairs: set[tuple[str, str]]) -> list[tuple[int, str, str, int]]:
    """(id, type, normalized, owner id) of every live indicator with one of these values.

    On PostgreSQL one probe per value of the covering ``(type, normalized)`` index, read
    without visiting the table (an ``IN`` list per type makes a bitmap scan of the heap,
    about twice as slow at 1,000 values against 1M indicators)."""
    if not pairs:
        return []
    if connection.vendor == "postgresql":
        types, values = zip(*pairs, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                _LIVE_HOLDERS_SQL.format(table=Indicator._meta.db_table),
                [list(types), list(values)],
            )
            return cursor.fetchall()
    live = Indicator.objects.filter(_same_value(pairs), revoked=False).order_by()
    return list(live.values_list("pk", "type", "normalized", "owner_id"))


# --- matches ----------------------------------------------------------------------------------


def matches_find(indicators: Sequence[Indicator]) -> list[Match]:
    """Record exact matches of newly added indicators with other agencies' live indicators."""
    live = [i for i in indicators if not i.revoked]
    if not live:
        return []
    by_pair: dict[tuple[str, str], list[Indicator]] = defaultdict(list)
    for indicator in live:
        by_pair[(indicator.type, indicator.normalized)].append(indicator)
    found: list[Match] = []
    pairs = list(by_pair)
    for start in range(0, len(pairs), BATCH):
        for other_id, type_, value, owner_id in live_holders(set(pairs[start : start + BATCH])):
            found += [
                Match(indicator_id=mine.pk, other_id=other_id)
                for mine in by_pair[(type_, value)]
                if mine.owner_id != owner_id
            ]
    if found:
        Match.objects.bulk_create(found, batch_size=BATCH, ignore_conflicts=True)
        audit_log(
            actor=None,
            action="correlation.matches_found",
            object_type="sharing.indicator",
            summary={
                "indicators": sorted({m.indicator_id for m in found})[:100],
                "matches": len(found),
            },
        )
    return found


@receiver(indicators_changed, dispatch_uid="sharing.correlation.indicators_changed")
def on_indicators_changed(
    sender: Any, *, indicators: list[Indicator], action: str, **kwargs: Any
) -> None:
    """New indicators are matched as they arrive, whichever door they came through; one whose
    value a newer version changed is matched afresh."""
    if action == "revalued":
        ids = [i.pk for i in indicators]
        Match.objects.filter(Q(indicator_id__in=ids) | Q(other_id__in=ids)).delete()
    if action in ("created", "revalued"):
        matches_find(indicators)


def indicators_hit_since(*, user: Any, agency: Agency | None = None, since: datetime) -> int:
    """How many of the user's agencies' indicators another agency's indicator matched since
    ``since`` (what ``matches_of`` lists, counted: never how many other holders there are)."""
    return (
        Match.objects.filter(
            indicator__owner__in=managing_agencies(user=user, agency=agency),
            indicator__revoked=False,
            other__revoked=False,
            found_at__gte=since,
        )
        .values("indicator_id")
        .distinct()
        .count()
    )


def matches_of(*, user: Any, agency: Agency | None = None) -> list[dict[str, Any]]:
    """Per own indicator with matches: the visible matching indicators, and whether
    another (unnamed) agency holds a match the user cannot see."""
    mine = managing_agencies(user=user, agency=agency)
    matches = list(
        Match.objects.filter(
            indicator__owner__in=mine, indicator__revoked=False, other__revoked=False
        )
        .select_related("indicator__owner")
        .order_by("-found_at", "-id")[:500]
    )
    other_ids = {m.other_id for m in matches}
    visible = {
        i.pk: i for i in indicators_visible_to(user=user, agency=agency).filter(pk__in=other_ids)
    }
    rows: dict[int, dict[str, Any]] = {}
    for match in matches:
        row = rows.setdefault(
            match.indicator_id,
            {
                "indicator": match.indicator,
                "visible": [],
                "hidden": False,
                "found_at": match.found_at,
            },
        )
        if match.other_id in visible:
            row["visible"].append(visible[match.other_id])
        else:
            row["hidden"] = True
    return list(rows.values())


def hidden_matches(*, user: Any, agency: Agency | None, indicator: Indicator) -> list[Indicator]:
    """Other agencies' live indicators with the same value that the user may not see."""
    others = Indicator.objects.filter(
        type=indicator.type, normalized=indicator.normalized, revoked=False
    ).exclude(owner_id=indicator.owner_id)
    visible = indicators_visible_to(user=user, agency=agency).filter(
        type=indicator.type, normalized=indicator.normalized
    )
    return list(others.exclude(pk__in=visible.values("pk")))


# --- lookups ----------------------------------------------------------------------------------


@dataclass
class LookupResult:
    type: str
    value: str
    normalized: str
    result: str  # visible | hit | none
    ids: list[int] = field(default_factory=list)


class LookupErrors(ValidationError):
    """Per-index errors of a lookup: ``{"values": {"3": ["..."]}}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__({"values": LOOKUP_INVALID})
        self.item_errors = errors

    @property
    def message_dict(self) -> dict[str, Any]:
        """By index under ``values``: the API's 400 names each bad item."""
        return {"values": self.item_errors}


def _lookup_item(raw: Any) -> tuple[str, str, str]:
    """(type, value, normalized) of one value; ValueError naming what is wrong."""
    type_: Any = None
    value: Any = raw if isinstance(raw, str) else None
    if isinstance(raw, dict):
        type_, value = raw.get("type"), raw.get("value")
    if not isinstance(value, str):
        raise ValueError(str(NOT_A_LOOKUP))
    type_ = type_ or detect_type(value)
    if not type_:
        raise ValueError(str(NO_TYPE) % {"value": repr(value[:80])})
    try:
        return type_, value, normalize(type_, value)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from None


def _lookup_items(values: Any) -> list[tuple[str, str, str]]:
    if not isinstance(values, list) or not values:
        raise ValidationError({"values": LOOKUP_EMPTY})
    if len(values) > LOOKUP_MAX:
        # The limit in the reader's grouping (10,000 / 10 000 / 10.000).
        limit = formats.number_format(LOOKUP_MAX, force_grouping=True)
        raise ValidationError({"values": str(LOOKUP_TOO_MANY) % {"max": limit}})
    items, errors = [], {}
    for index, raw in enumerate(values):
        try:
            items.append(_lookup_item(raw))
        except ValueError as exc:
            errors[str(index)] = [str(exc)]
    if errors:
        raise LookupErrors(errors)
    return items


def correlation_lookup(*, actor: Any, agency: Agency | None, values: Any) -> list[LookupResult]:
    """Each value: ``visible`` (ids the caller may see), ``hit`` (held elsewhere) or ``none``.

    Three queries for any number of values; nothing about a hit's holder is returned.
    """
    items = _lookup_items(values)
    pairs = {(t, n) for t, _, n in items}
    holders: dict[tuple[str, str], list[int]] = defaultdict(list)
    candidate_ids: list[int] = []
    for pk, type_, value, _ in live_holders(pairs):
        holders[(type_, value)].append(pk)
        candidate_ids.append(pk)
    visible = visible_indicator_ids(user=actor, agency=agency, ids=candidate_ids)
    results = []
    for type_, value, normalized in items:
        ids = holders.get((type_, normalized), [])
        mine = sorted(pk for pk in ids if pk in visible)
        if mine:
            results.append(LookupResult(type_, value, normalized, "visible", mine))
        elif ids:
            results.append(LookupResult(type_, value, normalized, "hit"))
        else:
            results.append(LookupResult(type_, value, normalized, "none"))
    # Lookups come fast and in parallel: their event waits for no lock (sequenced moments
    # after the commit, in order).
    audit_log_deferred(
        actor=actor,
        action="correlation.lookup",
        agency=agency,
        summary={
            "values": len(results),
            "visible": sum(r.result == "visible" for r in results),
            "hits": sum(r.result == "hit" for r in results),
        },
    )
    return results
