"""Verify the audit trail: the hash chain, and the transparency log against every checkpoint
this server signed; exit non-zero naming the first broken event or entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.selectors import verify_chain, verify_log


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"audit chain broken at event {broken.event_id}: {broken.reason}")
        self.stdout.write(f"audit chain intact: {AuditEvent.objects.count()} events")
        log_break, checked = verify_log()
        if log_break is not None:
            raise CommandError(
                f"transparency log broken at entry {log_break.index}: {log_break.reason}"
            )
        if checked:
            self.stdout.write(f"transparency log matches {checked} signed checkpoints")
        else:
            self.stdout.write("no signed checkpoint yet: the log could not be checked against one")
