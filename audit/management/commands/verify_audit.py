"""Verify the audit hash chain; exit non-zero naming the first broken event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"audit chain broken at event {broken.event_id}: {broken.reason}")
        self.stdout.write(f"audit chain intact: {AuditEvent.objects.count()} events")
