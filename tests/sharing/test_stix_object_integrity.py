"""A STIX object's owner, creator, owner permission row and references have no database
constraints (they cost a large import's commit): Django still protects and cascades."""

from __future__ import annotations

import uuid

import pytest
from django.db.models import ProtectedError

from interop.services import bundle_import
from sharing.models import StixObject, StixObjectGroupObjectPermission, StixReference


def _import(side) -> StixObject:
    malware = f"malware--{uuid.uuid4()}"
    relationship = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "relationship_type": "uses",
        "source_ref": f"threat-actor--{uuid.uuid4()}",
        "target_ref": malware,
    }
    report = bundle_import(actor=side.investigator, agency=side.agency, objects=[relationship])
    assert report.counts["created"] == 1, report.as_dict()
    return StixObject.objects.get(stix_id=relationship["id"])


def test_deleting_an_object_deletes_its_permission_row_and_references(world):
    stix_object = _import(world.owner)
    assert StixObjectGroupObjectPermission.objects.filter(content_object=stix_object).exists()
    assert StixReference.objects.filter(source=stix_object).count() == 2
    pk = stix_object.pk
    stix_object.delete()
    assert not StixObjectGroupObjectPermission.objects.filter(content_object_id=pk).exists()
    assert not StixReference.objects.filter(source_id=pk).exists()


def test_an_agency_that_owns_objects_cannot_be_deleted(world):
    stix_object = _import(world.owner)
    with pytest.raises(ProtectedError) as refused:
        world.owner.agency.delete()
    assert stix_object in refused.value.protected_objects
