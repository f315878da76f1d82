"""Evidence receipts: the evidence item's registration and the custody history its viewer
sees, as log entries with inclusion proofs to a signed, witnessed checkpoint (one JSON file,
``tools/verify_log.py receipt`` checks it offline); and the line the evidence page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agencies.selectors import cosignatures_of, cosigned_note, witnessed_checkpoint
from audit.models import AuditEvent, SignedCheckpoint
from audit.receipts import Witnessed, covering_checkpoint, receipt_build
from cases.models import CustodyEvent, Evidence
from cases.selectors import custody_history
from common.errors import StateConflict

NOT_IN_LOG = "This evidence has no record in the transparency log."


def _receipt(events: list[AuditEvent]) -> dict[str, Any]:
    if not events:
        raise StateConflict(NOT_IN_LOG)
    needed = max(event.leaf_index for event in events) + 1
    checkpoint = witnessed_checkpoint(size=needed) or covering_checkpoint(events)
    witnesses = [
        Witnessed(
            agency=c.witness.agency.code,
            name=c.witness.name,
            verifier_key=c.witness.verifier_key,
            timestamp=c.timestamp,
        )
        for c in cosignatures_of(checkpoint)
    ]
    return receipt_build(
        events=events, checkpoint=checkpoint, note=cosigned_note(checkpoint), witnesses=witnesses
    )


def evidence_receipt(*, evidence: Evidence) -> dict[str, Any]:
    """The receipt of the evidence's custody history as its page shows it, registration
    (collection) first; a checkpoint is signed now if none holds the newest event yet."""
    return _receipt([c.audit_event for c in custody_history(evidence=evidence) if c.audit_event])


def custody_event_receipt(*, custody: CustodyEvent) -> dict[str, Any]:
    """The receipt of one custody event."""
    return _receipt([custody.audit_event] if custody.audit_event else [])


@dataclass(frozen=True)
class LogRecord:
    """Where the evidence's registration is in the log, and the latest checkpoint holding it
    (None when none is signed yet) with the agencies that witnessed it."""

    leaf_index: int
    checkpoint: SignedCheckpoint | None
    witnessed_by: list[str]


def evidence_log_record(*, evidence: Evidence) -> LogRecord | None:
    """For the evidence page; never signs (a page view writes nothing)."""
    registration = (
        custody_history(evidence=evidence)
        .filter(kind=CustodyEvent.Kind.COLLECTED, audit_event__isnull=False)
        .first()
    )
    if registration is None or registration.audit_event is None:
        return None
    index = registration.audit_event.leaf_index
    checkpoint = (
        witnessed_checkpoint(size=index + 1)
        or SignedCheckpoint.objects.filter(tree_size__gt=index).order_by("-tree_size").first()
    )
    if checkpoint is None:
        return LogRecord(index, None, [])
    agencies = {c.witness.agency.name for c in cosignatures_of(checkpoint)}
    return LogRecord(index, checkpoint, sorted(agencies))
