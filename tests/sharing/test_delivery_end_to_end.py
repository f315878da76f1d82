"""End to end, not eager: a real ``celery worker`` subprocess on Redis, reference receivers
as subprocesses on loopback, every broker message of the share lost (the sweeper must
recover them, the outbox fill of the share's last 40 indicators included), the worker SIGKILLed
mid-batch and replaced by two, receivers failing 30% of
requests with 500s and timeouts. Every entitled (indicator, endpoint) pair
must arrive and be processed exactly once; nothing may reach an endpoint not entitled.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db.models import Count

from agencies.models import TLP
from sharing import services
from sharing.models import Delivery, DeliveryAttempt, DeliveryItem, OutboxFill
from sharing.tasks import sweep_deliveries
from sharing.webhooks import new_secret
from tests.sharing.conftest import add

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.handle = log.open("ab")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=30)
        self.handle.close()


class Receiver:
    def __init__(self, tmp: Path, name: str, env: dict, fail_rate: float) -> None:
        self.secret = new_secret()
        self.port = _free_port()
        self.db = tmp / f"{name}.sqlite3"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = Proc(
            [
                str(BIN / "python"),
                "manage.py",
                "run_partner_receiver",
                "--port",
                str(self.port),
                "--secret",
                self.secret,
                "--db",
                str(self.db),
                "--fail-rate",
                str(fail_rate),
                "--timeout-sleep",
                "1.5",
                "--seed",
                "7",
            ],
            env,
            tmp / f"{name}.log",
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"receiver did not start: {self.proc.log.read_text()}")

    def query(self, sql: str) -> list[tuple]:
        if not self.db.exists():
            return []
        with sqlite3.connect(self.db) as conn:
            try:
                return conn.execute(sql).fetchall()
            except sqlite3.OperationalError:
                return []


@pytest.fixture
def stack(tmp_path, settings):
    queue = f"sharing-it-{uuid.uuid4().hex[:8]}"
    knobs = {
        "SHARING_DELIVERY_QUEUE": queue,
        "SHARING_DELIVERY_BATCH_SIZE": "5",
        "SHARING_OUTBOX_CHUNK": "20",  # the share writes 20, the workers fill the other 40
        "SHARING_RETRY_SCHEDULE": "0.3,0.6,1.2,2",
        "SHARING_RETRY_JITTER": "0.3",
        "SHARING_MAX_ATTEMPTS": "40",
        "SHARING_DELIVERY_TIMEOUT": "1",
        "SHARING_DELIVERY_LEASE": "3",
        "SHARING_SWEEP_GRACE": "2",
        "SHARING_ENDPOINT_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    settings.SHARING_DELIVERY_QUEUE = queue
    settings.SHARING_DELIVERY_BATCH_SIZE = 5
    settings.SHARING_OUTBOX_CHUNK = 20
    settings.SHARING_DELIVERY_LEASE = 3
    settings.SHARING_SWEEP_GRACE = 2
    env = {
        **os.environ,
        **knobs,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_VISIBILITY_TIMEOUT": "10",
        "PYTHONUNBUFFERED": "1",
    }
    worker_args = [
        str(BIN / "celery"),
        "-A",
        "cybercoop",
        "worker",
        "-l",
        "info",
        "-c",
        "2",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{queue}@%h",
    ]
    procs: dict[str, object] = {"env": env, "worker_args": worker_args, "tmp": tmp_path}
    yield procs
    for proc in list(procs.values()):
        if isinstance(proc, Proc):
            proc.kill()
        if isinstance(proc, Receiver):
            proc.proc.kill()


def _start_worker(stack, name: str = "one") -> Proc:
    """A worker on the test's delivery queue; ``name`` tells concurrent workers apart."""
    args = [*stack["worker_args"][:-1], f"{name}-{stack['worker_args'][-1]}"]
    worker = Proc(args, stack["env"], stack["tmp"] / "worker.log")
    stack[f"worker-{worker.popen.pid}"] = worker
    return worker


def _wait(predicate, timeout: float, what: str, stack) -> None:
    deadline = time.monotonic() + timeout
    last_sweep = 0.0
    while time.monotonic() < deadline:
        if predicate():
            return
        if time.monotonic() - last_sweep > 1:  # what celery beat does every SHARING_SWEEP_INTERVAL
            sweep_deliveries.apply_async(queue=stack["env"]["SHARING_DELIVERY_QUEUE"])
            last_sweep = time.monotonic()
        time.sleep(0.2)
    log = (stack["tmp"] / "worker.log").read_text()[-4000:]
    states = Counter(Delivery.objects.values_list("status", flat=True))
    raise AssertionError(f"timed out waiting for {what}; deliveries {states}\n{log}")


