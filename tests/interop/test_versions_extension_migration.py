"""interop's migration 0008: stored TAXII versions from before our STIX extension (top-level
``x_cybercoop_*`` properties) are rewritten in the extension form, batch by batch, so every
served version passes ``stix2-validator --strict``, while the version strings TAXII serves stay
exactly as they were."""

from __future__ import annotations

import importlib
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from stix2validator import ValidationOptions, validate_string

from interop.models import ObjectVersion
from sharing.stix import CYBERCOOP_EXTENSION_ID, LEGACY_PROPERTIES
from tests.interop.object_graph import load, sdo
from tests.interop.taxii_http import collection_url, get

pytestmark = pytest.mark.django_db
migration = importlib.import_module("interop.migrations.0008_versions_in_extension_form")
STRICT = ValidationOptions(strict=True, version="2.1")


def run_migration() -> None:
    """The migration's step with the models as they are at that migration."""
    loader = MigrationLoader(connection)
    state = loader.project_state(("interop", "0008_versions_in_extension_form"))
    migration.to_extension_form(state.apps, None)


def legacy(body: dict[str, Any]) -> dict[str, Any]:
    """A served body as the code before the extension wrote it: our properties top-level."""
    extensions = dict(body.get("extensions", {}))
    ours = extensions.pop(CYBERCOOP_EXTENSION_ID)
    old = {k: v for k, v in body.items() if k != "extensions"}
    old |= {LEGACY_PROPERTIES[k]: v for k, v in ours.items() if k != "extension_type"}
    return old | ({"extensions": extensions} if extensions else {})


def served(client: Any, key: Any, suffix: str, **params: Any) -> dict[str, Any]:
    response = get(client, collection_url(key, "own", suffix), key, limit="100", **params)
    assert response.status_code == 200, response.content
    assert response.json()["more"] is False
    return response.json()


@pytest.fixture
def stored(world, add_indicators, key_for, client):
    """The owner's indicator, a malware in two versions (one without a stored version string,
    as rows before that column) and its identity, every body put back in the legacy form; the
    bodies as served before, by row."""
    add_indicators(world.owner, [{"type": "domain", "value": "legacy.example"}])
    malware = sdo("malware", name="Legacy", is_family=False)
    load(world.owner, malware)
    load(world.owner, {**malware, "modified": "2026-02-01T00:00:00.500Z", "description": "v2"})
    ObjectVersion.objects.filter(stix_id=malware["id"], modified__month=1).update(version="")
    rows = ObjectVersion.objects.filter(owner=world.owner.agency)
    assert {r.object_type for r in rows} == {"indicator", "malware", "identity"}
    assert rows.count() == 4
    current = {r.pk: json.loads(r.body) for r in rows}
    for row in rows:
        row.body = json.dumps(legacy(current[row.pk]))
        row.save(update_fields=["body"])
    return current


def test_every_legacy_version_is_rewritten_in_the_extension_form_and_validates_strictly(
    world, stored, key_for, client, monkeypatch
):
    key = key_for(world.owner)
    versions_before = served(client, key, "manifest/", **{"match[version]": "all"})["objects"]
    before = served(client, key, "objects/", **{"match[version]": "all"})["objects"]
    assert sum("x_cybercoop_pap" in o for o in before) == 3
    untouched = ObjectVersion.objects.exclude(pk__in=stored).values_list("pk", "body")
    others = dict(untouched)
    monkeypatch.setattr(migration, "BATCH", 3)  # 4 rows: a full batch, then a short one

    run_migration()

    rewritten = {r.pk: json.loads(r.body) for r in ObjectVersion.objects.filter(pk__in=stored)}
    assert rewritten == stored
    assert dict(untouched) == others
    after = served(client, key, "objects/", **{"match[version]": "all"})["objects"]
    text = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": after})
    results = validate_string(text, STRICT)
    assert [str(e) for e in results.errors] + [str(w) for w in results.warnings] == []
    assert served(client, key, "manifest/", **{"match[version]": "all"})["objects"] == (
        versions_before
    )


def test_the_migration_leaves_bodies_without_legacy_properties_as_they_are(world, monkeypatch):
    """A body whose text mentions x_cybercoop_ in a value, and one in the extension form,
    are not rewritten; a second run changes nothing."""
    mention = sdo("malware", name='"x_cybercoop_pap" is gone', is_family=False)
    load(world.owner, mention)
    once = dict(ObjectVersion.objects.values_list("pk", "body"))
    assert any('"x_cybercoop_' in body for body in once.values())
    run_migration()
    assert dict(ObjectVersion.objects.values_list("pk", "body")) == once
    (row,) = ObjectVersion.objects.filter(stix_id=mention["id"])
    assert migration.in_extension_form(row.body) is None
