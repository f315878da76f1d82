"""Project-wide Celery tasks: the worker heartbeat that /healthz reports."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_KEY = "cybercoop:worker-heartbeat"


@shared_task(name="cybercoop.tasks.ping", ignore_result=True)
def ping(note: str = "") -> str:
    """Record that a worker ran a task and reached the database (beat sends one a minute);
    ``note`` tags a probe. On PostgreSQL ``db`` is the worker's database session, which stays
    the same from task to task while the connection is healthy."""
    beat = {"at": timezone.now().isoformat(), "note": note, "db": _database_session()}
    cache.set(HEARTBEAT_KEY, beat, timeout=None)
    return "pong"


def _database_session() -> int | None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 1")
            return None
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def last_heartbeat() -> dict[str, Any] | None:
    return cache.get(HEARTBEAT_KEY)
