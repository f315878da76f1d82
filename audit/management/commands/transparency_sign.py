"""Sign a checkpoint of the audit log now (the beat task signs every minute when it grew):
print the signed note, or refuse, loudly and with a non-zero exit, when the log does not
extend the last signed checkpoint or no key is configured."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints


class Command(BaseCommand):
    help = "Sign a checkpoint of the audit log now and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            signed = checkpoints.checkpoint_sign()
        except checkpoints.CheckpointRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(signed.note, ending="")
