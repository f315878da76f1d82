"""``manage.py send_notification_digest``: mail the daily digests that are due now (what the
beat task ``notifications.send_digests`` does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.digest import digests_send


class Command(BaseCommand):
    help = "Mail each opted-in user their unread notifications not mailed yet (once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digests_send()
        self.stdout.write(f"{sent} digest(s) sent.")
