"""Appending to the audit log. Every service in every app writes through ``audit_log``."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit import log
from audit.models import AuditEvent

# Arbitrary constant identifying the audit log's PostgreSQL advisory lock.
AUDIT_LOCK_KEY = 0x41554454  # "AUDT"


def _lock_log() -> None:
    """Serialise appends until the surrounding transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite serialises writers itself.
    Services call ``audit_log`` last, so the lock is held only for the final INSERT and commit.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Round-trip through JSON so the stored summary equals the hashed one.
    clean_summary = json.loads(json.dumps(summary or {}, cls=DjangoJSONEncoder))
    with transaction.atomic():
        _lock_log()
        event = AuditEvent(
            created_at=timezone.now(),
            actor=user,
            agency_code=getattr(agency, "code", agency or ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=clean_summary,
        )
        log.append(event)
        event.save(force_insert=True)
    return event
