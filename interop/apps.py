"""App config: interop listens to sharing's indicator writes once the registry is ready."""

from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "STIX/TAXII interop"

    def ready(self) -> None:
        from interop import receivers  # noqa: F401  app registry (connects to sharing's signal)
