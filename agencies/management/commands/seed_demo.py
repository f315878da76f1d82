"""Seed demo data for every app, idempotently, and print the demo logins."""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand

from agencies import log_demo

# Each app with demo data has a ``demo.seed(stdout)``; order follows the dependency flow. Last,
# the audit log's checkpoint over all of it, witnessed (``agencies.log_demo``).
DEMO_APPS = ["agencies", "cases", "notices", "sharing", "assistance", "interop"]


class Command(BaseCommand):
    help = "Create demo agencies, users and data (safe to run again)."

    def handle(self, *args, **options) -> None:
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.seed(self.stdout)
        log_demo.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
