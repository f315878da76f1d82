"""GET /api/v1/stix/export/: a valid STIX 2.1 bundle of what the caller may see."""

from __future__ import annotations

import json

import pytest
from stix2validator import ValidationOptions, validate_instance, validate_string

from interop.stix import identity_id
from sharing.stix import CYBERCOOP_EXTENSION_ID, PAP_MARKING_IDS, TLP2_EXTENSION_ID

URL = "/api/v1/stix/export/"
pytestmark = pytest.mark.django_db

TLP2_IDS = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


@pytest.fixture
def indicators(world, eu_agreement, add_indicators, share_with):
    owned = add_indicators(
        world.owner,
        [
            {"type": "ipv4", "value": "203.0.113.7", "labels": ["c2"], "confidence": 80},
            {"type": "domain", "value": "Evil.Example", "tlp": "GREEN", "pap": "RED"},
            {"type": "sha256", "value": "a" * 64, "tlp": "AMBER+STRICT", "handling_code": "H2"},
            {"type": "url", "value": "https://evil.example/x?y=1", "tlp": "CLEAR"},
            {"type": "email", "value": "boss@evil.example", "tlp": "RED"},
        ],
    )
    share_with(world.owner, owned[:2], [world.partner.agency])
    return owned


def _bundle(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/stix+json")
    return json.loads(response.content)


def test_export_bundle_passes_the_stix2_validator(world, indicators, api_client_for):
    response = api_client_for(world.owner.investigator, world.owner.agency).get(URL)
    text = response.content.decode()
    results = validate_string(text, ValidationOptions(version="2.1"))
    assert results.is_valid, [str(e) for e in results.errors]
    for obj in json.loads(text)["objects"]:
        one = validate_instance(obj, ValidationOptions(version="2.1"))
        assert one.is_valid and not one.errors, (obj["id"], [str(e) for e in one.errors])


def test_indicators_carry_pattern_dates_confidence_labels_creator_and_markings(
    world, indicators, api_client_for
):
    bundle = _bundle(api_client_for(world.owner.investigator, world.owner.agency).get(URL))
    by_id = {o["id"]: o for o in bundle["objects"]}
    ip = by_id[indicators[0].stix_id]
    assert ip["pattern"] == "[ipv4-addr:value = '203.0.113.7']"
    assert ip["pattern_type"] == "stix" and ip["valid_from"] and ip["confidence"] == 80
    assert ip["labels"] == ["c2"]
    assert ip["created_by_ref"] == identity_id("DE-BKA")
    assert by_id[identity_id("DE-BKA")]["type"] == "identity"
    domain = by_id[indicators[1].stix_id]
    assert domain["extensions"][CYBERCOOP_EXTENSION_ID]["pap"] == "RED" and domain["labels"]
    strict = by_id[indicators[2].stix_id]
    assert strict["extensions"][CYBERCOOP_EXTENSION_ID]["handling_code"] == "H2"
    markings = {o["id"]: o for o in bundle["objects"] if o["type"] == "marking-definition"}
    used_paps = {PAP_MARKING_IDS[i.pap] for i in indicators}
    assert set(markings) == TLP2_IDS | used_paps
    for indicator in (o for o in bundle["objects"] if o["type"] == "indicator"):
        tlp_ref, pap_ref = indicator["object_marking_refs"]
        assert tlp_ref in TLP2_IDS and pap_ref in used_paps and tlp_ref in markings
    amber = markings["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]
    assert amber["extensions"][TLP2_EXTENSION_ID] == {
        "extension_type": "property-extension",
        "tlp_2_0": "amber",
    }
    assert amber["name"] == "TLP:AMBER"


def test_partner_gets_only_what_was_shared(world, indicators, api_client_for):
    bundle = _bundle(api_client_for(world.partner.investigator, world.partner.agency).get(URL))
    ids = {o["id"] for o in bundle["objects"] if o["type"] == "indicator"}
    assert ids == {indicators[0].stix_id, indicators[1].stix_id}
    markings = {o["id"] for o in bundle["objects"] if o["type"] == "marking-definition"}
    assert markings == {
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        *(PAP_MARKING_IDS[i.pap] for i in indicators[:2]),
    }


def test_filters_by_type_case_and_date(world, indicators, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    bundle = _bundle(client.get(URL, {"type": "domain"}))
    assert [o["id"] for o in bundle["objects"] if o["type"] == "indicator"] == [
        indicators[1].stix_id
    ]
    bundle = _bundle(client.get(URL, {"since": "2999-01-01T00:00:00Z"}))
    assert [o for o in bundle["objects"] if o["type"] == "indicator"] == []
    bundle = _bundle(client.get(URL, {"until": "2999-01-01T00:00:00Z"}))
    assert len([o for o in bundle["objects"] if o["type"] == "indicator"]) == 5
    bundle = _bundle(client.get(URL, {"case": 999999}))
    assert [o for o in bundle["objects"] if o["type"] == "indicator"] == []


def test_bad_filters_answer_400_naming_the_field(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    assert "type" in client.get(URL, {"type": "nope"}).json()
    assert "since" in client.get(URL, {"since": "yesterday"}).json()
    assert "case" in client.get(URL, {"case": "x"}).json()


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_pattern_only_indicators_export_valid_and_stay_with_their_owner(world, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    complex_pattern = "[ipv4-addr:value = '10.9.9.9'] FOLLOWEDBY [domain-name:value = 'x.example']"
    bundle = {
        "type": "bundle",
        "id": "bundle--0b7c5b7e-9a43-4a35-9c6e-2b7f4f5f0d11",
        "objects": [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": "indicator--5d2a7d4e-3b1f-4c4a-9a5e-6f0e8b1c2d3e",
                "created": "2026-01-01T00:00:00.000Z",
                "modified": "2026-01-01T00:00:00.000Z",
                "pattern": complex_pattern,
                "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z",
                "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
            }
        ],
    }
    assert (
        owner.post("/api/v1/stix/bundles/", bundle, format="json").json()["counts"]["pattern_only"]
        == 1
    )
    response = owner.get(URL, {"type": "pattern"})
    results = validate_string(response.content.decode(), ValidationOptions(version="2.1"))
    assert results.is_valid, [str(e) for e in results.errors]
    (exported,) = [o for o in _bundle(response)["objects"] if o["type"] == "indicator"]
    assert exported["pattern"] == complex_pattern
    assert exported["created_by_ref"] == identity_id("DE-BKA")
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert [o for o in _bundle(partner.get(URL))["objects"] if o["type"] == "indicator"] == []
