"""Our custom properties travel in a published STIX extension (issue 14 §3): exports pass
``stix2-validator`` in strict mode with no errors and no warnings, ``stix2`` reads them without
``allow_custom``, and legacy top-level ``x_cybercoop_*`` properties are still imported."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
import stix2
from django.urls import reverse
from stix2validator import ValidationOptions, validate_string

from agencies.models import TLP, HandlingCode
from sharing import services as sharing_services
from sharing.models import PAP, Indicator, IndicatorType, StixObject
from sharing.stix import (
    CYBERCOOP_EXTENSION_ID,
    EXTENSION_SCHEMA_PATH,
    PAP_MARKING_IDS,
    PLATFORM_IDENTITY_ID,
    extension_properties,
    extension_schema,
)
from tests.stix_objects import stix_bundle, stix_indicator

EXPORT = "/api/v1/stix/export/"
IMPORT = "/api/v1/stix/bundles/"
pytestmark = pytest.mark.django_db

VALUES = {
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "cidr": "192.0.2.0/24",
    "domain": "xn--bcher-kva.example",
    "url": "https://evil.example/a'b",
    "email": "o'brien@evil.example",
    "md5": "d41d8cd98f00b204e9800998ecf8427e",
    "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "asn": "AS64500",
    "btc": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "eth": "0x52908400098527886e0f7030069857d2e4169ee7",
}
COMPLEX_PATTERN = "[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'evil.example']"
SIGMA = "title: x\nlogsource: {product: windows}\ndetection: {sel: {Image: x.exe}, condition: sel}"


def _strict(text: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) of ``stix2-validator --strict`` on a bundle."""
    results = validate_string(text, ValidationOptions(strict=True, version="2.1"))
    return [str(e) for e in results.errors], [str(w) for w in results.warnings]


