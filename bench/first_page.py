"""First-page latency of the big lists, in process through Django's test client.

    python bench/first_page.py after -n 50 [--user bench.list0] [--url /cases/ ...]

``name`` labels the run (e.g. ``before`` / ``after``). For each URL: a few warm-up requests,
then N timed ones; prints p50 / p95 / max in ms, the queries of one request, and the load
average before and after (the machine is shared: read figures with it). Data:
``bench/lists_data.py``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import time

import harness

URLS = ["/api/v1/cases/", "/cases/", "/indicators/", "/api/v1/indicators/"]
NEXT_LINK = re.compile(r'href="([^"]+)"[^>]*>\s*(?:Next|Older)\s*<')


def next_url(url: str, response) -> str | None:
    """The second page's URL: the API's ``next``, or the page's Next / Older link."""
    if url.startswith("/api/"):
        return response.json()["next"]
    found = NEXT_LINK.search(response.content.decode())
    return url.split("?")[0] + html.unescape(found.group(1)) if found else None


def timed(client, url: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _recorder(queries: list[str]):
    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="label of the run, e.g. before or after")
    parser.add_argument("-n", type=int, default=50, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--user", default="bench.list0")
    parser.add_argument("--url", action="append", help="URL to measure (repeatable)")
    args = parser.parse_args()
    harness.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    print(f"run {args.name!r}, user {args.user}, {args.n} requests per URL")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'url':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'rows':>6}"
        f" {'page 2 p50':>11} {'p95':>7}"
    )
    for url in args.url or URLS:
        for _ in range(args.warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        queries: list[str] = []
        with connection.execute_wrapper(_recorder(queries)):
            response = client.get(url)
        rows = len(response.json()["results"]) if url.startswith("/api/") else "-"
        timings = timed(client, url, args.n)
        second = next_url(url, response)
        later = timed(client, second, args.n) if second else [float("nan")]
        print(
            f"{url:<22} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f} "
            f"{max(timings):8.1f} {len(queries):8} {rows:>6} "
            f"{statistics.median(later):11.1f} {percentile(later, 0.95):7.1f}"
        )
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
