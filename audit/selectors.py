"""Reading and verifying the audit trail: the hash chain, and the transparency log against the
checkpoints this server signed (those the signing key vouches for, and the last one, kept
outside the database)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from audit import checkpoints, merkle
from audit.models import GENESIS_HASH, AuditEvent, LogNode, SignedCheckpoint
from tools.verify_log import Checkpoint, VerificationError, leaf_hash, verify_checkpoint


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


@dataclass(frozen=True)
class LogBreak:
    index: int
    reason: str


def _signed_checkpoints() -> list[Checkpoint]:
    """Checkpoints whose signature the signing key vouches for (a forged row is ignored), and
    the last signed one, from beside the key. Empty when no key is configured."""
    try:
        verifier = checkpoints.verifier()
    except checkpoints.CheckpointRefused:
        return []
    found = []
    for note in SignedCheckpoint.objects.values_list("note", flat=True):
        try:
            found.append(verify_checkpoint(note, verifier))
        except VerificationError:
            continue
    last = checkpoints.last_signed()
    return [*found, last] if last is not None else found


def verify_log() -> tuple[LogBreak | None, int]:
    """Recompute the tree from the events themselves and check it against every signed
    checkpoint; the first break (or None) and how many checkpoints were checked."""
    leaves: list[bytes] = []
    for expected, event in enumerate(AuditEvent.objects.order_by("leaf_index").iterator()):
        if event.leaf_index != expected:
            return LogBreak(expected, "entry missing (deleted) or out of order"), 0
        leaves.append(leaf_hash(event.leaf()))
    signed = _signed_checkpoints()
    if not signed:
        return None, 0
    largest = max(c.size for c in signed)
    if len(leaves) < largest:
        reason = f"entries missing: {len(leaves)} left, a checkpoint was signed at {largest}"
        return LogBreak(len(leaves), reason), len(signed)
    roots = merkle.roots_at(leaves, [c.size for c in signed])
    for checkpoint in sorted(signed, key=lambda c: c.size):
        if roots[checkpoint.size] != checkpoint.root:
            index = _first_changed_leaf(leaves[: checkpoint.size])
            reason = f"does not match the checkpoint signed at {checkpoint.size} entries"
            return LogBreak(index, f"entry {reason} (edited, reordered or replaced)"), len(signed)
    return None, len(signed)


def _first_changed_leaf(leaves: list[bytes]) -> int:
    """The first entry whose content no longer gives the leaf hash appended at the time."""
    stored = LogNode.objects.filter(level=0, index__lt=len(leaves)).order_by("index")
    for index, digest in enumerate(stored.values_list("hash", flat=True).iterator()):
        if bytes(digest) != leaves[index]:
            return index
    return 0