def test_shares_and_revocations_reach_entitled_endpoints_exactly_once_despite_crashes_and_failures(
    world, eu_agreement, stack
):
    env = stack["env"]
    flaky_all = stack["a"] = Receiver(stack["tmp"], "partner-all", env, fail_rate=0.3)
    flaky_domains = stack["b"] = Receiver(stack["tmp"], "partner-domains", env, fail_rate=0.3)
    outsider_rx = stack["c"] = Receiver(stack["tmp"], "outsider", env, fail_rate=0.0)
    for rx in (flaky_all, flaky_domains, outsider_rx):
        rx.wait_ready()

    def endpoint(side, rx, **filters):
        ep, _ = services.endpoint_create(
            actor=side.admin, agency=side.agency, name=rx.db.stem, url=rx.url, **filters
        )
        ep.secret = rx.secret
        ep.save(update_fields=["secret"])
        return ep

    ep_all = endpoint(world.partner, flaky_all)
    ep_domains = endpoint(world.partner, flaky_domains, types=["domain"])
    ep_outsider = endpoint(world.outsider, outsider_rx)

    values = [("ipv4", f"203.0.113.{n}") for n in range(40)]
    values += [("domain", f"c2-{n}.example") for n in range(20)]
    indicators = add(world.owner, *values, tlp=TLP.GREEN)
    strict = add(world.owner, ("ipv4", "198.51.100.99"), tlp=TLP.AMBER_STRICT)

    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    # The broker loses every message of the share: only the outbox rows and the sweeper remain.
    broker = redis.Redis.from_url(django_settings.REDIS_URL)
    assert broker.llen(stack["env"]["SHARING_DELIVERY_QUEUE"]) > 0
    broker.delete(stack["env"]["SHARING_DELIVERY_QUEUE"])
    worker = _start_worker(stack)
    # SIGKILL the whole worker (pool children included) in the middle of the batch.
    _wait(
        lambda: len(flaky_all.query("SELECT 1 FROM messages")) >= 2, 60, "first deliveries", stack
    )
    assert Delivery.objects.exclude(status="delivered").exists(), "killed too late to matter"
    worker.kill(signal.SIGKILL)
    # Two delivery workers share the queue from now on: still exactly once.
    _start_worker(stack, "one")
    _start_worker(stack, "two")

    def settled() -> bool:
        unsent = Delivery.objects.exclude(status__in=["delivered", "dead"]).exists()
        return not unsent and not OutboxFill.objects.filter(done=False).exists()

    _wait(settled, 90, "all deliveries", stack)

    # Revoke a few, withdraw the share: tombstones for everything delivered.
    for indicator in indicators[:3] + indicators[-2:]:
        services.indicator_revoke(actor=world.owner.investigator, indicator=indicator)
    services.share_withdraw(actor=world.owner.investigator, share=share)
    _wait(settled, 90, "all tombstones", stack)

    assert not Delivery.objects.filter(status="dead").exists()
    # every attempt is on record, including those a killed worker never finished
    for d in Delivery.objects.annotate(logged=Count("attempt_log")):
        assert d.logged == d.attempts, (d.message_id, d.logged, d.attempts)
    assert DeliveryAttempt.objects.exclude(status_code=200).exists()
    assert not Delivery.objects.filter(endpoint=ep_outsider).exists()
    entitled = {
        ep_all.pk: {i.stix_id for i in indicators},
        ep_domains.pk: {i.stix_id for i in indicators if i.type == "domain"},
    }
    for ep, rx in ((ep_all, flaky_all), (ep_domains, flaky_domains)):
        arrived = Counter(rx.query("SELECT stix_id, revoked FROM objects"))
        # every entitled indicator arrived once, and its tombstone once
        assert arrived == Counter({(s, r): 1 for s in entitled[ep.pk] for r in (0, 1)})
        messages = [m for (m,) in rx.query("SELECT webhook_id FROM messages")]
        assert len(messages) == len(set(messages)) == Delivery.objects.filter(endpoint=ep).count()
        assert DeliveryItem.objects.filter(endpoint=ep).count() == 2 * len(entitled[ep.pk])
    # the failure injection really happened: 500s, timeouts and duplicate deliveries
    outcomes = Counter(o for (o,) in flaky_all.query("SELECT outcome FROM requests"))
    outcomes += Counter(o for (o,) in flaky_domains.query("SELECT outcome FROM requests"))
    assert outcomes["simulated 500"] > 0
    assert any("timeout" in o for o in outcomes)
    assert outcomes["duplicate"] + outcomes["duplicate, simulated timeout"] > 0
    assert strict[0].stix_id not in {s for (s,) in flaky_all.query("SELECT stix_id FROM objects")}
    # nothing at all reached the endpoint that was never entitled
    assert outsider_rx.query("SELECT count(*) FROM requests") in ([(0,)], [])
