from __future__ import annotations

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"

    def ready(self) -> None:
        from cases.signals import jit_circle_changed
        from sharing import correlation  # noqa: F401  app registry (matches new indicators)
        from sharing.services import resync_jit_shares

        jit_circle_changed.connect(resync_jit_shares, dispatch_uid="sharing.resync_jit_shares")
