"""/healthz: database, broker and worker status, for probes and people."""

from __future__ import annotations

import pytest

from cybercoop.tasks import HEARTBEAT_KEY, ping


def test_healthz_is_public_json_and_never_cached(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_a_broker_that_does_not_answer_makes_healthz_503(db, client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert body["worker"] == "unknown"


def test_without_redis_tasks_run_eagerly_and_healthz_says_so(db, client, settings):
    settings.REDIS_URL = None
    body = client.get("/healthz").json()
    assert (body["status"], body["broker"], body["worker"]) == ("ok", "eager", "eager")


def test_the_ping_task_records_the_worker_heartbeat_that_healthz_reports(db, client):
    from django.core.cache import cache

    cache.delete(HEARTBEAT_KEY)
    assert client.get("/healthz").json()["worker"] == "not seen yet"
    assert ping("probe") == "pong"
    body = client.get("/healthz").json()
    assert body["worker"].startswith("last seen 20")
    assert cache.get(HEARTBEAT_KEY)["note"] == "probe"


def test_the_heartbeat_is_scheduled_for_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == ping.name == "cybercoop.tasks.ping"
    assert entry["schedule"] <= 300


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_does_not_500_on_other_methods(db, client, method):
    assert getattr(client, method)("/healthz").status_code < 500
