"""Reading and verifying the audit log: the entries against the tree stored beside them, and
both against the checkpoints this server signed (those the signing key vouches for, and the
last one, kept outside the database)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from audit import checkpoints, merkle
from audit.models import AuditEvent, LogNode, SignedCheckpoint
from tools.verify_log import (
    Checkpoint,
    VerificationError,
    leaf_hash,
    node_hash,
    verify_checkpoint,
)


def events_for_objects(pairs: Iterable[tuple[str, str | int]]) -> QuerySet[AuditEvent]:
    """Events about any of the given (object_type, object_id) pairs, newest first."""
    query = Q(pk__in=[])
    for object_type, object_id in pairs:
        query |= Q(object_type=object_type, object_id=str(object_id))
    return AuditEvent.objects.filter(query).select_related("actor").order_by("-id")


@dataclass(frozen=True)
class LogBreak:
    index: int
    reason: str


def _signed_checkpoints(held: Iterable[str] = ()) -> list[Checkpoint]:
    """Checkpoints whose signature the signing key vouches for (a forged row is ignored): the
    stored ones, the last signed one (from beside the key), and ``held`` — notes a partner or a
    witness kept, which must verify. Empty when no key is configured."""
    try:
        verifier = checkpoints.verifier()
    except checkpoints.CheckpointRefused:
        return []
    found = [verify_checkpoint(note, verifier) for note in held]
    for note in SignedCheckpoint.objects.values_list("note", flat=True):
        try:
            found.append(verify_checkpoint(note, verifier))
        except VerificationError:
            continue
    last = checkpoints.last_signed()
    return [*found, last] if last is not None else found


def verify_log(held: Iterable[str] = ()) -> tuple[LogBreak | None, int]:
    """Recompute the tree from the entries themselves; check it against the stored nodes and
    against every signed checkpoint (and the ``held`` notes). The first break (or None) and how
    many checkpoints were checked. A held note that does not verify raises VerificationError."""
    leaves: list[bytes] = []
    for expected, event in enumerate(AuditEvent.objects.order_by("leaf_index").iterator()):
        if event.leaf_index != expected:
            return LogBreak(expected, "entry missing (deleted) or out of order"), 0
        leaves.append(leaf_hash(event.leaf()))
    stored_break = _check_stored_tree(leaves)
    if stored_break is not None:
        return stored_break, 0
    signed = _signed_checkpoints(held)
    if not signed:
        return None, 0
    largest = max(c.size for c in signed)
    if len(leaves) < largest:
        reason = f"entries missing: {len(leaves)} left, a checkpoint was signed at {largest}"
        return LogBreak(len(leaves), reason), len(signed)
    roots = merkle.roots_at(leaves, [c.size for c in signed])
    matched = 0  # the largest signed size whose entries still match
    for checkpoint in sorted(signed, key=lambda c: c.size):
        if roots[checkpoint.size] == checkpoint.root:
            matched = checkpoint.size
            continue
        # The stored tree was rewritten to match (else it would have failed above), so only
        # the checkpoints place the change: after the last one that matches.
        where = (
            "entry"
            if checkpoint.size - matched == 1
            else f"an entry in [{matched}, {checkpoint.size})"
        )
        reason = f"{where} does not match the checkpoint signed at {checkpoint.size} entries"
        return LogBreak(matched, f"{reason} (edited, reordered or replaced)"), len(signed)
    return None, len(signed)


def _check_stored_tree(leaves: list[bytes]) -> LogBreak | None:
    """Every stored node (complete subtree) must be the hash of the entries under it, and every
    complete subtree must be stored: a plain edit of an entry shows here, signed or not."""
    expected: list[list[bytes]] = [leaves]
    while len(expected[-1]) > 1:
        below = expected[-1]
        expected.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    stored_leaves = LogNode.objects.filter(level=0).count()
    if stored_leaves > len(leaves):
        reason = f"entries missing: {len(leaves)} left, the stored tree holds {stored_leaves}"
        return LogBreak(len(leaves), reason)
    count = 0
    nodes = LogNode.objects.order_by("level", "index").values_list("level", "index", "hash")
    for level, index, digest in nodes.iterator(chunk_size=5000):
        count += 1
        if level >= len(expected) or index >= len(expected[level]):
            return LogBreak(index << level, "the stored tree has a node beyond the entries")
        if bytes(digest) == expected[level][index]:
            continue
        if level == 0:
            return LogBreak(index, "entry does not match the leaf hash stored when it was appended")
        first, end = index << level, (index + 1) << level
        return LogBreak(first, f"the stored tree node over entries [{first}, {end}) was altered")
    if count != sum(len(level) for level in expected):
        return LogBreak(len(leaves), "nodes of the stored tree are missing")
    return None
