"""STIX import throughput (issue 14 §6): 100k mixed objects — 50% indicators with typed
values, 30% relationships, 20% other SDOs — over REST (one bundle) or TAXII (envelopes of
``--chunk`` objects to the agency's "Objects of" collection), objects/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench \
        python bench/stix_import.py --count 100000 --via rest --url http://127.0.0.1:8811

Needs the web server running on the same database (``bench/run.py stix-rest`` starts one).
Prints the import report's counts and objects/s for the whole of the requests (upload,
parsing, checks, bulk writes, permission rows, references, TAXII versions, response).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from harness import bench_world, setup

CREATED = "2026-01-01T00:00:00.000Z"
SDO_KINDS = (
    ("malware", {"is_family": True}),
    ("threat-actor", {}),
    ("intrusion-set", {}),
    ("campaign", {}),
    ("tool", {}),
)


def _common(type_: str) -> dict[str, str]:
    return {
        "type": type_,
        "spec_version": "2.1",
        "id": f"{type_}--{uuid.uuid4()}",
        "created": CREATED,
        "modified": CREATED,
    }


def mixed(count: int) -> list[dict]:
    """``count`` objects: half typed indicators, a fifth other SDOs, the rest relationships
    from indicators to those SDOs ("indicates")."""
    indicators = []
    for n in range(count // 2):
        value = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        indicators.append(
            {
                **_common("indicator"),
                "pattern": f"[ipv4-addr:value = '{value}']",
                "pattern_type": "stix",
                "valid_from": CREATED,
            }
        )
    sdos = []
    for n in range(count // 5):
        type_, extra = SDO_KINDS[n % len(SDO_KINDS)]
        sdos.append({**_common(type_), "name": f"{type_} {n}", **extra})
    relationships = [
        {
            **_common("relationship"),
            "relationship_type": "indicates",
            "source_ref": indicators[n % len(indicators)]["id"],
            "target_ref": sdos[n % len(sdos)]["id"],
        }
        for n in range(count - len(indicators) - len(sdos))
    ]
    return indicators + sdos + relationships


def _fresh() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sharing_indicator, sharing_indicatorgroupobjectpermission, "
            "sharing_stixobject, sharing_stixobjectgroupobjectpermission, sharing_stixreference, "
            "sharing_pendingannouncement, interop_objectversion CASCADE"
        )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process on this machine (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _in_process(owner, user, objects: list[dict]) -> None:
    from django.db import connection, transaction

    from interop.services import bundle_import

    objects = json.loads(json.dumps(objects))  # as a request's parser hands them over
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    python, postgres = time.process_time(), _cpu_seconds(backend)
    started = time.perf_counter()
    with transaction.atomic():
        report = bundle_import(actor=user, agency=owner, objects=objects)
    elapsed = time.perf_counter() - started
    python, postgres = time.process_time() - python, _cpu_seconds(backend) - postgres
    print(f"in-process: {json.dumps(report.counts)}; load average {os.getloadavg()}")
    print(
        f"{len(objects)} objects in {elapsed:.2f} s = {len(objects) / elapsed:,.0f} objects/s; "
        f"CPU {python:.2f} s Python + {postgres:.2f} s PostgreSQL = {python + postgres:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument(
        "--via",
        choices=("rest", "taxii", "in-process"),
        default="rest",
        help="in-process: bundle_import itself, with its CPU seconds (this process and its "
        "PostgreSQL backend, on the same machine): comparable on a loaded machine",
    )
    parser.add_argument(
        "--chunk",
        type=int,
        help="objects per TAXII envelope (default 10,000) or REST bundle (default all)",
    )
    parser.add_argument("--url", default="http://127.0.0.1:8811")
    parser.add_argument(
        "--clients", type=int, default=1, help="TAXII envelopes posted by this many at once"
    )
    args = parser.parse_args()
    setup()
    import requests

    from agencies.services import api_key_issue
    from interop.selectors import OWN, collection_id

    owner, user, _ = bench_world()
    _fresh()
    objects = mixed(args.count)
    if args.via == "in-process":
        _in_process(owner, user, objects)
        return
    scopes = ["read", "write", "taxii", "ingest"]
    _, key = api_key_issue(actor=None, agency=owner, user=user, name="bench", scopes=scopes)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    if args.via == "rest":
        url, media = f"{args.url}/api/v1/stix/bundles/", "application/stix+json;version=2.1"
        size = args.chunk or len(objects)
        bodies = [
            {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects[at : at + size]}
            for at in range(0, len(objects), size)
        ]
    else:
        url = f"{args.url}/taxii2/cybercoop/collections/{collection_id(owner, OWN)}/objects/"
        media = "application/taxii+json;version=2.1"
        size = args.chunk or 10_000
        bodies = [{"objects": objects[at : at + size]} for at in range(0, len(objects), size)]
        session.headers["Accept"] = media
    encoded = [json.dumps(body).encode() for body in bodies]
    counts: dict[str, int] = {}

    def send(body: bytes) -> dict:
        response = session.post(url, data=body, headers={"Content-Type": media}, timeout=900)
        response.raise_for_status()
        return response.json()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        for report in pool.map(send, encoded):
            if args.via == "rest":
                for name, count in report["counts"].items():
                    counts[name] = counts.get(name, 0) + count
            else:
                for name in ("success_count", "failure_count"):
                    counts[name] = counts.get(name, 0) + report[name]
    elapsed = time.perf_counter() - started
    size = sum(len(b) for b in encoded) / 1e6
    print(f"{args.via}: {len(encoded)} request(s), {args.clients} at once, {json.dumps(counts)}")
    print(
        f"{len(objects)} objects, {size:.1f} MB in {elapsed:.2f} s = "
        f"{len(objects) / elapsed:,.0f} objects/s"
    )


if __name__ == "__main__":
    main()
