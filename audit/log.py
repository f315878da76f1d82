"""The transparency log over audit events (RFC 9162): every event is a leaf, in
``leaf_index`` order; complete subtrees are stored as ``LogNode`` rows, so an append writes
O(log n) nodes and a proof reads O(log^2 n) of them in one query, never every leaf."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import connection
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


def append(event: AuditEvent) -> None:
    """Make ``event`` the next leaf and store the subtrees it completes. Call under the audit
    lock, before the event is saved. One read finds the tree size and the stored left siblings
    of the new leaf (on PostgreSQL, one query whatever the log's size or parity); one write
    stores the new nodes."""
    index, stored = _next_leaf()
    event.leaf_index = index
    digest = leaf_hash(event.leaf())
    nodes = [LogNode(level=0, index=index, hash=digest)]
    level = 0
    while (index >> level) & 1:  # a right child: its left sibling is complete and stored
        digest = node_hash(stored[level], digest)
        nodes.append(LogNode(level=level + 1, index=index >> (level + 1), hash=digest))
        level += 1
    LogNode.objects.bulk_create(nodes)


# The next leaf's index n, and the stored left siblings on its path: at each level L where
# n's lowest L+1 bits are all ones, node (L, (n >> L) - 1).
_NEXT_LEAF_SQL = """
WITH next AS (SELECT COALESCE(MAX(leaf_index) + 1, 0) AS n FROM audit_auditevent)
SELECT next.n, node.level, node.hash FROM next LEFT JOIN LATERAL (
    SELECT stored.level, stored.hash
    FROM generate_series(0, 61) AS g(level)
    JOIN audit_lognode AS stored
      ON stored.level = g.level AND stored.index = (next.n >> g.level) - 1
    WHERE next.n & ((1::bigint << (g.level + 1)) - 1) = (1::bigint << (g.level + 1)) - 1
) AS node ON true
"""


def _next_leaf() -> tuple[int, dict[int, bytes]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_LEAF_SQL)
            rows = cursor.fetchall()
        index = rows[0][0]
        stored = {level: bytes(hash_) for _, level, hash_ in rows if level is not None}
    else:
        index = tree_size()
        siblings: list[Position] = []
        while (index >> len(siblings)) & 1:
            siblings.append((len(siblings), (index >> len(siblings)) - 1))
        stored = {level: h for (level, _), h in _nodes(siblings).items()}
    expected = (~index & (index + 1)).bit_length() - 1  # the number of trailing ones
    if len(stored) != expected:
        raise LookupError(f"log nodes missing below leaf {index}")
    return index, stored


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
