"""Sharing fixtures: partner endpoints, a real in-process webhook receiver and a scripted
HTTP server on loopback (the EU agreement, ``eu_agreement``, is in tests/conftest.py)."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from sharing import ingest, services
from sharing.receiver import serve


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "integration: real celery worker and receiver subprocesses (runs in make test)"
    )


@pytest.fixture(autouse=True)
def _sharing_settings(settings):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    settings.SHARING_RETRY_SCHEDULE = [1, 2, 4]
    settings.SHARING_RETRY_JITTER = 0.1
    settings.SHARING_MAX_ATTEMPTS = 3
    settings.SHARING_DELIVERY_TIMEOUT = 2
    settings.SHARING_DELIVERY_BATCH_SIZE = 100


@pytest.fixture
def clients(world, api_client_for):
    """API clients: owner, partner and outsider (each with its agency's key), anonymous."""
    return {
        "owner": api_client_for(world.owner.investigator, world.owner.agency),
        "partner": api_client_for(world.partner.investigator, world.partner.agency),
        "outsider": api_client_for(world.outsider.investigator, world.outsider.agency),
        "anonymous": APIClient(),
    }


@dataclass
class Receiver:
    url: str
    secret: str
    db: str
    out: io.StringIO
    server: object

    def rows(self, sql: str, *args):
        import sqlite3

        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, args).fetchall()

    def objects(self) -> list[tuple[str, int]]:
        return self.rows("SELECT stix_id, revoked FROM objects ORDER BY rowid")


@pytest.fixture
def receiver(tmp_path):
    """A reference receiver on an ephemeral loopback port (its own thread)."""
    from sharing.webhooks import new_secret

    secret = new_secret()
    out = io.StringIO()
    db = str(tmp_path / "receiver.sqlite3")
    server = serve(host="127.0.0.1", port=0, secret=secret, db=db, out=out)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/", secret, db, out, server)
    server.shutdown()
    server.server_close()


@pytest.fixture
def scripted(world):
    """An HTTP server answering from a script of (status, headers); records requests."""
    script: list[tuple[int, dict]] = []
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"headers": dict(self.headers.items()), "body": body})
            status, headers = script.pop(0) if script else (200, {})
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.script, server.seen = script, seen
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def partner_endpoint(world, receiver):
    """The partner agency's endpoint, pointing at the receiver, with the receiver's secret."""
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="NL SOC", url=receiver.url
    )
    endpoint.secret = receiver.secret
    endpoint.save(update_fields=["secret"])
    return endpoint


def add(world_side, *values, agency=None, **defaults):
    """Ingest simple values for a side's agency; returns the indicators in order."""
    items = [{"type": t, "value": v} for t, v in values]
    report = ingest.indicators_ingest(
        actor=world_side.investigator,
        agency=agency or world_side.agency,
        items=items,
        defaults=defaults or None,
    )
    assert not report.errors, report.errors
    return [report.items[i][1] for i in range(len(items))]


def shared_with_partner(world):
    """One owner indicator shared with the partner agency (needs ``eu_agreement``)."""
    (ind,) = add(world.owner, ("ipv4", "192.0.2.80"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return ind


@pytest.fixture
def shared(world, eu_agreement):
    """An owner IPv4 shared with the partner agency, and an owner domain kept private."""
    inds = add(world.owner, ("ipv4", "192.0.2.90"), ("domain", "evil.example"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds[:1],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return inds
