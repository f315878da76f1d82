"""POST /api/v1/stix/bundles/: typed values, pattern-only, TLP 1 and 2, idempotency,
updates, revocation, and a report naming every rejected object."""

from __future__ import annotations

import uuid

import pytest
import stix2

from interop.models import ObjectVersion
from sharing.models import Indicator, StixObject

URL = "/api/v1/stix/bundles/"
pytestmark = pytest.mark.django_db
TLP2_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def indicator(pattern: str, **extra) -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": extra.pop("id", f"indicator--{uuid.uuid4()}"),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": extra.pop("modified", "2026-01-01T00:00:00.000Z"),
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        **extra,
    }


def bundle(*objects) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}


def test_import_maps_values_patterns_markings_and_reports_rejects(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    body = bundle(
        indicator("[ipv4-addr:value = '198.51.100.1']", object_marking_refs=[stix2.TLP_GREEN.id]),
        indicator("[domain-name:value = 'Bad.Example']", object_marking_refs=[TLP2_RED]),
        indicator(
            "[file:hashes.'SHA-256' = '" + "b" * 64 + "'] AND [ipv4-addr:value = '10.0.0.1']",
            object_marking_refs=[stix2.TLP_AMBER.id],
        ),
        {"type": "malware", "id": f"malware--{uuid.uuid4()}", "name": "x"},
        indicator("[ipv4-addr:value = '999.1.1.1']"),
        indicator("[this is not a pattern"),
        json_identity := {
            "type": "identity",
            "spec_version": "2.1",
            "id": f"identity--{uuid.uuid4()}",
            "created": "2026-01-01T00:00:00Z",
            "modified": "2026-01-01T00:00:00Z",
            "name": "x",
        },
        "not an object",
    )
    assert json_identity
    response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["counts"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "revoked": 0,
        "pattern_only": 1,
        "rejected": 4,
    }
    rejected = {r["index"]: r for r in report["rejected"]}
    assert set(rejected) == {3, 4, 5, 7}
    assert rejected[3]["id"].startswith("malware--")
    assert rejected[3]["reason"] == "spec_version: required of a STIX malware"
    assert rejected[4]["reason"].startswith("value:") and "999.1.1.1" in rejected[4]["reason"]
    assert rejected[5]["reason"].startswith("pattern:")
    assert rejected[7]["id"] is None
    ip = Indicator.objects.get(normalized="198.51.100.1")
    assert (ip.type, ip.tlp, ip.owner) == ("ipv4", "GREEN", world.owner.agency)
    domain = Indicator.objects.get(type="domain")
    assert (domain.normalized, domain.tlp) == ("bad.example", "RED")
    pattern = StixObject.objects.get(type="indicator")
    assert pattern.tlp == "AMBER" and "AND" in pattern.body["pattern"]
    assert ObjectVersion.objects.filter(stix_object=pattern).count() == 1
    assert StixObject.objects.get(type="identity").stix_id == json_identity["id"]


def test_import_is_idempotent_on_id_and_modified_and_newer_updates_or_revokes(
    world, api_client_for
):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    first = indicator("[ipv4-addr:value = '198.51.100.2']", confidence=40)
    complex_ = indicator("[ipv4-addr:value = '10.0.0.1'] OR [ipv4-addr:value = '10.0.0.2']")
    assert client.post(URL, bundle(first, complex_), format="json").json()["counts"]["created"] == 1
    again = client.post(URL, bundle(first, complex_), format="json").json()
    assert again["counts"]["unchanged"] == 2 and again["counts"]["created"] == 0
    newer = {**first, "modified": "2026-02-01T00:00:00.000Z", "confidence": 90}
    assert client.post(URL, bundle(newer), format="json").json()["counts"]["updated"] == 1
    assert Indicator.objects.get(stix_uuid=first["id"].split("--")[1]).confidence == 90
    older = {**first, "modified": "2025-12-01T00:00:00.000Z", "confidence": 10}
    assert client.post(URL, bundle(older), format="json").json()["counts"]["unchanged"] == 1
    revoked = {**first, "modified": "2026-03-01T00:00:00.000Z", "revoked": True}
    report = client.post(URL, bundle(revoked), format="json").json()
    assert report["counts"]["updated"] == 1 and report["counts"]["revoked"] == 1
    stored = Indicator.objects.get(stix_uuid=first["id"].split("--")[1])
    assert stored.revoked and stored.confidence == 40  # a STIX update replaces the object
    versions = ObjectVersion.objects.filter(indicator=stored).order_by("modified")
    assert [v.is_latest for v in versions] == [False, False, True]
    complex_newer = {**complex_, "modified": "2026-02-01T00:00:00.000Z", "revoked": True}
    report = client.post(URL, bundle(complex_newer), format="json").json()
    assert report["counts"]["updated"] == 1 and report["counts"]["revoked"] == 1
    assert StixObject.objects.get().revoked


def test_bundle_defined_tlp1_markings_are_understood(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    custom = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "definition": {"tlp": "red"},
    }
    item = indicator("[domain-name:value = 'red.example']", object_marking_refs=[custom["id"]])
    assert client.post(URL, bundle(custom, item), format="json").status_code == 200
    assert Indicator.objects.get(normalized="red.example").tlp == "RED"


def test_an_id_another_agency_holds_becomes_a_copy_of_its_own_answered_as_a_new_id(
    world, api_client_for
):
    item = indicator("[ipv4-addr:value = '198.51.100.3']", confidence=20)
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    owner.post(URL, bundle(item), format="json")
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    newer = {**item, "modified": "2026-05-01T00:00:00Z", "confidence": 90}
    fresh = indicator("[ipv4-addr:value = '198.51.100.4']", modified="2026-05-01T00:00:00Z")
    held, unknown = (partner.post(URL, bundle(o), format="json").json() for o in (newer, fresh))
    assert held == unknown
    assert held["counts"]["created"] == 1 and held["rejected"] == []
    copies = Indicator.objects.filter(stix_uuid=item["id"].split("--")[1])
    assert {(i.owner, i.confidence) for i in copies} == {
        (world.owner.agency, 20),
        (world.partner.agency, 90),
    }


def test_not_a_bundle_is_400_naming_the_field(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    assert "type" in client.post(URL, {"objects": []}, format="json").json()
    assert "objects" in client.post(URL, {"type": "bundle", "objects": 3}, format="json").json()


def test_outsider_imports_only_as_itself_and_anonymous_is_refused(world, api_client_for, client):
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    item = indicator("[ipv4-addr:value = '198.51.100.9']")
    assert outsider.post(URL, bundle(item), format="json").json()["counts"]["created"] == 1
    assert Indicator.objects.get(normalized="198.51.100.9").owner == world.outsider.agency
    assert client.post(URL, bundle(item), content_type="application/json").status_code in (401, 403)
