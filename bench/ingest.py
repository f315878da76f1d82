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

from common import bench_world, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--url", default="http://127.0.0.1:8811")
    parser.add_argument("--fresh", action="store_true", help="delete the owner's indicators first")
    args = parser.parse_args()
    setup()
    import requests

    from agencies.services import api_key_issue
    from sharing.models import Indicator

    owner, user, _ = bench_world()
    if args.fresh:
        Indicator.objects.filter(owner=owner).delete()
    _, key = api_key_issue(actor=None, agency=owner, user=user, name="bench")
    body = open(args.file, "rb").read()
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
    print(f"HTTP {response.status_code}: {json.dumps({k: report[k] for k in ('created', 'updated', 'unchanged', 'rejected')})}")
    print(f"{count} indicators, {len(body) / 1e6:.1f} MB in {elapsed:.2f} s = {count / elapsed:,.0f} indicators/s")


if __name__ == "__main__":
    main()
