"""Verify the audit log: the entries against the tree stored beside them and against every
checkpoint this server signed; exit non-zero naming the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.selectors import verify_log


class Command(BaseCommand):
    help = "Verify the audit log against its stored tree and its signed checkpoints."

    def handle(self, *args: Any, **options: Any) -> None:
        log_break, checked = verify_log()
        if log_break is not None:
            raise CommandError(
                f"transparency log broken at entry {log_break.index}: {log_break.reason}"
            )
        self.stdout.write(f"audit log intact: {AuditEvent.objects.count()} entries")
        if checked:
            self.stdout.write(f"transparency log matches {checked} signed checkpoints")
        else:
            self.stdout.write("no signed checkpoint yet: the log could not be checked against one")
