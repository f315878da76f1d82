"""The Celery application; tasks are discovered in each app's ``tasks.py``."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercoop.settings")

app = Celery("cybercoop", include=["cybercoop.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def recycle_connections(sender: Any = None, **kwargs: Any) -> None:
    """Around each task, as around each request: drop only the database connections that are
    broken or past ``CONN_MAX_AGE``; healthy ones serve the next task. Not for an eager task:
    it runs inside its caller's transaction."""
    from django.db import close_old_connections

    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
