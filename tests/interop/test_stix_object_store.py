"""Issue 14 §1: every STIX 2.1 object is stored as the importing agency's copy, with every
version of its id; references hold before their targets arrive; per-agency copies never
block, overwrite or reveal one another."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from interop.models import ObjectVersion
from sharing.models import Indicator, Match, StixObject, StixReference
from sharing.selectors import stix_references_to
from tests.interop.taxii_http import collection_url, get
from tests.stix_objects import stix_bundle, stix_indicator

pytestmark = pytest.mark.django_db
IMPORT = "/api/v1/stix/bundles/"
CREATED = "2026-01-01T00:00:00.000Z"


def sdo(type_: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "spec_version": "2.1",
        "id": f"{type_}--{uuid.uuid4()}",
        "created": CREATED,
        "modified": extra.pop("modified", CREATED),
        **extra,
    }


def sco(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "spec_version": "2.1", "id": f"{type_}--{uuid.uuid4()}", **extra}


def post(client: Any, *objects: dict[str, Any]) -> dict[str, Any]:
    response = client.post(IMPORT, stix_bundle(*objects), format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def owner(world, api_client_for):
    return api_client_for(world.owner.investigator, world.owner.agency)


@pytest.fixture
def partner(world, api_client_for):
    return api_client_for(world.partner.investigator, world.partner.agency)


def test_every_kind_of_object_is_stored_with_its_references(world, owner):
    malware = sdo("malware", name="Nightjar loader", is_family=True)
    actor = sdo("threat-actor", name="Nightjar crew")
    ip = sco("ipv4-addr", value="198.51.100.60")
    objects = [
        malware,
        actor,
        sdo("intrusion-set", name="Nightjar"),
        sdo("campaign", name="Operation Nightjar"),
        sdo("infrastructure", name="C2"),
        sdo("attack-pattern", name="Spearphishing"),
        sdo("tool", name="cobalt"),
        sdo("vulnerability", name="CVE-2026-0001"),
        sdo("identity", name="A CERT", identity_class="organization"),
        sdo("location", country="NL"),
        sdo(
            "relationship",
            relationship_type="uses",
            source_ref=actor["id"],
            target_ref=malware["id"],
        ),
        sdo("sighting", sighting_of_ref=malware["id"]),
        sdo("report", name="Nightjar", published=CREATED, object_refs=[malware["id"], actor["id"]]),
        sdo("note", content="seen in NL", object_refs=[malware["id"]]),
        sdo(
            "observed-data",
            first_observed=CREATED,
            last_observed=CREATED,
            number_observed=1,
            object_refs=[ip["id"]],
        ),
        ip,
        sco("domain-name", value="nightjar.example"),
        sco("file", hashes={"SHA-256": "a" * 64}),
        stix_indicator("[ipv4-addr:value = '198.51.100.61']"),
    ]
    report = post(owner, *objects)
    assert report["rejected"] == []
    assert report["counts"]["created"] == len(objects)
    stored = StixObject.objects.filter(owner=world.owner.agency)
    assert stored.count() == len(objects) - 1  # the typed indicator is an Indicator
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 1
    assert ObjectVersion.objects.filter(stix_object__in=stored).count() == len(objects) - 1
    references = set(
        StixReference.objects.filter(target=malware["id"]).values_list("source__type", "property")
    )
    assert references == {
        ("relationship", "target_ref"),
        ("sighting", "sighting_of_ref"),
        ("report", "object_refs"),
        ("note", "object_refs"),
    }


def test_a_reference_to_an_unknown_object_is_kept_and_resolves_when_it_arrives(world, owner):
    malware = sdo("malware", name="Later", is_family=False)
    actor = sdo("threat-actor", name="Early")
    uses = sdo(
        "relationship", relationship_type="uses", source_ref=actor["id"], target_ref=malware["id"]
    )
    assert post(owner, actor, uses)["rejected"] == []
    user = world.owner.investigator
    incoming = stix_references_to(user=user, stix_id=malware["id"], agency=world.owner.agency)
    assert [r.source.stix_id for r in incoming] == [uses["id"]]
    post(owner, malware)
    assert StixObject.objects.get(stix_id=malware["id"]).name == "Later"


def test_the_same_id_from_two_agencies_is_two_copies_answered_like_a_new_id(world, owner, partner):
    theirs = sdo("malware", name="owner's view", is_family=True)
    post(owner, theirs)
    copy = {**theirs, "name": "partner's view", "modified": "2026-02-01T00:00:00.000Z"}
    fresh = {**sdo("malware", name="other", is_family=True), "modified": copy["modified"]}
    held, unknown = post(partner, copy), post(partner, fresh)
    assert held["counts"] == unknown["counts"] and held["rejected"] == unknown["rejected"] == []
    names = dict(StixObject.objects.filter(stix_id=theirs["id"]).values_list("owner", "name"))
    assert names == {
        world.owner.agency.pk: "owner's view",
        world.partner.agency.pk: "partner's view",
    }


def test_every_version_in_one_envelope_is_stored_and_the_newest_is_current(world, owner):
    first = sdo("malware", name="v1", is_family=False)
    second = {**first, "name": "v2", "modified": "2026-02-01T00:00:00.000Z"}
    third = {**first, "name": "v3", "modified": "2026-03-01T00:00:00Z", "revoked": True}
    report = post(owner, third, first, second, dict(first))  # out of order, v1 twice
    assert report["rejected"] == []
    assert (report["counts"]["created"], report["counts"]["updated"]) == (1, 2)
    assert report["counts"]["unchanged"] == 1 and report["counts"]["revoked"] == 1
    stored = StixObject.objects.get(stix_id=first["id"])
    assert (stored.name, stored.revoked) == ("v3", True)
    versions = ObjectVersion.objects.filter(stix_object=stored).order_by("modified")
    assert [v.version for v in versions] == [CREATED, second["modified"], third["modified"]]
    assert [v.is_latest for v in versions] == [False, False, True]


def test_a_revocation_sent_with_the_first_version_of_an_indicator_is_kept(world, owner):
    first = stix_indicator("[domain-name:value = 'revoked-at-once.example']")
    revoked = {**first, "modified": "2026-02-01T00:00:00.000Z", "revoked": True}
    report = post(owner, revoked, first)
    assert report["rejected"] == [] and report["counts"]["revoked"] == 1
    indicator = Indicator.objects.get(stix_uuid=first["id"].split("--")[1])
    assert indicator.revoked
    assert ObjectVersion.objects.filter(indicator=indicator).count() == 2


def test_a_newer_version_may_change_the_pattern_and_the_typed_value_follows(world, owner, partner):
    first = stix_indicator("[ipv4-addr:value = '198.51.100.70']")
    post(owner, first)
    post(partner, stix_indicator("[ipv4-addr:value = '198.51.100.71']"))
    newer = {
        **first,
        "modified": "2026-02-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '198.51.100.71']",
    }
    assert post(owner, newer)["counts"]["updated"] == 1
    indicator = Indicator.objects.get(
        owner=world.owner.agency, stix_uuid=first["id"].split("--")[1]
    )
    assert indicator.normalized == "198.51.100.71"
    other = Indicator.objects.get(owner=world.partner.agency)
    assert Match.objects.filter(indicator=indicator, other=other).exists()


def test_a_new_id_for_a_value_already_held_is_stored_under_that_id(world, owner, key_for, client):
    first = stix_indicator("[ipv4-addr:value = '198.51.100.72']")
    second = stix_indicator("[ipv4-addr:value = '198.51.100.72']")
    third = stix_indicator("[ipv4-addr:value = '198.51.100.72']")
    post(owner, first)
    report = post(owner, second, third)
    assert report["rejected"] == [] and report["counts"]["created"] == 2
    key = key_for(world.owner)
    for obj in (first, second, third):
        response = get(client, collection_url(key, "own", f"objects/{obj['id']}/"), key)
        assert response.status_code == 200, obj["id"]
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 1


def test_taxii_version_strings_are_modified_exactly_as_submitted(world, owner, key_for, client):
    spelt = ["2016-04-06T20:03:48Z", "2016-04-06T20:03:49.1Z", "2016-04-06T20:03:50.123456Z"]
    malware = sdo("malware", name="m", is_family=False, modified=spelt[0])
    indicator = stix_indicator("[domain-name:value = 'spelt.example']", modified=spelt[1])
    pattern = stix_indicator(
        "[ipv4-addr:value = '198.51.100.73'] OR [ipv4-addr:value = '198.51.100.74']",
        modified=spelt[2],
    )
    post(owner, malware, indicator, pattern)
    key = key_for(world.owner)
    for obj, version in zip((malware, indicator, pattern), spelt, strict=True):
        versions = get(client, collection_url(key, "own", f"objects/{obj['id']}/versions/"), key)
        assert versions.json()["versions"] == [version]
        body = get(client, collection_url(key, "own", f"objects/{obj['id']}/"), key).json()
        assert body["objects"][0]["modified"] == version


def test_an_invalid_object_is_rejected_naming_the_field(owner):
    bad = [
        sdo("malware", name="no is_family"),
        {
            **sdo("relationship", relationship_type="uses", target_ref=f"tool--{uuid.uuid4()}"),
            "source_ref": "nope",
        },
        {**sdo("report", name="r", object_refs=[]), "published": "yesterday"},
        {**sdo("campaign", name="c"), "spec_version": "2.0"},
        {"type": "Bad Type", "id": "Bad Type--1"},
    ]
    reasons = [r["reason"] for r in post(owner, *bad)["rejected"]]
    assert reasons[0] == "is_family: required of a STIX malware"
    assert reasons[1].startswith("source_ref:")
    assert reasons[2].startswith("published:")
    assert reasons[3] == "spec_version: only STIX 2.1 is supported"
    assert reasons[4].startswith("type:")


def test_another_agencys_object_is_not_in_my_collections_nor_my_references(
    world, owner, partner, key_for, client
):
    secret = sdo("malware", name="secret", is_family=True)
    post(owner, secret)
    mine = sdo(
        "relationship", relationship_type="uses", source_ref=secret["id"], target_ref=secret["id"]
    )
    post(partner, mine)
    key = key_for(world.partner)
    for kind in ("shared", "own"):
        url = collection_url(key, kind, f"objects/{secret['id']}/")
        assert get(client, url, key).status_code == 404
        listed = get(client, collection_url(key, kind), key).json().get("objects", [])
        assert secret["id"] not in json.dumps([o for o in listed if o["id"] != mine["id"]])
    refs = stix_references_to(
        user=world.owner.investigator, stix_id=secret["id"], agency=world.owner.agency
    )
    assert list(refs) == []  # the partner's relationship is the partner's


def test_a_typed_indicator_is_served_with_the_properties_it_came_with(
    world, owner, key_for, client
):
    creator = f"identity--{uuid.uuid4()}"
    sent = stix_indicator(
        "[network-traffic:dst_ref.value = '198.51.100.80']",
        name="HTRAN hop point",
        indicator_types=["malicious-activity"],
        kill_chain_phases=[{"kill_chain_name": "lockheed-martin", "phase_name": "c2"}],
        external_references=[{"source_name": "report", "url": "https://example.org/r"}],
        created_by_ref=creator,
    )
    post(owner, sent)
    assert Indicator.objects.get(owner=world.owner.agency).normalized == "198.51.100.80"
    key = key_for(world.owner)
    (served,) = get(client, collection_url(key, "own", f"objects/{sent['id']}/"), key).json()[
        "objects"
    ]
    for name in ("name", "pattern", "indicator_types", "kill_chain_phases", "created_by_ref"):
        assert served[name] == sent[name], name
    assert served["external_references"] == sent["external_references"]


def test_a_typed_indicator_sent_without_confidence_or_pattern_version_gains_neither(
    world, owner, key_for, client
):
    bare = stix_indicator("[domain-name:value = 'bare.example']")
    full = stix_indicator(
        "[domain-name:value = 'full.example']", confidence=80, pattern_version="2.1"
    )
    post(owner, bare, full)
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 2
    key = key_for(world.owner)

    def served(sent: dict[str, Any]) -> dict[str, Any]:
        url = collection_url(key, "own", f"objects/{sent['id']}/")
        (obj,) = get(client, url, key).json()["objects"]
        return obj

    assert "confidence" not in served(bare) and "pattern_version" not in served(bare)
    assert (served(full)["confidence"], served(full)["pattern_version"]) == (80, "2.1")
    export = owner.get("/api/v1/stix/export/", {"value": "bare.example"})
    assert export.status_code == 200, export.content
    (exported,) = [o for o in export.json()["objects"] if o["id"] == bare["id"]]
    assert "confidence" not in exported and "_absent" not in exported


def test_simple_json_cannot_smuggle_stix_properties_into_what_is_served(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    smuggled = {"stix_id": "x", "object_marking_refs": [], "name": "not mine"}
    item = {"type": "domain", "value": "smuggle.example", "stix_extra": smuggled}
    assert client.post("/api/v1/indicators/", item, format="json").status_code == 201
    indicator = Indicator.objects.get(normalized="smuggle.example")
    assert indicator.stix_extra is None


def test_a_relationship_names_typed_indicators_of_its_own_bundle_and_of_earlier_ones(owner):
    earlier = stix_indicator("[domain-name:value = 'earlier.example']", name="Known C2")
    post(owner, earlier)
    now = stix_indicator("[ipv4-addr:value = '198.51.100.61']")
    named = stix_indicator("[ipv4-addr:value = '198.51.100.62']", name="Named beacon")
    malware = sdo("malware", name="Nightjar loader", is_family=True)
    links = [
        sdo("relationship", relationship_type="indicates", source_ref=i["id"], target_ref=ref)
        for i, ref in ((now, malware["id"]), (named, malware["id"]), (earlier, malware["id"]))
    ]
    post(owner, now, named, malware, *links)
    names = {o.stix_id: o.name for o in StixObject.objects.filter(type="relationship")}
    assert [names[link["id"]] for link in links] == [
        "ipv4:198.51.100.61 indicates Nightjar loader",
        "Named beacon indicates Nightjar loader",
        "Known C2 indicates Nightjar loader",
    ]
