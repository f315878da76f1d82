"""Recompute every notice's permission rows (after adding a country or a secretariat)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from notices.models import Notice
from notices.permissions import sync_notice_permissions


class Command(BaseCommand):
    help = "Re-derive notice visibility from each notice's state (idempotent)."

    def handle(self, *args, **options) -> None:
        count = 0
        for notice in Notice.objects.select_related("requesting_agency").iterator(chunk_size=500):
            with transaction.atomic():
                sync_notice_permissions(notice)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-synced {count} notices."))
