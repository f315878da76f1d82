"""docker-compose.yml: the production stack is all there, with health checks and environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from celery import current_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def command(service: dict) -> str:
    value = service["command"]
    return value if isinstance(value, str) else " ".join(value)


WORKERS = ["worker", "ingest-worker", "delivery-worker"]


def consumed(service: dict) -> set[str]:
    """The queues a ``celery worker`` service takes (``--queues a,b``)."""
    words = command(service).split()
    return set(words[words.index("--queues") + 1].split(","))


def test_all_seven_services_are_defined(services):
    assert {"db", "redis", "web", *WORKERS, "beat"} <= set(services)


def test_deliveries_ingest_and_periodic_work_each_have_their_own_workers(services):
    assert consumed(services["delivery-worker"]) == {"deliveries"}
    assert consumed(services["ingest-worker"]) == {"ingest"}
    assert consumed(services["worker"]) == {"periodic"}
    for name, host in (("delivery-worker", "deliveries"), ("ingest-worker", "ingest")):
        assert f"--hostname {host}@%h" in command(services[name])
        assert f"{host}@$$HOSTNAME" in " ".join(services[name]["healthcheck"]["test"])


def test_every_queue_a_task_is_routed_to_has_a_worker(services, settings):
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    routed |= {settings.CELERY_TASK_DEFAULT_QUEUE, settings.SHARING_DELIVERY_QUEUE}
    assert routed == {"deliveries", "ingest", "periodic"}
    assert routed <= set().union(*(consumed(services[name]) for name in WORKERS))


def test_deliveries_fills_and_imports_are_routed_away_from_periodic_work():
    router = current_app.amqp.router
    for task, queue in [
        ("sharing.deliver", "deliveries"),
        ("sharing.fill_outbox", "deliveries"),
        ("sharing.announce_indicators", "ingest"),
        ("sharing.tasks.sweep_deliveries", "periodic"),
        ("sharing.sweep_announcements", "periodic"),
        ("audit.sign_checkpoint", "periodic"),
    ]:
        assert router.route({}, task)["queue"].name == queue, task


def test_db_is_postgres_16_and_redis_is_redis(services):
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("web", "gunicorn cybercoop.wsgi:application"),
        ("worker", "celery -A cybercoop worker"),
        ("delivery-worker", "celery -A cybercoop worker"),
        ("ingest-worker", "celery -A cybercoop worker"),
        ("beat", "celery -A cybercoop beat"),
    ],
)
def test_app_services_run_the_right_command(services, name, expected):
    assert expected in command(services[name])


def test_web_migrates_before_serving(services):
    assert command(services["web"]).index("migrate") < command(services["web"]).index("gunicorn")


@pytest.mark.parametrize("name", ["db", "redis", "web", *WORKERS, "beat"])
def test_every_service_has_a_health_check(services, name):
    check = services[name]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) > 1
    assert check["interval"] and check["retries"]


def test_the_web_health_check_hits_healthz_as_real_traffic_would(services):
    probe = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in probe and "ALLOWED_HOSTS" in probe and "X-Forwarded-Proto" in probe


@pytest.mark.parametrize("name", ["web", *WORKERS, "beat"])
def test_app_services_get_production_environment(services, name):
    env = services[name]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert str(env["DEBUG"]) == "0"
    assert env["ALLOWED_HOSTS"] and env["CSRF_TRUSTED_ORIGINS"].startswith("https://")
    assert "SECRET_KEY" in env or "SECRET_KEY_FILE" in env
    assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_db_service_matches_the_apps_database_url(services):
    env = services["db"]["environment"]
    url = services["web"]["environment"]["DATABASE_URL"]
    assert url == (
        f"postgres://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@db:5432/{env['POSTGRES_DB']}"
    )
