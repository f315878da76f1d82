"""One command per figure of issue 13's table: the data it needs, the server it talks to, the
script that measures it, and the load average around it.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench REDIS_URL=redis://127.0.0.1:6379/9
    python bench/run.py --list
    python bench/run.py cases-api --setup              # generate the data once, then measure
    python bench/run.py cases-api                       # measure again on the same data
    python bench/run.py cases-api --scale 0.1 --setup   # the same figure at a tenth of the size

``--scale`` multiplies every data size (100k cases, 1M indicators, …): run a figure at 1 and at
0.1 (in separate databases) to see how it grows with 10× the data. Figures that go over HTTP
start ``gunicorn -w 2`` on a free port for the run and stop it after. The database must be
migrated (``manage.py migrate``).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable


@dataclass
class Figure:
    what: str
    measure: list[str]  # the script and its arguments; {url} {n} placeholders
    setup: list[list[str]] = field(default_factory=list)
    http: bool = False


def _lists(url: str) -> Figure:
    return Figure(
        f"first page of {url} (100k cases, 1M indicators, 200 agencies), p50/p95",
        ["first_page.py", "run", "-n", "50", "--url", url],
        setup=[["lists_data.py", "--cases", "{cases}", "--indicators", "{indicators}"]],
    )


FIGURES: dict[str, Figure] = {
    "ingest": Figure(
        "ingest of one 100k-indicator list over HTTP, indicators/s",
        ["ingest.py", "--file", "{list}", "--fresh", "--url", "{url}"],
        setup=[["generate.py", "{list_size}", ">", "{list}"]],
        http=True,
    ),
    "cases-api": _lists("/api/v1/cases/"),
    "cases-html": _lists("/cases/"),
    "indicators-html": _lists("/indicators/"),
    "indicators-api": _lists("/api/v1/indicators/"),
    "fanout": Figure(
        "10k indicators shared with 20 agencies, one endpoint each: deliveries/s, receipts",
        ["fanout.py", "--indicators", "{fanout}", "--endpoints", "20"],
    ),
    "one-to-one": Figure(
        "one indicator to one endpoint, share → receipt p50/p95 over 50 shares",
        ["fanout.py", "--indicators", "50", "--endpoints", "1", "--one-by-one"],
    ),
    "share-call": Figure(
        "the share call itself, 10k indicators × 20 agencies, with endpoints",
        ["share_call.py", "--indicators", "{fanout}", "--agencies", "20"],
    ),
    "lookup": Figure(
        "correlation lookup, 1,000 values vs 1M indicators, HTTP, 1 client, p50/p95",
        ["interop_lookup.py", "--count", "{indicators}", "--url", "{url}", "--requests", "200"],
        setup=[["interop_lookup.py", "--setup", "--count", "{indicators}"]],
        http=True,
    ),
    "lookup-4": Figure(
        "the same with 4 concurrent clients, p50/p95 and lookups/s",
        [
            "interop_lookup.py",
            "--count",
            "{indicators}",
            "--url",
            "{url}",
            "--requests",
            "50",
            "--clients",
            "4",
        ],
        setup=[["interop_lookup.py", "--setup", "--count", "{indicators}"]],
        http=True,
    ),
    "stix-rest": Figure(
        "import of 100k mixed STIX objects (50% indicators, 30% relationships, 20% SDOs) "
        "in one REST bundle, objects/s",
        ["stix_import.py", "--count", "{stix}", "--via", "rest", "--url", "{url}"],
        http=True,
    ),
    "stix-rest-2": Figure(
        "the same 100k objects as four REST bundles of 25,000, two posted at once, objects/s",
        [
            "stix_import.py",
            *("--count", "{stix}", "--via", "rest", "--chunk", "{stix_quarter}", "--clients", "2"),
            *("--url", "{url}"),
        ],
        http=True,
    ),
    "stix-taxii": Figure(
        "the same 100k objects over TAXII, envelopes of 10,000, objects/s",
        ["stix_import.py", "--count", "{stix}", "--via", "taxii", "--url", "{url}"],
        http=True,
    ),
    "stix-taxii-2": Figure(
        "the same over TAXII with two clients posting envelopes at once, objects/s",
        [
            "stix_import.py",
            *("--count", "{stix}", "--via", "taxii", "--clients", "2", "--url", "{url}"),
        ],
        http=True,
    ),
    "taxii": Figure(
        "TAXII paging of 100k objects with taxii2-client at 1,000 per page, objects/s",
        ["interop_taxii.py", "--url", "{url}", "--per-request", "1000", "--rounds", "2"],
        setup=[["interop_taxii.py", "--setup", "--count", "{taxii}"]],
        http=True,
    ),
}


def _sizes(scale: float) -> dict[str, str]:
    def scaled(n: int) -> str:
        return str(max(1, int(n * scale)))

    return {
        "cases": scaled(100_000),
        "indicators": scaled(1_000_000),
        "list_size": scaled(100_000),
        "list": f"/tmp/cybercoop-bench-{scaled(100_000)}.json",
        "fanout": scaled(10_000),
        "taxii": scaled(100_000),
        "stix": scaled(100_000),
        "stix_quarter": scaled(25_000),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _server() -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        # The figures measure the server, not its rate limits (per key, kept in Redis).
        "THROTTLE_LOOKUP_VALUES": "1000000000/min",
        "THROTTLE_TAXII": "1000000/min",
        "THROTTLE_INGEST": "100000/min",
        "THROTTLE_STIX_IMPORT": "100000/min",
    }
    env.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    gunicorn = Path(PYTHON).with_name("gunicorn")
    # --preload: the app (and its URLconf, cybercoop/wsgi.py) is loaded before the port opens,
    # so the first request measured does not wait for a worker to boot.
    command = [str(gunicorn), "cybercoop.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--preload"]
    proc = subprocess.Popen([*command, "--timeout", "900"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _run(step: list[str], values: dict[str, str]) -> None:
    args = [part.format(**values) for part in step]
    if ">" in args:  # a generator writing a file
        at = args.index(">")
        with open(args[at + 1], "w") as out:
            subprocess.run([PYTHON, str(BENCH / args[0]), *args[1:at]], check=True, stdout=out)
        return
    subprocess.run([PYTHON, str(BENCH / args[0]), *args[1:]], check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", choices=sorted(FIGURES))
    parser.add_argument("--setup", action="store_true", help="generate the figure's data first")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the data sizes")
    parser.add_argument("--list", action="store_true", help="list the figures")
    args = parser.parse_args()
    if args.list or not args.name:
        for name, figure in FIGURES.items():
            print(f"{name:16} {figure.what}")
        return
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to the bench database (migrated).")
    figure = FIGURES[args.name]
    values = _sizes(args.scale)
    if args.setup:
        for step in figure.setup:
            _run(step, values)
    print(f"{args.name} (scale {args.scale:g}): {figure.what}")
    print(f"load average before: {os.getloadavg()}")
    if figure.http:
        with _server() as url:
            _run(figure.measure, {**values, "url": url})
    else:
        _run(figure.measure, values)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
