"""Write TAXII object versions for indicators that have none (e.g. written before interop)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from interop.versions import versions_backfill


class Command(BaseCommand):
    help = "Backfill TAXII object versions for indicators that predate the interop app."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{versions_backfill()} versions written.")
