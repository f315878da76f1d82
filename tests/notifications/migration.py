"""Running a move-to-the-centre data migration against rows of the old table: the old model
rebuilt from the migration history, its table created inside the test's transaction."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.migrations.loader import MigrationLoader


def old_notifications(app: str, before: str) -> tuple[Any, Callable[[], None]]:
    """The old ``<app>.Notification`` model as it was at migration ``before`` (its table made
    now) and a callable that runs ``<app>``'s move migration's copy step."""
    loader = MigrationLoader(connection)
    state = loader.project_state([(app, before), ("notifications", "0001_initial")])
    old = state.apps.get_model(app, "Notification")
    with connection.schema_editor() as editor:
        editor.create_model(old)
    module = importlib.import_module(f"{app}.migrations.{_move_migration(loader, app)}")
    return old, lambda: module.copy(state.apps, None)


def _move_migration(loader: MigrationLoader, app: str) -> str:
    (name,) = [n for a, n in loader.disk_migrations if a == app and "notifications_to_the" in n]
    return name
