"""Sharing settings: Django settings win, else the environment, else safe defaults.

Tests override them with pytest-django's ``settings`` fixture; the worker subprocess
of the integration tests gets them through its environment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from common.env import env, envint, envlist


def _floats(name: str, default: str) -> list[float]:
    return [float(x) for x in envlist(name, default)]


def _defaults() -> dict[str, Any]:
    debug = bool(getattr(settings, "DEBUG", False))
    return {
        # Objects per webhook POST.
        "SHARING_DELIVERY_BATCH_SIZE": envint("SHARING_DELIVERY_BATCH_SIZE", 500),
        # Seconds to wait before attempt 2, 3, ...; the last value repeats up to MAX_ATTEMPTS.
        "SHARING_RETRY_SCHEDULE": _floats("SHARING_RETRY_SCHEDULE", "10,60,300,1800,7200,21600"),
        "SHARING_RETRY_JITTER": float(env("SHARING_RETRY_JITTER", "0.25")),
        "SHARING_MAX_ATTEMPTS": envint("SHARING_MAX_ATTEMPTS", 8),
        "SHARING_RETRY_AFTER_MAX": envint("SHARING_RETRY_AFTER_MAX", 86400),
        "SHARING_DELIVERY_TIMEOUT": float(env("SHARING_DELIVERY_TIMEOUT", "10")),
        # A claimed delivery whose worker vanished is taken back after this many seconds.
        "SHARING_DELIVERY_LEASE": envint("SHARING_DELIVERY_LEASE", 60),
        # The sweeper re-enqueues deliveries due for longer than this (lost messages).
        "SHARING_SWEEP_GRACE": envint("SHARING_SWEEP_GRACE", 120),
        # Networks partner endpoints may resolve to despite the SSRF guard.
        "SHARING_ENDPOINT_ALLOWED_NETWORKS": envlist(
            "SHARING_ENDPOINT_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128" if debug else ""
        ),
        # Queue of the delivery tasks ("" = Celery's default queue).
        "SHARING_DELIVERY_QUEUE": env("SHARING_DELIVERY_QUEUE", "") or "",
        "SHARING_INGEST_MAX_BYTES": envint("SHARING_INGEST_MAX_BYTES", 64 * 1024 * 1024),
        "SHARING_INGEST_MAX_ITEMS": envint("SHARING_INGEST_MAX_ITEMS", 200_000),
    }


_DEFAULTS: dict[str, Any] | None = None


def setting(name: str) -> Any:
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = _defaults()
    return getattr(settings, name, _DEFAULTS[name])
