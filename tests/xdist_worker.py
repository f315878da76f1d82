"""Each pytest-xdist worker gets Redis databases and a media folder of its own, as it gets its
own test database (pytest-django suffixes its name with the worker's id).

``tests/conftest.py`` calls ``isolate_worker()`` when it is imported: after Django is set up,
before any test runs or any cache or broker connection is made. The cache, the broker of the
tests that start a real Celery worker, the broker tests' own database
(``TEST_CELERY_REDIS_DB``) and the stored files are then never shared by two workers at once.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.test import override_settings

REDIS_DATABASES = 16


def worker_redis_url(url: str, worker: int) -> str:
    """``url`` moved ``worker`` databases up (wrapping at Redis's default 16)."""
    base, _, db = url.rpartition("/")
    return f"{base}/{(int(db or 0) + worker) % REDIS_DATABASES}"


def isolate_worker() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    number = int(worker.removeprefix("gw"))
    isolated = int(os.environ.get("TEST_CELERY_REDIS_DB", "15"))
    os.environ["TEST_CELERY_REDIS_DB"] = str((isolated - number) % REDIS_DATABASES)
    overrides: dict[str, Any] = {"MEDIA_ROOT": f"{settings.MEDIA_ROOT}-{worker}"}
    if url := os.environ.get("REDIS_URL"):
        url = os.environ["REDIS_URL"] = worker_redis_url(url, number)
        overrides |= {
            "REDIS_URL": url,
            "CELERY_BROKER_URL": url,
            "CACHES": {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": url,
                }
            },
        }
        from cybercoop.celery import app

        app.conf.broker_url = url
    # For the whole session: the setting_changed signal resets Django's cache handler.
    override_settings(**overrides).enable()
