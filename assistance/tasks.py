"""Celery tasks for assistance requests: thin wrappers over ``assistance.services``."""

from __future__ import annotations

from celery import shared_task

from assistance import notifications, services


@shared_task(name="assistance.expire_preservations", ignore_result=True)
def expire_preservations() -> int:
    """Preservations whose period ended (neither released nor extended) expire."""
    return services.requests_expire()


@shared_task(name="assistance.deadline_reminders", ignore_result=True)
def deadline_reminders() -> int:
    """Remind both sides 48 hours before a deadline and once it has passed."""
    return len(notifications.send_deadline_reminders())
