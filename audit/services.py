"""Appending to the audit log. Every service in every app writes through ``audit_log``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit import log
from audit.models import AuditEvent, PendingAuditEvent

# Arbitrary constant identifying the audit log's PostgreSQL advisory lock.
AUDIT_LOCK_KEY = 0x41554454  # "AUDT"

# The appends ``appends_at_end`` holds back, in order (None: append at once).
_held: ContextVar[list[Callable[[], None]] | None] = ContextVar("audit_held", default=None)


def _lock_log() -> None:
    """Serialise appends until the surrounding transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite serialises writers itself.
    Services call ``audit_log`` last, so the lock is held only for the final INSERT and commit.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def _fields(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None,
    object_type: str,
    object_id: str | int,
    agency: Any,
    summary: dict[str, Any] | None,
) -> dict[str, Any]:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return {
        "created_at": timezone.now(),
        "actor": actor if getattr(actor, "is_authenticated", False) else None,
        "agency_code": getattr(agency, "code", agency or ""),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        # Round-trip through JSON so the stored summary equals the hashed one.
        "summary": json.loads(json.dumps(summary or {}, cls=DjangoJSONEncoder)),
    }


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    agency: Any = None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the log, inside the caller's transaction."""
    fields = _fields(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        agency=agency,
        summary=summary,
    )
    event = AuditEvent(**fields)

    def append() -> None:
        with transaction.atomic():
            _lock_log()
            log.append(event)
            event.save(force_insert=True)

    held = _held.get()
    if held is None:
        append()
    else:
        held.append(append)
    return event


@contextmanager
def appends_at_end() -> Iterator[None]:
    """``audit_log`` calls inside the block append their events when it ends (in order, with
    the time each was made, inside the caller's transaction): a long bulk write whose steps
    log as they go (a STIX import's typed-indicator ingest) then holds the log's lock for its
    last moments only, as every service does, and concurrent imports do not queue behind it.
    An exception drops the held events with the transaction they belong to."""
    if _held.get() is not None:
        yield
        return
    held: list[Callable[[], None]] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    for append in held:
        append()


def audit_log_deferred(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    agency: Any = None,
    summary: dict[str, Any] | None = None,
) -> PendingAuditEvent:
    """Record an event without the log's lock, so concurrent callers never wait for each
    other: it commits with the caller's transaction, and ``sequence_pending`` (queued on
    commit, and every few seconds by beat) appends it to the log. Nothing is lost: a pending
    row stays until it is in the log."""
    pending = PendingAuditEvent.objects.create(
        **_fields(
            actor=actor,
            action=action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            agency=agency,
            summary=summary,
        )
    )
    transaction.on_commit(_queue_sequencing)
    return pending


def _queue_sequencing() -> None:
    from audit.tasks import sequence_pending_events  # cycle: audit.tasks imports these services

    try:
        sequence_pending_events.delay()
    except Exception:  # broker down: beat's run picks the rows up
        return


@transaction.atomic
def sequence_pending(limit: int = 1000) -> int:
    """Append up to ``limit`` pending events to the log in the order they were recorded; the
    number appended. One lock for the whole batch."""
    _lock_log()
    pending = list(
        PendingAuditEvent.objects.select_for_update(skip_locked=True).order_by("id")[:limit]
    )
    for row in pending:
        event = AuditEvent(
            created_at=row.created_at,
            actor_id=row.actor_id,
            agency_code=row.agency_code,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            summary=row.summary,
        )
        log.append(event)
        event.save(force_insert=True)
    PendingAuditEvent.objects.filter(pk__in=[row.pk for row in pending]).delete()
    return len(pending)
