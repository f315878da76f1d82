"""Cases' app config: audit entries about cases, JITs, evidence, tasks and notes are readable
by whoever may see those objects."""

from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        # app registry: selectors import models, which load only after ready()
        from audit import access
        from cases import selectors
        from notifications import access as notification_access

        access.register("cases.case", selectors.cases_visible_to)
        access.register("cases.jointinvestigationteam", selectors.jits_visible_to)
        access.register("cases.evidence", selectors.evidence_visible_to)
        access.register("cases.task", selectors.tasks_visible_to)
        access.register("cases.note", selectors.notes_visible_to)
        # The admins of an invited agency read the notification of its invitation.
        notification_access.register(
            "cases.jitmembership", selectors.jit_memberships_administered_by
        )
