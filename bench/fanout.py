"""Fan-out: share 10k indicators with 20 partner agencies, each with one endpoint, and time
the pipeline end to end with a real Celery worker and a signature-verifying sink.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_sharing_bench \
    REDIS_URL=redis://127.0.0.1:6379/5 python bench/fanout.py --indicators 10000 --endpoints 20

Reports: the share transaction (permission rows + outbox rows + audit), indicator-deliveries
per second from the share call to the last receipt, and share-to-receipt latency p50/p95
over indicator-deliveries.

``--one-by-one`` shares the indicators one at a time instead (each share waits for its
receipt) and reports share-to-receipt p50/p95 over those shares: the latency of a single
indicator to a single endpoint with ``--indicators 50 --endpoints 1``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from harness import ROOT, bench_world, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--one-by-one", action="store_true", help="one share per indicator")
    args = parser.parse_args()
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    os.environ["SHARING_DELIVERY_QUEUE"] = queue
    os.environ["SHARING_DELIVERY_BATCH_SIZE"] = str(args.batch)
    os.environ["SHARING_ENDPOINT_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    setup()
    import requests
    from django.db import connection
    from generate import indicators as generate

    from agencies.models import PartnerEndpoint
    from sharing import ingest, services
    from sharing.models import Delivery, Indicator
    from sharing.webhooks import new_secret

    owner, user, partners = bench_world(partners=args.endpoints)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sharing_indicator, sharing_indicatorgroupobjectpermission, "
            "sharing_delivery, sharing_deliveryitem, sharing_share CASCADE"
        )
    PartnerEndpoint.objects.filter(agency__in=partners).delete()
    secret = new_secret()
    for n, agency in enumerate(partners):
        endpoint, _ = services.endpoint_create(
            actor=None, agency=agency, name=f"bench{n}", url=f"http://127.0.0.1:{args.port}/{n}"
        )
        PartnerEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
    items = [dict(i, tlp="GREEN", confidence=80) for i in generate(args.indicators, seed=7)]
    ingest.indicators_ingest(actor=user, agency=owner, items=items)
    indicators = list(Indicator.objects.filter(owner=owner).select_related("owner"))

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    logs = Path("/tmp/bench-fanout")
    logs.mkdir(exist_ok=True)
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/sink.py"), "--port", str(args.port), "--secret", secret],
        env=env,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "cybercoop",
            "worker",
            "-l",
            "info",
            "-c",
            str(args.concurrency),
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=(logs / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        while "ready." not in (logs / "worker.log").read_text() and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(1)
        if args.one_by_one:
            one_by_one(args.port, user, indicators, partners)
            return
        expected = len(indicators) * len(partners)
        started = time.time()
        share = services.indicator_share(
            actor=user, indicators=indicators, spec=services.ShareSpec(agencies=partners)
        )
        share_seconds = time.time() - started
        deliveries = Delivery.objects.filter(share=share).count()
        while True:
            stats = requests.get(f"http://127.0.0.1:{args.port}/stats", timeout=10).json()
            if stats["objects"] >= expected or time.time() - started > 1800:
                break
            time.sleep(0.5)
        total = max(t for t, _ in stats["samples"]) - started
        first = min(t for t, _ in stats["samples"]) - started
        latencies = sorted(t - started for t, n in stats["samples"] for _ in range(n))
        p50 = latencies[len(latencies) // 2]
        p95 = latencies[int(len(latencies) * 0.95)]
        print(
            json.dumps(
                {
                    "indicators": len(indicators),
                    "endpoints": len(partners),
                    "indicator_deliveries": stats["objects"],
                    "expected": expected,
                    "webhook_requests": stats["requests"],
                    "duplicates": stats["duplicates"],
                    "deliveries (outbox rows)": deliveries,
                    "batch": args.batch,
                    "share_transaction_s": round(share_seconds, 2),
                    "first_receipt_s": round(first, 2),
                    "end_to_end_s": round(total, 2),
                    "indicator_deliveries_per_s": round(stats["objects"] / total),
                    "latency_p50_s": round(p50, 2),
                    "latency_p95_s": round(p95, 2),
                },
                indent=2,
            )
        )
    finally:
        for proc in (worker, sink):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def one_by_one(port: int, user, indicators, partners) -> None:
    """Share each indicator alone and wait for its receipts; latency p50/p95 over the shares."""
    import requests

    from sharing import services

    def received() -> int:
        return requests.get(f"http://127.0.0.1:{port}/stats", timeout=10).json()["objects"]

    latencies = []
    for n, indicator in enumerate(indicators, start=1):
        started = time.time()
        services.indicator_share(
            actor=user, indicators=[indicator], spec=services.ShareSpec(agencies=partners)
        )
        while received() < n * len(partners) and time.time() - started < 60:
            time.sleep(0.002)
        latencies.append(time.time() - started)
    latencies.sort()
    print(
        json.dumps(
            {
                "shares": len(latencies),
                "endpoints": len(partners),
                "latency_p50_ms": round(latencies[len(latencies) // 2] * 1000),
                "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000),
                "latency_max_ms": round(latencies[-1] * 1000),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
