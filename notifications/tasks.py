"""Celery tasks of the notification centre: thin wrappers."""

from __future__ import annotations

from celery import shared_task

from notifications import digest


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests() -> int:
    """Mail the daily digests that are due."""
    return digest.digests_send()
