from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"

    def ready(self) -> None:
        # app registry: these import models, which load only after ready()
        from axes.signals import user_locked_out

        from agencies import selectors
        from agencies.access import forget_permissions
        from agencies.lockouts import audit_lockout
        from audit import access

        post_migrate.connect(forget_permissions, dispatch_uid="agencies.forget_permissions")
        user_locked_out.connect(audit_lockout, dispatch_uid="agencies.audit_lockout")
        # Entries about an agency's own administration: its admins read them.
        access.register("agencies.agency", selectors.administered_agencies)
        for object_type, managed in selectors.ADMINISTERED.items():
            access.register(object_type, managed)
