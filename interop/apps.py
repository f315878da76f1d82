"""App config: interop listens to sharing's indicator writes once the registry is ready, and
gives sharing's webhook pushes its STIX object serialiser (the body TAXII serves)."""

from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "STIX/TAXII interop"

    def ready(self) -> None:
        from interop import receivers  # app registry (connects to sharing's signals)
        from sharing import delivery

        delivery.register_object_serializer(receivers.delivery_body)
