"""RFC 9162 Merkle tree proofs, computed from subtree hashes: the audit log's storage answers
``subtree(start, end)`` (a stored node for a complete subtree), these functions assemble the
audit path (§2.1.3.1) and the consistency proof (§2.1.4.1). Verification is the stand-alone
``tools.verify_log``, so the server and every verifier check with the same code."""

from __future__ import annotations

from collections.abc import Callable

from tools.verify_log import EMPTY_ROOT, node_hash

Subtree = Callable[[int, int], bytes]  # MTH(D[start:end]) for 0 <= start < end


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def root(subtree: Subtree, size: int) -> bytes:
    return subtree(0, size) if size else EMPTY_ROOT


def inclusion_path(subtree: Subtree, index: int, size: int, start: int = 0) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for leaf ``index`` of the tree D[start:start+size]."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of {size} leaves")
    if size == 1:
        return []
    k = split(size)
    if index < k:
        return [*inclusion_path(subtree, index, k, start), subtree(start + k, start + size)]
    return [*inclusion_path(subtree, index - k, size - k, start + k), subtree(start, start + k)]


def consistency_proof(subtree: Subtree, first: int, second: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the tree of ``second`` leaves extends ``first``."""
    if not 0 <= first <= second:
        raise ValueError(f"a tree of {first} leaves cannot extend to {second}")
    if first in (0, second):
        return []
    return _subproof(subtree, first, second, 0, True)


def _subproof(subtree: Subtree, m: int, n: int, start: int, whole: bool) -> list[bytes]:
    if m == n:
        return [] if whole else [subtree(start, start + n)]
    k = split(n)
    if m <= k:
        return [*_subproof(subtree, m, k, start, whole), subtree(start + k, start + n)]
    return [*_subproof(subtree, m - k, n - k, start + k, False), subtree(start, start + k)]


def naive_subtree(leaf_hashes: list[bytes]) -> Subtree:
    """MTH straight from the definition, over leaf hashes in memory (small trees, tests)."""

    def subtree(start: int, end: int) -> bytes:
        if end - start == 1:
            return leaf_hashes[start]
        k = split(end - start)
        return node_hash(subtree(start, start + k), subtree(start + k, end))

    return subtree


def roots_at(leaf_hashes: list[bytes], sizes: list[int]) -> dict[int, bytes]:
    """The root of the first ``size`` leaves for each of ``sizes``, in one pass: a stack of
    complete subtrees (as appends build them), folded right to left at each size."""
    wanted = sorted(set(sizes))
    found: dict[int, bytes] = {}
    stack: list[tuple[int, bytes]] = []  # (leaf count, hash) of complete subtrees
    for count, digest in enumerate([*leaf_hashes, None], start=0):
        while wanted and wanted[0] == count:
            size = wanted.pop(0)
            if size == 0:
                found[size] = EMPTY_ROOT
            else:
                acc = stack[-1][1]
                for _, left in reversed(stack[:-1]):
                    acc = node_hash(left, acc)
                found[size] = acc
        if digest is None:
            break
        stack.append((1, digest))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (n, right), (_, left) = stack.pop(), stack.pop()
            stack.append((2 * n, node_hash(left, right)))
    if wanted:
        raise ValueError(f"sizes beyond the {len(leaf_hashes)} leaves: {wanted}")
    return found
