"""TAXII 2.1 paging throughput: the OASIS client (taxii2client.v21 ``as_pages``) reads a
partner's "Shared with" collection of N objects from a running server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_interop_bench \
        python bench/interop_taxii.py --setup --count 100000
    DATABASE_URL=... python bench/interop_taxii.py --url http://127.0.0.1:8812 --per-request 10000

``--setup`` ingests N indicators for the owner through sharing's ingest (which also writes
the TAXII versions) and shares them with the partner through sharing's share service.
"""

from __future__ import annotations

import argparse
import statistics
import time

from harness import bench_world, setup


def populate(count: int) -> None:
    from generate import indicators

    from agencies.models import SharingAgreement
    from sharing import ingest, services
    from sharing.models import Indicator

    owner, user, (partner,) = bench_world(partners=1)
    existing = Indicator.objects.filter(owner=owner).count()
    items = list(indicators(count, seed=7))[existing:]
    agreement = SharingAgreement.objects.get(name="bench EU")
    started = time.perf_counter()
    for start in range(0, len(items), 20_000):
        chunk = items[start : start + 20_000]
        report = ingest.indicators_ingest(actor=user, agency=owner, items=chunk, source="bench")
        created = report.created + report.updated + report.unchanged
        services.indicator_share(
            actor=user,
            indicators=created,
            spec=services.ShareSpec(agencies=[partner], legal_basis=agreement.pk),
        )
        print(f"  {existing + start + len(chunk)} ingested and shared", flush=True)
    print(f"setup: {len(items)} indicators in {time.perf_counter() - started:.1f} s")


def run(url: str, per_request: int, rounds: int) -> None:
    from taxii2client.v21 import Server, as_pages

    from agencies.services import api_key_issue

    _, _, (partner,) = bench_world(partners=1)
    user = partner.memberships.first().user
    _, key = api_key_issue(actor=None, agency=partner, user=user, name="bench taxii")
    server = Server(f"{url}/taxii2/", user=user.username, password=key)
    (shared,) = [c for c in server.default.collections if c.title.startswith("Shared with")]
    rates = []
    for n in range(rounds):
        started = time.perf_counter()
        objects = pages = 0
        for envelope in as_pages(shared.get_objects, per_request=per_request):
            objects += len(envelope.get("objects", []))
            pages += 1
        elapsed = time.perf_counter() - started
        rates.append(objects / elapsed)
        print(
            f"round {n + 1}: {objects} objects, {pages} pages in {elapsed:.2f} s "
            f"= {objects / elapsed:,.0f} objects/s"
        )
    print(
        f"median {statistics.median(rates):,.0f} objects/s, best {max(rates):,.0f} objects/s "
        f"(per_request={per_request})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--url", default="http://127.0.0.1:8812")
    parser.add_argument("--per-request", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup()
    if args.setup:
        populate(args.count)
    else:
        run(args.url, args.per_request, args.rounds)


if __name__ == "__main__":
    main()
