"""Reading and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from audit.models import GENESIS_HASH, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainBreak | None:
    """Walk the chain in id order; return the first event that does not fit, or None."""
    if events is None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    expected_prev = GENESIS_HASH
    previous_id = 0
    for event in events:
        if event.prev_hash != expected_prev:
            reason = (
                "previous event missing or reordered"
                if event.id != previous_id + 1
                else "does not follow the event before it (edited, deleted or reordered)"
            )
            return ChainBreak(event.id, reason)
        if event.compute_hash() != event.hash:
            return ChainBreak(event.id, "content does not match its hash (edited)")
        expected_prev = event.hash
        previous_id = event.id
    return None


def events_for_objects(pairs: Iterable[tuple[str, str | int]]) -> QuerySet[AuditEvent]:
    """Events about any of the given (object_type, object_id) pairs, newest first."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for object_type, object_id in pairs:
        query |= Q(object_type=object_type, object_id=str(object_id))
    return AuditEvent.objects.filter(query).select_related("actor").order_by("-id")
