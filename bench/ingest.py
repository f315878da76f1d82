"""Ingest throughput: POST a list of indicators to /api/v1/indicators/ over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_sharing_bench \
        python bench/ingest.py --file /tmp/indicators-100k.json --url http://127.0.0.1:8811

Needs the web server running on the same database (see bench/README.md). Prints
indicators/s for the whole request (JSON upload, parsing, validation, bulk insert,
permission rows, audit event, response).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from harness import bench_world, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--url", default="http://127.0.0.1:8811")
    parser.add_argument("--fresh", action="store_true", help="empty the indicator table first")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="call the ingest service directly (no HTTP, no JSON upload)",
    )
    parser.add_argument(
        "--announce",
        action="store_true",
        help="then announce what the ingest left pending (TAXII versions, matches) in-process",
    )
    parser.add_argument(
        "--without-receivers",
        action="store_true",
        help="detach other apps' indicators_changed receivers (sharing's own path)",
    )
    args = parser.parse_args()
    setup()
    import requests
    from django.db import connection

    from agencies.services import api_key_issue
    from sharing import ingest, signals

    owner, user, _ = bench_world()
    if args.fresh:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE sharing_indicator, "
                "sharing_indicatorgroupobjectpermission, sharing_pendingannouncement CASCADE"
            )
    if args.without_receivers:
        signals.indicators_changed.receivers = []
    if args.in_process:
        items = json.loads(Path(args.file).read_bytes())
        started = time.perf_counter()
        report = ingest.indicators_ingest(actor=user, agency=owner, items=items)
        elapsed = time.perf_counter() - started
        print(f"in-process: {report.counts()}")
        print(
            f"{len(items)} indicators in {elapsed:.2f} s = {len(items) / elapsed:,.0f} indicators/s"
        )
        if args.announce:
            _announce()
        return
    _, key = api_key_issue(actor=None, agency=owner, user=user, name="bench")
    body = Path(args.file).read_bytes()
    count = len(json.loads(body))
    started = time.perf_counter()
    response = requests.post(
        f"{args.url}/api/v1/indicators/",
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    report = response.json()
    counts = {k: report[k] for k in ("created", "updated", "unchanged", "rejected")}
    print(f"HTTP {response.status_code}: {json.dumps(counts)}")
    size = len(body) / 1e6
    rate = count / elapsed
    print(f"{count} indicators, {size:.1f} MB in {elapsed:.2f} s = {rate:,.0f} indicators/s")
    if args.announce:
        _announce()


def _announce() -> None:
    """Run what a worker would run after the commit, and time it."""
    from sharing.tasks import announce_indicators

    started = time.perf_counter()
    chunks = announce_indicators()
    print(f"announced {chunks} pending chunks in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
