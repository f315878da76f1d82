"""The transparency log over audit events (RFC 9162): every event is a leaf, in
``leaf_index`` order; complete subtrees are stored as ``LogNode`` rows, so an append writes
O(log n) nodes and a proof reads O(log^2 n) of them in one query, never every leaf."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Max, Q

from audit import merkle
from audit.models import AuditEvent, LogNode
from tools.verify_log import leaf_hash, node_hash

T = TypeVar("T")
Position = tuple[int, int]  # (level, index) of a complete subtree


def tree_size() -> int:
    last = AuditEvent.objects.aggregate(last=Max("leaf_index"))["last"]
    return 0 if last is None else last + 1


def leaf_hashes(start: int, end: int) -> list[bytes]:
    """The leaf hashes of entries [start, end), as stored (level 0)."""
    nodes = LogNode.objects.filter(level=0, index__gte=start, index__lt=end).order_by("index")
    return [bytes(hash_) for hash_ in nodes.values_list("hash", flat=True)]


def append(event: AuditEvent, index: int) -> None:
    """Make ``event`` leaf ``index`` and store the subtrees it completes. Call under the audit
    lock, with ``index`` = the tree size, before the event is saved."""
    event.leaf_index = index
    siblings = []
    level = 0
    while (index >> level) & 1:  # a right child: its left sibling is complete and stored
        siblings.append((level, (index >> level) - 1))
        level += 1
    # One read, even with no sibling (an even index): an audited request then costs the same
    # number of queries whatever the parity of the log's size.
    stored = _nodes(siblings) if siblings else _nodes_none()
    digest = leaf_hash(event.leaf())
    nodes = [LogNode(level=0, index=index, hash=digest)]
    for level, left in siblings:
        digest = node_hash(stored[(level, left)], digest)
        nodes.append(LogNode(level=level + 1, index=left >> 1, hash=digest))
    LogNode.objects.bulk_create(nodes)


def _nodes(positions: list[Position] | set[Position]) -> dict[Position, bytes]:
    if not positions:
        return {}
    query = Q()
    for level, index in positions:
        query |= Q(level=level, index=index)
    found = {(n.level, n.index): bytes(n.hash) for n in LogNode.objects.filter(query)}
    missing = set(positions) - found.keys()
    if missing:
        raise LookupError(f"log nodes missing: {sorted(missing)[:5]}")
    return found


def _nodes_none() -> dict[Position, bytes]:
    list(LogNode.objects.filter(level=0, index=-1))  # the read append makes when it needs none
    return {}


def _decompose(start: int, end: int) -> list[Position]:
    """The complete subtrees that make up D[start:end] as RFC 9162 splits it."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    k = merkle.split(size)
    return _decompose(start, start + k) + _decompose(start + k, end)


def _with_subtrees(compute: Callable[[merkle.Subtree], T]) -> T:
    """Run ``compute`` (a proof or a root) over stored nodes: a dry run records which complete
    subtrees it needs (the control flow of RFC 9162's algorithms does not depend on hashes),
    one query fetches them, then the real run combines them."""
    needed: set[Position] = set()

    def record(start: int, end: int) -> bytes:
        needed.update(_decompose(start, end))
        return b""

    compute(record)
    stored = _nodes(needed)

    def subtree(start: int, end: int) -> bytes:
        size = end - start
        if size & (size - 1) == 0 and start % size == 0:
            level = size.bit_length() - 1
            return stored[(level, start >> level)]
        k = merkle.split(size)
        return node_hash(subtree(start, start + k), subtree(start + k, end))

    return compute(subtree)


def root(size: int) -> bytes:
    return _with_subtrees(lambda subtree: merkle.root(subtree, size))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return _with_subtrees(lambda subtree: merkle.inclusion_path(subtree, index, size))


def inclusion_proofs(indices: list[int], size: int) -> list[list[bytes]]:
    """The inclusion proofs of several leaves in the tree of ``size``, from one query."""
    return _with_subtrees(
        lambda subtree: [merkle.inclusion_path(subtree, index, size) for index in indices]
    )


def consistency_proof(first: int, second: int) -> list[bytes]:
    return _with_subtrees(lambda subtree: merkle.consistency_proof(subtree, first, second))
