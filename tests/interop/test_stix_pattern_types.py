"""Pattern types on STIX import: Sigma, YARA, Snort, Suricata and PCRE rules are kept
pattern-only with their pattern_type and served back unchanged; STIX patterns on a
network-traffic end, an e-mail sender or a certificate hash become typed values; a complex STIX
pattern is found by any literal it contains (owner only)."""

from __future__ import annotations

import json
import uuid

import pytest

from interop.models import PatternLiteral
from interop.selectors import collection_id
from interop.services import PATTERN_TYPE_NAMES
from sharing.models import Indicator, StixObject
from tests.stix_objects import stix_indicator

URL = "/api/v1/stix/bundles/"
EXPORT = "/api/v1/stix/export/"
TAXII = "application/taxii+json;version=2.1"
pytestmark = pytest.mark.django_db
RULES = {
    "sigma": "title: x\nlogsource: {product: windows}\ndetection: {sel: {Image: x.exe}, "
    "condition: sel}",
    "yara": 'rule evil { strings: $a = "evil" condition: $a }',
    "snort": 'alert tcp any any -> any 443 (msg:"x"; sid:1000001;)',
    "suricata": 'alert dns any any -> any any (msg:"x"; dns.query; content:"evil"; sid:2;)',
    "pcre": "/evil[0-9]+\\.example/i",
}


def indicator(pattern: str, pattern_type: str = "stix", **extra) -> dict:
    return stix_indicator(pattern, pattern_type=pattern_type, **extra)


def post(client, *objects) -> dict:
    body = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
    response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def owner(world, api_client_for):
    return api_client_for(world.owner.investigator, world.owner.agency)


def test_rules_are_kept_pattern_only_with_their_type_and_exported_unchanged(owner):
    sent = {kind: indicator(rule, kind, pattern_version="1.0") for kind, rule in RULES.items()}
    report = post(owner, *sent.values())
    assert report["counts"]["pattern_only"] == 5 and report["rejected"] == []
    for kind, obj in sent.items():
        stored = StixObject.objects.get(stix_id=obj["id"])
        assert (stored.pattern_type, stored.body["pattern"]) == (kind, RULES[kind])
        assert not PatternLiteral.objects.filter(stix_object=stored).exists()
    exported = json.loads(owner.get(EXPORT, {"type": "pattern"}).content)["objects"]
    by_id = {o["id"]: o for o in exported}
    for kind, obj in sent.items():
        back = by_id[obj["id"]]
        assert (back["pattern"], back["pattern_type"]) == (RULES[kind], kind)
        assert back["pattern_version"] == "1.0"


def test_rules_are_served_back_unchanged_over_taxii_to_their_owner_only(world, key_for, client):
    keys = {side: key_for(getattr(world, side)) for side in ("owner", "partner", "outsider")}
    sent = indicator(RULES["yara"], "yara")
    submissions = collection_id(world.owner.agency, "submissions")
    response = client.post(
        f"/taxii2/cybercoop/collections/{submissions}/objects/",
        json.dumps({"objects": [sent]}),
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        **keys["owner"].bearer,
    )
    assert response.status_code == 202 and response.json()["success_count"] == 1
    for side, key in keys.items():
        shared = collection_id(key.agency, "shared")
        objects = (
            client.get(
                f"/taxii2/cybercoop/collections/{shared}/objects/", HTTP_ACCEPT=TAXII, **key.bearer
            )
            .json()
            .get("objects", [])
        )
        found = [o for o in objects if o["id"] == sent["id"]]
        if side == "owner":
            assert [(o["pattern"], o["pattern_type"]) for o in found] == [(RULES["yara"], "yara")]
        else:
            assert found == []


def test_an_unknown_pattern_type_is_rejected_naming_the_supported_ones(owner):
    sent = indicator("whatever", "splunk")
    report = post(owner, sent)
    assert report["rejected"] == [
        {
            "index": 0,
            "id": sent["id"],
            "reason": f"pattern_type: 'splunk' is not one of {PATTERN_TYPE_NAMES}",
        }
    ]


@pytest.mark.parametrize(
    ("pattern", "type_", "normalized"),
    [
        ("[network-traffic:dst_ref.value = '203.0.113.50']", "ipv4", "203.0.113.50"),
        ("[network-traffic:src_ref.value = '2001:DB8::50']", "ipv6", "2001:db8::50"),
        ("[network-traffic:dst_ref.value = '203.0.113.0/24']", "cidr", "203.0.113.0/24"),
        ("[email-message:from_ref.value = 'Boss@Evil.example']", "email", "boss@evil.example"),
        ("[x509-certificate:hashes.'SHA-256' = '" + "C" * 64 + "']", "sha256", "c" * 64),
        ("[x509-certificate:hashes.'SHA-1' = '" + "D" * 40 + "']", "sha1", "d" * 40),
        ("[x509-certificate:hashes.MD5 = '" + "E" * 32 + "']", "md5", "e" * 32),
    ],
)
def test_single_comparisons_on_related_objects_become_typed_values(
    world, owner, pattern, type_, normalized
):
    report = post(owner, indicator(pattern))
    assert report["counts"]["created"] == 1, report
    stored = Indicator.objects.get(owner=world.owner.agency, normalized=normalized)
    assert stored.type == type_


def test_a_complex_pattern_is_found_by_any_literal_it_contains_by_its_owner_only(
    world, owner, api_client_for
):
    sent = indicator(
        "[file:hashes.'SHA-256' = '" + "F" * 64 + "' AND file:name = 'Dropper.exe'] "
        "FOLLOWEDBY [network-traffic:dst_ref.value = '198.51.100.60' AND "
        "domain-name:value = 'C2.Example']"
    )
    post(owner, sent)
    for literal in ("f" * 64, "F" * 64, "198.51.100.60", "c2.example", "dropper.exe"):
        found = json.loads(owner.get(EXPORT, {"value": literal}).content)["objects"]
        assert [o["id"] for o in found if o["type"] == "indicator"] == [sent["id"]], literal
    nothing = json.loads(owner.get(EXPORT, {"value": "198.51.100.61"}).content)["objects"]
    assert [o for o in nothing if o["type"] == "indicator"] == []
    for side in (world.partner, world.outsider):
        client = api_client_for(side.investigator, side.agency)
        found = json.loads(client.get(EXPORT, {"value": "198.51.100.60"}).content)["objects"]
        assert [o for o in found if o["type"] == "indicator"] == []


def test_the_value_search_finds_typed_indicators_too(world, owner, add_indicators):
    (typed,) = add_indicators(world.owner, [{"type": "domain", "value": "typed.example"}])
    found = json.loads(owner.get(EXPORT, {"value": "TYPED.example"}).content)["objects"]
    assert [o["id"] for o in found if o["type"] == "indicator"] == [typed.stix_id]


def test_an_updated_pattern_replaces_its_literals(owner):
    first = indicator("[ipv4-addr:value = '198.51.100.70'] OR [ipv4-addr:value = '198.51.100.71']")
    post(owner, first)
    newer = {
        **first,
        "modified": "2026-02-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '198.51.100.72'] OR [ipv4-addr:value = '198.51.100.73']",
    }
    post(owner, newer)
    stored = StixObject.objects.get(stix_id=first["id"])
    assert set(stored.literals.values_list("value", flat=True)) == {
        "198.51.100.72",
        "198.51.100.73",
    }
