"""RFC 9162 Merkle proofs: the server's proofs (audit.merkle) checked by the stand-alone
verifier (tools.verify_log) against the RFC 6962 reference vectors, and, for random sizes
m <= n <= 2,000, against a second, naive implementation written here from the RFC's text."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.merkle import consistency_proof, inclusion_path, naive_subtree, root
from tools.verify_log import (
    EMPTY_ROOT,
    VerificationError,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 reference leaves and tree heads (as published with Certificate Transparency's
# test data), and proofs from the same data set.
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
INCLUSION_5_OF_8 = [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
]
CONSISTENCY_6_TO_8 = [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
]
CONSISTENCY_2_TO_5 = [
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
]
REF = [leaf_hash(leaf) for leaf in LEAVES]


# --- a second implementation, straight from RFC 9162 §2.1, over lists ------------------------


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


# --- reference vectors -----------------------------------------------------------------------


def test_roots_match_the_reference_tree_heads():
    assert root(naive_subtree([]), 0) == EMPTY_ROOT == _sha(b"")
    for size, expected in ROOTS.items():
        assert root(naive_subtree(REF[:size]), size).hex() == expected
        assert mth(LEAVES[:size]).hex() == expected


def test_reference_proofs_are_produced_and_verify():
    tree = naive_subtree(REF)
    assert [p.hex() for p in inclusion_path(tree, 5, 8)] == INCLUSION_5_OF_8
    assert [p.hex() for p in consistency_proof(tree, 6, 8)] == CONSISTENCY_6_TO_8
    assert [p.hex() for p in consistency_proof(tree, 2, 5)] == CONSISTENCY_2_TO_5
    roots = {size: bytes.fromhex(h) for size, h in ROOTS.items()}
    verify_inclusion(REF[5], 5, 8, [bytes.fromhex(h) for h in INCLUSION_5_OF_8], roots[8])
    verify_consistency(6, 8, roots[6], roots[8], [bytes.fromhex(h) for h in CONSISTENCY_6_TO_8])
    verify_consistency(2, 5, roots[2], roots[5], [bytes.fromhex(h) for h in CONSISTENCY_2_TO_5])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: verify_inclusion(REF[4], 5, 8, _hexes(INCLUSION_5_OF_8), r[8]), "root"),
        (lambda r: verify_inclusion(REF[5], 5, 7, _hexes(INCLUSION_5_OF_8), r[7]), "root"),
        (lambda r: verify_inclusion(REF[5], 8, 8, _hexes(INCLUSION_5_OF_8), r[8]), "outside"),
        (lambda r: verify_inclusion(REF[5], 5, 8, _hexes(INCLUSION_5_OF_8)[:2], r[8]), "shorter"),
        (lambda r: verify_consistency(6, 8, r[5], r[8], _hexes(CONSISTENCY_6_TO_8)), "first root"),
        (lambda r: verify_consistency(6, 8, r[6], r[7], _hexes(CONSISTENCY_6_TO_8)), "second root"),
        (lambda r: verify_consistency(6, 8, r[6], r[8], []), "empty"),
        (lambda r: verify_consistency(8, 6, r[8], r[6], []), "cannot extend"),
    ],
)
def test_a_wrong_leaf_size_or_hash_is_refused_with_a_reason(call, message):
    roots = {size: bytes.fromhex(h) for size, h in ROOTS.items()}
    with pytest.raises(VerificationError, match=re.escape(message)):
        call(roots)


def _hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


# --- random trees up to 2,000 leaves ---------------------------------------------------------

LEAF_POOL = [f"event {i}".encode() for i in range(2000)]
HASH_POOL = [leaf_hash(leaf) for leaf in LEAF_POOL]


@st.composite
def sizes(draw):
    n = draw(st.integers(min_value=1, max_value=2000))
    m = draw(st.integers(min_value=1, max_value=n))
    index = draw(st.integers(min_value=0, max_value=n - 1))
    return m, n, index


@settings(max_examples=60, deadline=None)
@given(sizes(), st.integers(min_value=0, max_value=31))
def test_random_proofs_match_the_naive_rfc_and_verify_and_tampering_fails(case, bit):
    m, n, index = case
    tree = naive_subtree(HASH_POOL[:n])
    second_root = root(tree, n)
    first_root = root(tree, m)
    assert second_root == mth(LEAF_POOL[:n])
    proof = inclusion_path(tree, index, n)
    assert proof == path(index, LEAF_POOL[:n])
    verify_inclusion(HASH_POOL[index], index, n, proof, second_root)
    consistency = consistency_proof(tree, m, n)
    assert consistency == ([] if m == n else subproof(m, LEAF_POOL[:n], True))
    verify_consistency(m, n, first_root, second_root, consistency)

    wrong_leaf = HASH_POOL[(index + 1) % 2000]
    with pytest.raises(VerificationError):
        verify_inclusion(wrong_leaf, index, n, proof, second_root)
    if n > 1:
        with pytest.raises(VerificationError):  # the proof of n does not reach the root of n-1
            verify_inclusion(HASH_POOL[index], index, n - 1, proof, root(tree, n - 1))
        tampered = [*proof]
        position = bit % len(tampered)
        tampered[position] = bytes([tampered[position][0] ^ 1]) + tampered[position][1:]
        with pytest.raises(VerificationError):
            verify_inclusion(HASH_POOL[index], index, n, tampered, second_root)
    if 0 < m < n:
        with pytest.raises(VerificationError):
            verify_consistency(m, n, first_root, root(tree, n - 1), consistency)
        bad = [*consistency]
        bad[bit % len(bad)] = _sha(bad[bit % len(bad)])
        with pytest.raises(VerificationError):
            verify_consistency(m, n, first_root, second_root, bad)