def _post(client: Any, *objects: dict[str, Any]) -> dict[str, Any]:
    response = client.post(IMPORT, stix_bundle(*objects), format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def owner(world, api_client_for):
    return api_client_for(world.owner.investigator, world.owner.agency)


@pytest.fixture
def exported(world, add_indicators, owner) -> dict[str, Any]:
    """The owner's export: every indicator type across every TLP, PAP and handling code, one
    with a last sighting, two revoked, and pattern-only ones (a STIX pattern and a rule)."""
    tlps, paps, codes = list(TLP.values), list(PAP.values), list(HandlingCode.values)
    items = [
        {
            "type": type_,
            "value": value,
            "tlp": tlps[n % len(tlps)],
            "pap": paps[n % len(paps)],
            "handling_code": codes[n % len(codes)],
        }
        for n, (type_, value) in enumerate(VALUES.items())
    ]
    items[0] |= {"first_seen": "2026-01-01T00:00:00Z", "last_seen": "2026-02-01T10:00:00.5Z"}
    indicators = add_indicators(world.owner, items)
    for indicator in indicators[:2]:
        sharing_services.indicator_revoke(actor=world.owner.investigator, indicator=indicator)
    legacy = {"x_cybercoop_pap": "RED", "x_cybercoop_handling_code": "H2"}  # an older sender
    report = _post(
        owner,
        stix_indicator(COMPLEX_PATTERN, name="complex", **legacy),
        stix_indicator(SIGMA, pattern_type="sigma", pattern_version="1.0"),
    )
    assert report["counts"]["pattern_only"] == 2, report
    response = owner.get(EXPORT)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_the_export_covers_every_type_tlp_pap_revocation_and_pattern_only_indicators(exported):
    indicators = [o for o in exported["objects"] if o["type"] == "indicator"]
    ours = [extension_properties(o) for o in indicators]
    assert {p.get("indicator_type") for p in ours} >= set(IndicatorType.values)
    assert {p["pap"] for p in ours} == set(PAP.values)
    assert {p["handling_code"] for p in ours} >= set(HandlingCode.values)
    assert sum(p.get("pattern_only", False) for p in ours) == 2
    assert sum(o.get("revoked", False) for o in indicators) == 2
    assert any("last_seen" in p for p in ours)
    markings = {o["name"] for o in exported["objects"] if o["type"] == "marking-definition"}
    assert {f"PAP:{p}" for p in PAP.values} < markings and len(markings) == 9


def test_the_export_passes_strict_validation_with_no_errors_and_no_warnings(exported):
    errors, warnings = _strict(json.dumps(exported))
    assert errors == [], "\n".join(errors)
    assert warnings == [], "\n".join(warnings)


def test_strict_validation_reports_the_legacy_top_level_properties(exported):
    indicator = next(o for o in exported["objects"] if o["type"] == "indicator")
    legacy = {**indicator, "x_cybercoop_pap": "RED"}
    errors, _ = _strict(json.dumps({**exported, "objects": [legacy]}))
    assert any("x_cybercoop_pap" in e for e in errors), errors


def test_the_export_parses_with_stix2_without_allowing_custom_content(exported):
    parsed = stix2.parse(json.dumps(exported), allow_custom=False)
    indicator = next(o for o in parsed.objects if o.type == "indicator")
    assert indicator.extensions[CYBERCOOP_EXTENSION_ID]["extension_type"] == "property-extension"
    assert not [k for o in exported["objects"] for k in o if k.startswith("x_")]


def test_the_bundle_carries_the_extension_definition_and_the_platform_identity(exported):
    by_id = {o["id"]: o for o in exported["objects"]}
    definition = by_id[CYBERCOOP_EXTENSION_ID]
    assert definition["type"] == "extension-definition"
    assert definition["extension_types"] == ["property-extension"]
    assert definition["schema"].endswith(EXTENSION_SCHEMA_PATH) and definition["version"]
    assert definition["created_by_ref"] == PLATFORM_IDENTITY_ID
    assert by_id[PLATFORM_IDENTITY_ID]["type"] == "identity"
    agencies = [o for o in exported["objects"] if o["type"] == "identity"]
    assert {extension_properties(o).get("agency") for o in agencies} == {"DE-BKA", None}


def test_an_export_with_nothing_in_it_has_no_extension_definition(outsider_client):
    objects = json.loads(outsider_client.get(EXPORT).content)["objects"]
    assert not [o for o in objects if o["type"] in ("extension-definition", "identity")]


@pytest.fixture
def outsider_client(world, api_client_for):
    return api_client_for(world.outsider.investigator, world.outsider.agency)


def test_a_legacy_top_level_pap_red_is_still_imported_as_pap_red(world, owner):
    simple = stix_indicator(
        "[ipv4-addr:value = '203.0.113.9']", x_cybercoop_pap="RED", x_cybercoop_type="ipv4"
    )
    complex_ = stix_indicator(COMPLEX_PATTERN, x_cybercoop_pap="red")
    report = _post(owner, simple, complex_)
    assert report["rejected"] == [], report
    assert Indicator.objects.get(stix_uuid=simple["id"][11:]).pap == PAP.RED
    assert StixObject.objects.get(stix_id=complex_["id"]).pap == PAP.RED


def test_the_extension_wins_over_a_legacy_property_and_a_bad_pap_is_rejected_by_name(owner):
    both = stix_indicator(
        "[domain-name:value = 'both.example']",
        x_cybercoop_pap="CLEAR",
        extensions={CYBERCOOP_EXTENSION_ID: {"extension_type": "property-extension", "pap": "RED"}},
    )
    bad = stix_indicator(
        COMPLEX_PATTERN,
        extensions={CYBERCOOP_EXTENSION_ID: {"extension_type": "property-extension", "pap": "X"}},
    )
    report = _post(owner, both, bad)
    assert Indicator.objects.get(stix_uuid=both["id"][11:]).pap == PAP.RED
    (rejected,) = report["rejected"]
    assert rejected["id"] == bad["id"] and rejected["reason"].startswith("pap: 'X'")


def test_a_pap_marking_and_the_extension_s_pap_give_the_more_restrictive(owner):
    def ours(pap: str) -> dict[str, Any]:
        return {CYBERCOOP_EXTENSION_ID: {"extension_type": "property-extension", "pap": pap}}

    marked_amber = [PAP_MARKING_IDS[PAP.AMBER]]
    lower = stix_indicator(
        "[domain-name:value = 'lower.example']",
        object_marking_refs=marked_amber,
        extensions=ours("GREEN"),
    )
    higher = stix_indicator(
        COMPLEX_PATTERN, object_marking_refs=marked_amber, extensions=ours("RED")
    )
    report = _post(owner, lower, higher)
    assert report["rejected"] == [] and report["warnings"] == [], report
    assert Indicator.objects.get(stix_uuid=lower["id"][11:]).pap == PAP.AMBER
    assert StixObject.objects.get(stix_id=higher["id"]).pap == PAP.RED


def test_an_exported_bundle_reimported_by_another_agency_keeps_type_pap_and_handling_code(
    world, exported, api_client_for
):
    """Another agency holds its own copies of the same ids."""
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    report = _post(partner, *exported["objects"])
    assert report["rejected"] == [] and report["warnings"] == [], report
    for sent in (o for o in exported["objects"] if o["type"] == "indicator"):
        ours = extension_properties(sent)
        mine = {"owner": world.partner.agency}
        if ours.get("pattern_only"):
            got: Any = StixObject.objects.get(stix_id=sent["id"], **mine)
        else:
            got = Indicator.objects.get(stix_uuid=sent["id"].split("--")[1], **mine)
            assert got.type == ours["indicator_type"]
            assert got.description == ""  # the export's stand-in description is not kept
        assert got.owner == world.partner.agency
        assert (got.pap, got.handling_code) == (ours["pap"], ours["handling_code"])
    ip = Indicator.objects.get(owner=world.partner.agency, type="ipv4")
    assert ip.last_seen == datetime(2026, 2, 1, 10, 0, 0, 500000, tzinfo=UTC)


def test_the_schema_url_answers_without_login_with_a_schema_of_the_exported_extension(
    client, exported
):
    assert reverse("api_stix_extension_schema") == EXTENSION_SCHEMA_PATH
    response = client.get(EXTENSION_SCHEMA_PATH)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema == extension_schema()
    validator = jsonschema.Draft202012Validator(schema)
    with_extension = [
        o for o in exported["objects"] if CYBERCOOP_EXTENSION_ID in o.get("extensions", {})
    ]
    assert len(with_extension) > len(VALUES)
    for obj in with_extension:
        assert list(validator.iter_errors(obj["extensions"][CYBERCOOP_EXTENSION_ID])) == []
    bad = {"extension_type": "property-extension", "pap": "PURPLE", "x_cybercoop_owner": "x"}
    assert len(list(validator.iter_errors(bad))) == 2


def test_the_pap_marking_definitions_are_plain_statements_with_uuid4_ids(exported):
    paps = [o for o in exported["objects"] if o["id"] in PAP_MARKING_IDS.values()]
    assert len(paps) == 4
    for marking in paps:
        assert marking["definition"] == {"statement": marking["name"]}
        assert not [k for k in marking if k.startswith("x_")]
        assert uuid.UUID(marking["id"].split("--")[1]).version == 4
