"""Stored TAXII versions written before our STIX extension existed carry its properties as
top-level ``x_cybercoop_*`` custom properties, which strict validation reports: each such body
is rewritten in the extension form (``sharing.stix.with_extension``, the one definition of it),
batch by batch. Only the body changes: its ``modified`` and the version string TAXII serves
stay as submitted. Nothing to undo: the extension form is what every reader takes."""

from __future__ import annotations

import json
from typing import Any

from django.db import migrations

from sharing.stix import LEGACY_PROPERTIES, with_extension

BATCH = 2000
LEGACY = frozenset(LEGACY_PROPERTIES.values())


def in_extension_form(body: str) -> str | None:
    """``body`` (a serialised STIX object) with its legacy properties moved into our
    extension; ``None`` when it has none."""
    obj = json.loads(body)
    if not isinstance(obj, dict) or LEGACY.isdisjoint(obj):
        return None
    return json.dumps(with_extension(obj, {}))


def to_extension_form(apps: Any, schema_editor: Any) -> None:
    """Rewrite every stored version that has legacy properties, ``BATCH`` rows at a time (read
    with a server-side cursor, written with ``bulk_update``)."""
    ObjectVersion = apps.get_model("interop", "ObjectVersion")
    rows = (
        ObjectVersion.objects.filter(body__contains='"x_cybercoop_')
        .only("pk", "body")
        .order_by("pk")
    )
    batch = []
    for version in rows.iterator(chunk_size=BATCH):
        body = in_extension_form(version.body)
        if body is None:  # the text appears in a value, not as a property
            continue
        version.body = body
        batch.append(version)
        if len(batch) == BATCH:
            ObjectVersion.objects.bulk_update(batch, ["body"])
            batch = []
    if batch:
        ObjectVersion.objects.bulk_update(batch, ["body"])


class Migration(migrations.Migration):
    dependencies = [("interop", "0007_object_versions_partial_indexes")]

    operations = [migrations.RunPython(to_extension_form, migrations.RunPython.noop)]
