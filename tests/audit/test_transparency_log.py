"""The audit log as an RFC 9162 Merkle tree on PostgreSQL: every event is a leaf, in order and
without gaps; the stored subtrees give the same root as the leaves themselves, and proofs,
read in one query, verify with the stand-alone verifier."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import log
from audit.merkle import naive_subtree, root
from audit.models import AuditEvent
from audit.services import audit_log
from tools.verify_log import leaf_hash, verify_consistency, verify_inclusion


def leaf_hashes() -> list[bytes]:
    return [leaf_hash(e.leaf()) for e in AuditEvent.objects.order_by("leaf_index")]


def append(count: int) -> None:
    for n in range(count):
        audit_log(actor=None, action="test.append", object_type="t", object_id=str(n))


def test_every_event_is_a_leaf_in_order_and_the_stored_tree_has_the_leaves_root(world):
    append(37)
    indexes = list(AuditEvent.objects.order_by("id").values_list("leaf_index", flat=True))
    assert indexes == list(range(len(indexes)))
    hashes = leaf_hashes()
    size = log.tree_size()
    assert size == len(hashes)
    for n in (1, 2, 3, 7, 8, 9, size - 1, size):
        assert log.root(n) == root(naive_subtree(hashes[:n]), n)


def test_proofs_from_the_stored_tree_verify_in_one_query(world, django_assert_num_queries):
    append(50)
    hashes = leaf_hashes()
    size = len(hashes)
    rng = random.Random(9162)
    for _ in range(20):
        second = rng.randint(1, size)
        first = rng.randint(1, second)
        index = rng.randrange(second)
        second_root, first_root = log.root(second), log.root(first)
        with django_assert_num_queries(1):
            path = log.inclusion_proof(index, second)
        verify_inclusion(hashes[index], index, second, path, second_root)
        with django_assert_num_queries(1):
            proof = log.consistency_proof(first, second)
        verify_consistency(first, second, first_root, second_root, proof)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_a_gapless_tree(world):
    workers, per_worker = 6, 10
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_worker):
                with transaction.atomic():
                    audit_log(actor=None, action="test.race", object_type="t", object_id=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    hashes = leaf_hashes()
    assert sorted(AuditEvent.objects.values_list("leaf_index", flat=True)) == list(
        range(len(hashes))
    )
    assert log.root(len(hashes)) == root(naive_subtree(hashes), len(hashes))


def test_an_append_costs_the_same_queries_whatever_the_trees_shape(world):
    append(64 - log.tree_size() % 64)  # the next leaf is 64k: no left sibling to read
    counts = []
    for _ in range(64):  # then 63 more: up to six siblings on the path
        with CaptureQueriesContext(connection) as queries:
            append(1)
        counts.append(len(queries))
    assert set(counts) == {counts[0]}
    # lock, one read (size and siblings), the nodes, the event, and the savepoint around them
    assert counts[0] == 6
