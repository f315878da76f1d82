"""The share call alone: share N indicators with R partner agencies (one endpoint each) and
time ``sharing.services.indicator_share`` (its transaction and COMMIT included, the Celery
enqueue after commit left out), then count the rows it wrote.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_share_bench \
    python bench/share_call.py --indicators 10000 --agencies 20 --runs 3

Each run truncates indicators, shares and the outbox, ingests N fresh indicators, then shares
them all in one call (``--withdraw``: then withdraws the share, timed too). No worker, no
sink: ``bench/fanout.py`` measures the whole pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from harness import bench_world, setup


def count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (table names are ours)
        return int(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=10_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-endpoints", action="store_true", help="partners without endpoints")
    parser.add_argument("--withdraw", action="store_true", help="then time the share's withdrawal")
    args = parser.parse_args()
    os.environ["SHARING_ENDPOINT_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    setup()
    from django.db import connection
    from generate import indicators as generate

    from agencies.models import PartnerEndpoint
    from sharing import ingest, services
    from sharing.models import Indicator

    services.enqueue_on_commit = lambda ids: None  # type: ignore[assignment]  # no broker here
    owner, user, partners = bench_world(partners=args.agencies)
    PartnerEndpoint.objects.filter(agency__in=partners).delete()
    if not args.no_endpoints:
        for n, agency in enumerate(partners):
            services.endpoint_create(
                actor=None, agency=agency, name=f"bench{n}", url=f"http://127.0.0.1:9/{n}"
            )
    tables = [
        t
        for t in (
            "sharing_indicatorgroupobjectpermission",
            "sharing_indicatoruserobjectpermission",
            "sharing_sharegroupobjectpermission",
            "sharing_shareuserobjectpermission",
            "sharing_share_indicators",
            "sharing_deliveryitem",
            "sharing_delivery",
        )
        if t in connection.introspection.table_names()
    ]
    items = [dict(i, tlp="GREEN", confidence=80) for i in generate(args.indicators, seed=7)]
    for run in range(args.runs):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE sharing_indicator, sharing_indicatorgroupobjectpermission, "
                "sharing_delivery, sharing_deliveryitem, sharing_share CASCADE"
            )
        ingest.indicators_ingest(actor=user, agency=owner, items=items)
        indicators = list(Indicator.objects.filter(owner=owner).select_related("owner"))
        before = {t: count(t) for t in tables}
        started = time.perf_counter()
        share = services.indicator_share(
            actor=user, indicators=indicators, spec=services.ShareSpec(agencies=partners)
        )
        seconds = time.perf_counter() - started
        written = {t.removeprefix("sharing_"): count(t) - before[t] for t in tables}
        withdraw: dict[str, float] = {}
        if args.withdraw:
            started = time.perf_counter()
            services.share_withdraw(actor=user, share=share)
            withdraw["withdraw_call_s"] = round(time.perf_counter() - started, 2)
        print(
            json.dumps(
                {
                    "run": run + 1,
                    "indicators": len(indicators),
                    "agencies": len(partners),
                    "endpoints": 0 if args.no_endpoints else len(partners),
                    "share_call_s": round(seconds, 2),
                    "rows_written": written,
                    **withdraw,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
