"""Project-wide Celery tasks: the worker heartbeat that /healthz reports."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "cybercoop:worker-heartbeat"


@shared_task(name="cybercoop.tasks.ping", ignore_result=True)
def ping(note: str = "") -> str:
    """Record that a worker ran a task (beat sends one a minute); ``note`` tags a probe."""
    cache.set(HEARTBEAT_KEY, {"at": timezone.now().isoformat(), "note": note}, timeout=None)
    return "pong"


def last_heartbeat() -> dict[str, Any] | None:
    return cache.get(HEARTBEAT_KEY)
