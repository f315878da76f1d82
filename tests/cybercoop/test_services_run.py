"""The compose services' own commands, run natively: gunicorn, a Celery worker, Celery beat.

Each starts as a subprocess with production settings against the test PostgreSQL database
and a Redis database of its own, and is always stopped in a ``finally``.
"""

from __future__ import annotations

import json
import shelve
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from agencies import services
from cybercoop.celery import app
from cybercoop.tasks import HEARTBEAT_KEY
from tests.cybercoop.procs import (
    compose_command,
    free_port,
    isolated_redis_url,
    production_env,
    replace_option,
    running,
    wait_for,
)

HOST = "cybercoop.example.org"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Host": HOST, **(headers or {})})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_healthz_and_the_api_from_the_test_database(
    transactional_db, world, tmp_path
):
    _, key = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.admin, name="gunicorn"
    )
    port = free_port()
    command = replace_option(compose_command("web"), "--bind", f"127.0.0.1:{port}")
    assert command[0] == "gunicorn"
    env = production_env(ALLOWED_HOSTS=HOST, REDIS_URL=isolated_redis_url())
    log = tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}
    with running(command, env, log) as proc:

        def healthz():
            try:
                return fetch(f"{base}/healthz", https)
            except OSError:
                return None

        status, _, body = wait_for(healthz, timeout=60, proc=proc, log=log)
        assert status == 200, body
        health = json.loads(body)
        assert (health["status"], health["database"], health["broker"]) == ("ok", "ok", "ok")

        # Behind the proxy the API answers from the test database, with the key issued above.
        status, _, body = fetch(
            f"{base}/api/v1/agencies/DE-BKA/members/", {**https, "Authorization": f"Bearer {key}"}
        )
        assert status == 200, body
        assert [m["username"] for m in json.loads(body)["results"]][0] == "owner_admin"

        # Production hardening: plain HTTP is sent to HTTPS (except the probe), HSTS is on,
        # unknown hosts are refused.
        status, headers, _ = fetch(f"{base}/login/")
        assert status == 301 and headers["Location"] == f"https://{HOST}/login/"
        assert fetch(f"{base}/healthz")[0] == 200
        assert "max-age=31536000" in fetch(f"{base}/healthz", https)[1]["Strict-Transport-Security"]
        assert fetch(f"{base}/healthz", {"Host": "evil.example", **https})[0] == 400


def test_a_celery_worker_runs_the_ping_task_through_redis(db, tmp_path):
    url = isolated_redis_url()
    queue, note = f"test-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    command = [
        # One pool process, so both probes below run in the same process.
        *replace_option(
            replace_option(compose_command("worker"), "--queues", queue), "--concurrency", "1"
        ),
        "--hostname",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    assert command[:4] == ["celery", "-A", "cybercoop", "worker"]
    log = tmp_path / "worker.log"
    cache = RedisCache(url, {})
    with running(command, production_env(REDIS_URL=url), log) as proc:
        wait_for(lambda: b" ready." in log.read_bytes(), timeout=60, proc=proc, log=log)
        with app.connection_for_write(url) as connection:
            app.send_task(
                "cybercoop.tasks.ping", kwargs={"note": note}, queue=queue, connection=connection
            )

        def heartbeat():
            value = cache.get(HEARTBEAT_KEY)
            return value if value and value["note"] == note else None

        seen = wait_for(heartbeat, timeout=30, proc=proc, log=log)
        assert seen["at"]
        assert b"cybercoop.tasks.ping" in log.read_bytes()
        assert b"succeeded" in log.read_bytes() and b"'pong'" in log.read_bytes()
        # A second task runs on the same database session: the worker kept its connection.
        note = uuid.uuid4().hex
        with app.connection_for_write(url) as connection:
            app.send_task(
                "cybercoop.tasks.ping", kwargs={"note": note}, queue=queue, connection=connection
            )
        again = wait_for(heartbeat, timeout=30, proc=proc, log=log)
        assert again["db"] == seen["db"] and isinstance(seen["db"], int)


def test_celery_beat_starts_and_writes_its_schedule(db, tmp_path):
    schedule = tmp_path / "celerybeat-schedule"
    command = replace_option(compose_command("beat"), "--schedule", str(schedule))
    assert command[:4] == ["celery", "-A", "cybercoop", "beat"]
    log = tmp_path / "beat.log"
    with running(command, production_env(REDIS_URL=isolated_redis_url()), log) as proc:
        wait_for(
            lambda: list(tmp_path.glob("celerybeat-schedule*")), timeout=60, proc=proc, log=log
        )
        wait_for(lambda: b"beat: Starting..." in log.read_bytes(), timeout=30, proc=proc, log=log)
    # Stopped gracefully, beat has synced its entries, including the worker heartbeat.
    with shelve.open(str(schedule), flag="r") as store:
        assert "worker-heartbeat" in store["entries"]
        assert store["entries"]["worker-heartbeat"].task == "cybercoop.tasks.ping"


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_commands_exist_in_the_virtualenv(service):
    from tests.cybercoop.procs import BIN

    assert (BIN / compose_command(service)[0]).exists()
