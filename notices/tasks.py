"""Celery tasks for notices: the periodic expiry sweep (thin: parse, call the services)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from notices import expiry


@shared_task(name="notices.expiry_sweep", acks_late=True)
def notices_expiry_sweep(now: str | None = None) -> dict[str, list[int]]:
    """Send six-month reminders and expire overdue notices. ``now`` (ISO 8601) is for tests."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return {
        "reminded": expiry.notices_send_expiry_reminders(now=moment),
        "expired": expiry.notices_expire_due(now=moment),
    }
