"""Run a witness of a CyberCoop transparency log once, or make a witness key: a thin wrapper
around the stand-alone ``tools.witness`` (which partner agencies may run without Django)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tools import witness


class Command(BaseCommand):
    help = (
        "Verify the log's latest checkpoint against the last one this witness verified "
        "(--state), cosign it and post the cosignature; or --generate-key NAME. Exit status: "
        "0 cosigned, 1 the log failed verification (ROLLBACK, FORK, bad signature), 2 usage or "
        "network trouble."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        witness.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        status = witness.run(options, stdout=self.stdout, stderr=self.stderr)
        if status:
            raise SystemExit(status)
