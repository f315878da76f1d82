"""Audit log benchmarks: append throughput with concurrent writers, and proof latency.

    python bench/audit_log.py appends --writers 4 --events 500      # events/s
    python bench/audit_log.py proofs --leaves 1000000 --samples 200  # p50/p95 ms

``appends`` calls ``audit_log`` as services do (one transaction per event) from W threads,
each with its own connection; run it against an older tree to compare. ``proofs`` loads a
synthetic tree of N leaves straight into LogNode (COPY), then times inclusion and consistency
proofs for random indexes and sizes. Needs DATABASE_URL (PostgreSQL) and a migrated database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time

from harness import setup


def appends(writers: int, events: int) -> None:
    from django.db import connection, transaction

    from audit.services import audit_log

    start = threading.Barrier(writers + 1)

    def work(n: int) -> None:
        start.wait()
        for i in range(events):
            with transaction.atomic():
                audit_log(actor=None, action="bench.append", object_type="b", object_id=f"{n}-{i}")
        connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    total = writers * events
    print(f"{total} appends by {writers} writers in {elapsed:.1f} s: {total / elapsed:,.0f}/s")


def _load_tree(leaves: int) -> None:
    """Leaves and every complete subtree, as appends would have stored them, by COPY."""
    from django.db import connection

    from audit.models import AuditEvent, LogNode
    from common.bulk import copy_rows
    from tools.verify_log import leaf_hash, node_hash

    LogNode.objects.all().delete()
    AuditEvent.objects.all().delete()
    rows: list[tuple[int, int, bytes]] = []
    stack: list[bytes] = []
    for index in range(leaves):
        digest = leaf_hash(f"bench {index}".encode())
        rows.append((0, index, digest))
        stack.append(digest)
        level, position = 0, index
        while position & 1:
            digest = node_hash(stack[-2], digest)
            stack[-2:] = [digest]
            level, position = level + 1, position >> 1
            rows.append((level, position, digest))
        if len(rows) >= 200_000:
            copy_rows(
                LogNode,
                ["level", "index", "hash"],
                [(lv, ix, "\\x" + h.hex()) for lv, ix, h in rows],
            )
            rows = []
    copy_rows(
        LogNode, ["level", "index", "hash"], [(lv, ix, "\\x" + h.hex()) for lv, ix, h in rows]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_lognode")


def proofs(leaves: int, samples: int) -> None:
    from audit import log

    began = time.perf_counter()
    _load_tree(leaves)
    print(f"loaded {leaves:,} leaves in {time.perf_counter() - began:.0f} s")
    rng = random.Random(9162)
    timings: dict[str, list[float]] = {"inclusion": [], "consistency": []}
    for _ in range(samples):
        size = rng.randint(2, leaves)
        first = rng.randint(1, size)
        index = rng.randrange(size)
        t = time.perf_counter()
        log.inclusion_proof(index, size)
        timings["inclusion"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        log.consistency_proof(first, size)
        timings["consistency"].append((time.perf_counter() - t) * 1000)
    for name, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        p50 = statistics.median(values)
        print(f"{name} proof at {leaves:,} leaves: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    a = commands.add_parser("appends")
    a.add_argument("--writers", type=int, default=4)
    a.add_argument("--events", type=int, default=500)
    p = commands.add_parser("proofs")
    p.add_argument("--leaves", type=int, default=1_000_000)
    p.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    setup()
    if args.command == "appends":
        appends(args.writers, args.events)
    else:
        proofs(args.leaves, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
