"""Sharing's app config: JIT shares follow the JIT's circle (``jit_circle_changed``)."""

from __future__ import annotations

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"

    def ready(self) -> None:
        from cases.signals import jit_circle_changed  # app registry
        from sharing.services import resync_jit_shares  # app registry

        jit_circle_changed.connect(resync_jit_shares, dispatch_uid="sharing.resync_jit_shares")
