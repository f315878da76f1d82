from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"

    def ready(self) -> None:
        from agencies.access import forget_permissions  # app registry: models load after ready()

        post_migrate.connect(forget_permissions, dispatch_uid="agencies.forget_permissions")
