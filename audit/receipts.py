"""Receipts (``cybercoop-receipt/v1``): audit events with their inclusion proofs to one signed
checkpoint, in one JSON document that ``tools/verify_log.py receipt`` checks offline.

Each entry's ``leaf`` is the event's canonical JSON (``AuditEvent.canonical()``): the keys
``action``, ``actor`` (user id or null), ``agency`` (acting agency code), ``created_at`` (ISO
8601), ``object_id``, ``object_type`` and ``summary``, sorted, with no whitespace (separators
``,`` and ``:``) and non-ASCII escaped, so the text is ASCII. Its UTF-8 bytes are the log
leaf, hashed as SHA-256(0x00 || leaf) (RFC 9162); ``inclusion_proof`` is the audit path from
that hash to the root of the checkpoint (base64 hashes, leaf side first).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from audit import checkpoints, log
from audit.models import AuditEvent, SignedCheckpoint
from common.errors import StateConflict
from tools.verify_log import RECEIPT_FORMAT, parse_checkpoint, parse_note

NOT_YET_SIGNED = "This record is not yet in a signed checkpoint; try again in a minute."


@dataclass(frozen=True)
class Witnessed:
    """A witness's cosignature of the checkpoint, as a receipt names it."""

    agency: str
    name: str
    verifier_key: str
    timestamp: int


def covering_checkpoint(events: Sequence[AuditEvent], *, sign: bool = True) -> SignedCheckpoint:
    """The latest signed checkpoint that holds every one of ``events``; with ``sign``, when none
    does yet, one signed now (checkpoints are signed every minute and on demand). Else
    ``StateConflict`` (no key, or the server refuses to sign)."""
    needed = max(event.leaf_index for event in events) + 1
    latest = SignedCheckpoint.objects.order_by("-tree_size").first()
    if latest is not None and latest.tree_size >= needed:
        return latest
    if not sign:
        raise StateConflict(NOT_YET_SIGNED)
    try:
        with transaction.atomic():
            return checkpoints.checkpoint_sign()
    except checkpoints.CheckpointRefused:
        raise StateConflict(NOT_YET_SIGNED) from None
    except IntegrityError:  # the beat task signed the same tree a moment before
        return covering_checkpoint(events, sign=False)


def receipt_build(
    *,
    events: Sequence[AuditEvent],
    checkpoint: SignedCheckpoint,
    note: str,
    witnesses: Sequence[Witnessed] = (),
) -> dict[str, Any]:
    """The receipt of ``events`` (in the given order) against ``checkpoint``, whose signed note,
    with the witnesses' cosignature lines appended, is ``note`` (the caller gathers them)."""
    if not events:
        raise ValueError("a receipt holds at least one event")
    indices = [event.leaf_index for event in events]
    if max(indices) >= checkpoint.tree_size:
        raise ValueError(f"the checkpoint at {checkpoint.tree_size} does not hold every event")
    proofs = log.inclusion_proofs(indices, checkpoint.tree_size)
    return {
        "format": RECEIPT_FORMAT,
        "origin": parse_checkpoint(parse_note(checkpoint.note).text).origin,
        "checkpoint": note,
        "entries": [
            {
                "leaf_index": event.leaf_index,
                "leaf": event.canonical(),
                "inclusion_proof": [base64.b64encode(h).decode() for h in proof],
            }
            for event, proof in zip(events, proofs, strict=True)
        ],
        "witnesses": [
            {
                "agency": w.agency,
                "name": w.name,
                "verifier_key": w.verifier_key,
                "timestamp": w.timestamp,
            }
            for w in witnesses
        ],
    }
