"""Verify the audit log: the entries against the tree stored beside them, against every
checkpoint this server signed (cosigned by witnesses or not) and against checkpoints a partner
kept (``--checkpoint``); exit non-zero naming the first broken entry."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent, SignedCheckpoint
from audit.selectors import verify_log
from tools.verify_log import VerificationError


class Command(BaseCommand):
    help = "Verify the audit log against its stored tree and its signed checkpoints."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="NOTE_FILE",
            help="A signed checkpoint kept outside this server (a witness's, a receipt's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            held = [Path(name).read_text(encoding="utf-8") for name in options["checkpoint"]]
            log_break, checked = verify_log(held)
        except (OSError, VerificationError) as error:
            raise CommandError(f"cannot use that checkpoint: {error}") from None
        if log_break is not None:
            raise CommandError(
                f"transparency log broken at entry {log_break.index}: {log_break.reason}"
            )
        self.stdout.write(f"audit log intact: {AuditEvent.objects.count()} entries")
        if not checked:
            self.stdout.write("no signed checkpoint yet: the log could not be checked against one")
            return
        cosigned = SignedCheckpoint.objects.filter(cosignatures__isnull=False).distinct().count()
        self.stdout.write(
            f"transparency log matches {checked} signed checkpoints "
            f"({cosigned} stored ones cosigned by witnesses)"
        )
