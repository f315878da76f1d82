"""Assistance requests' app config: their audit entries and notifications are readable by
whoever sees them."""

from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"

    def ready(self) -> None:
        # app registry: selectors import models, which load only after ready()
        from assistance import selectors
        from audit import access
        from notifications import access as notification_access

        access.register("assistance.assistancerequest", selectors.requests_visible_to)
        notification_access.register("assistance.assistancerequest", selectors.requests_visible_to)
