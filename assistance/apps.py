"""Assistance requests' app config: their audit entries are readable by whoever sees them."""

from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"

    def ready(self) -> None:
        # app registry: selectors import models, which load only after ready()
        from assistance import selectors
        from audit import access

        access.register("assistance.assistancerequest", selectors.requests_visible_to)
