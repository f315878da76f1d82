"""Notices' app config: audit entries about a notice are readable by whoever may see it."""

from __future__ import annotations

from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"

    def ready(self) -> None:
        # app registry: selectors import models, which load only after ready()
        from audit import access
        from notices.selectors import notices_visible_to

        access.register("notices.notice", notices_visible_to)
