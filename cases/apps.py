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

        access.register("cases.case", selectors.cases_visible_to)
        access.register("cases.jointinvestigationteam", selectors.jits_visible_to)
        access.register("cases.evidence", selectors.evidence_visible_to)
        access.register("cases.task", selectors.tasks_visible_to)
        access.register("cases.note", selectors.notes_visible_to)
