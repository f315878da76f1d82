"""Correlation lookup latency: 1,000 values against 1,000,000 indicators, p50/p95/p99.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_interop_bench \
        python bench/interop_lookup.py --setup --count 1000000
    DATABASE_URL=... python bench/interop_lookup.py --url http://127.0.0.1:8812
    DATABASE_URL=... python bench/interop_lookup.py --url http://127.0.0.1:8812 --clients 4

``--setup`` bulk-inserts the indicators (and the owners' permission rows) with SQL
``generate_series`` across five agencies: half IPv4, half domains. Each measured request
asks for 1,000 random values: 25% the caller's own (visible), 25% other agencies' (hit),
50% unknown (none). Timed over HTTP (``POST /api/v1/correlations/lookup/``) and in-process.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import random
import statistics
import time

from harness import bench_world, setup

BASE_IP = int(ipaddress.IPv4Address("20.0.0.0"))


def value(n: int) -> tuple[str, str]:
    if n % 2:
        return "domain", f"d{n}.lookup-bench.example"
    return "ipv4", str(ipaddress.IPv4Address(BASE_IP + n))


def populate(count: int) -> list:
    from django.contrib.auth.models import Permission
    from django.db import connection

    from agencies import services as agency_services
    from agencies.models import Jurisdiction

    owner, _, partners = bench_world(partners=1)
    de = Jurisdiction.objects.get(code="DE")
    others = [
        agency_services.agency_upsert(
            code=f"DE-LOOKUP{n}", name=f"Lookup {n}", country=de, kind="police"
        )
        for n in range(3)
    ]
    agencies = [owner, partners[0], *others]
    perm = Permission.objects.get(content_type__app_label="sharing", codename="view_indicator")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sharing_indicator WHERE normalized LIKE '%%lookup-bench%%'"
        )
        if cursor.fetchone()[0] < count // 2:
            ids = "ARRAY[" + ",".join(str(a.pk) for a in agencies) + "]::bigint[]"
            cursor.execute(
                f"""
                INSERT INTO sharing_indicator (stix_uuid, type, value, normalized, description,
                    labels, confidence, tlp, pap, handling_code, revoked, created, modified,
                    owner_id)
                SELECT gen_random_uuid(), t.type, t.v, t.v, '', '[]'::jsonb, 50, 'AMBER',
                       'AMBER', 'H0', false, now(), now(), ({ids})[1 + g %% {len(agencies)}]
                FROM generate_series(0, %s - 1) g,
                LATERAL (SELECT CASE WHEN g %% 2 = 1 THEN 'domain' ELSE 'ipv4' END AS type,
                                CASE WHEN g %% 2 = 1 THEN 'd' || g || '.lookup-bench.example'
                                     ELSE host('20.0.0.0'::inet + g) END AS v) t
                """,
                [count],
            )
        cursor.execute("SET work_mem = '256MB'")  # lets NOT IN below use a hashed subplan
        for agency in agencies:  # the owners' view rows, as sharing's ingest writes them
            cursor.execute(
                """
                INSERT INTO sharing_indicatorgroupobjectpermission
                    (permission_id, group_id, content_object_id)
                SELECT %s, %s, id FROM sharing_indicator
                WHERE owner_id = %s AND id NOT IN (
                    SELECT content_object_id FROM sharing_indicatorgroupobjectpermission
                    WHERE group_id = %s AND permission_id = %s)
                """,
                [perm.pk, agency.group_id, agency.pk, agency.group_id, perm.pk],
            )
        cursor.execute("ANALYZE sharing_indicator")
        cursor.execute("ANALYZE sharing_indicatorgroupobjectpermission")
    print(f"setup: {count} indicators in {time.perf_counter() - started:.1f} s")
    return agencies


def sample(rng: random.Random, count: int, agencies: int, caller_slot: int) -> list[dict]:
    values = []
    for k in range(1000):
        bucket = k % 4
        if bucket == 0:  # the caller's own: g % agencies == caller_slot
            n = rng.randrange(count // agencies) * agencies + caller_slot
        elif bucket == 1:  # someone else's
            n = rng.randrange(count // agencies) * agencies + (caller_slot + 1) % agencies
        else:  # unknown
            n = count + rng.randrange(10 * count)
        type_, v = value(n)
        values.append({"type": type_, "value": v})
    return values


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (
        f"p50 {statistics.median(ordered):.1f} ms, p95 {pick(0.95):.1f} ms, "
        f"p99 {pick(0.99):.1f} ms, max {ordered[-1]:.1f} ms"
    )


def run(url: str, count: int, requests_n: int, in_process: bool) -> None:
    import requests

    from agencies.services import api_key_issue
    from sharing.correlation import correlation_lookup

    owner, user, _ = bench_world(partners=1)
    _, key = api_key_issue(actor=None, agency=owner, user=user, name="bench lookup")
    rng = random.Random(3)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    http, local, checked = [], [], False
    for _ in range(requests_n):
        values = sample(rng, count, 5, 0)
        started = time.perf_counter()
        response = session.post(
            f"{url}/api/v1/correlations/lookup/", json={"values": values}, timeout=60
        )
        http.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        if not checked:
            results = [r["result"] for r in response.json()["results"]]
            print({k: results.count(k) for k in ("visible", "hit", "none")})
            checked = True
        if in_process:
            fresh = sample(rng, count, 5, 0)  # new values: no warm cache from the HTTP call
            started = time.perf_counter()
            correlation_lookup(actor=user, agency=owner, values=fresh)
            local.append((time.perf_counter() - started) * 1000)
    print(
        f"HTTP, {requests_n} requests of 1,000 values vs {count:,} indicators: {percentiles(http)}"
    )
    if local:
        print(f"in-process service: {percentiles(local)}")


def run_concurrent(url: str, count: int, requests_n: int, clients: int) -> None:
    """``clients`` threads, each its own key and session, ``requests_n`` lookups each."""
    import threading

    import requests

    from agencies.services import api_key_issue

    owner, user, _ = bench_world(partners=1)
    keys = [
        api_key_issue(actor=None, agency=owner, user=user, name=f"bench lookup {n}")[1]
        for n in range(clients)
    ]
    timings: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(100 + n)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {keys[n]}"
        barrier.wait()
        for _ in range(requests_n):
            values = sample(rng, count, 5, 0)
            started = time.perf_counter()
            response = session.post(
                f"{url}/api/v1/correlations/lookup/", json={"values": values}, timeout=60
            )
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            with lock:
                timings.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(
        f"HTTP, {clients} concurrent clients × {requests_n} requests of 1,000 values vs "
        f"{count:,} indicators: {percentiles(timings)}; {len(timings) / wall:.1f} lookups/s"
    )
    print(f"load average {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--url", default="http://127.0.0.1:8812")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--in-process", action="store_true", help="also time the service alone")
    parser.add_argument("--clients", type=int, default=1, help="concurrent HTTP clients")
    args = parser.parse_args()
    setup()
    if args.setup:
        populate(args.count)
    elif args.clients > 1:
        run_concurrent(args.url, args.count, args.requests, args.clients)
    else:
        run(args.url, args.count, args.requests, args.in_process)


if __name__ == "__main__":
    main()
