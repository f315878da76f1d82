"""The MISP feed (/api/v1/misp/feed/): manifest, events and hashes.csv of what the caller may
see, every STIX object type as its MISP construct, grouped per owning agency and day; MISP
(PyMISP) reads every event. misp-stix runs per request, so each test imports once and asks
several things of one conversion."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from pymisp import MISPEvent

from interop import misp
from interop.misp_feed import UNCONVERTED, event_uuid
from interop.services import bundle_import
from sharing import services as sharing_services
from sharing.legal import ShareSpec
from sharing.models import Indicator, StixObject
from tests.interop import misp_data as data
from tests.interop.misp_data import event, feed_events, misp_stix_objects

FEED = "/api/v1/misp/feed/"
pytestmark = pytest.mark.django_db
SECRET = "operation-nightjar"


def import_events(side, events) -> None:
    misp.misp_events_import(actor=side.investigator, agency=side.agency, events=events)


def import_families(side) -> None:
    report = bundle_import(actor=side.investigator, agency=side.agency, objects=data.FAMILIES)
    assert not report.rejected, report.rejected


def values(feed_event: dict) -> set[str]:
    event = feed_event["Event"]
    attributes = [*event.get("Attribute", [])]
    for obj in event.get("Object", []):
        attributes += obj["Attribute"]
    return {a["value"] for a in attributes}


def uuid_of(obj: dict) -> str:
    return obj["id"].partition("--")[2]


def clusters(feed_event: dict) -> dict[str, str]:
    """Galaxy cluster value → galaxy type, of the event and its attributes."""
    event = feed_event["Event"]
    galaxies = [*event.get("Galaxy", [])]
    for attribute in event.get("Attribute", []):
        galaxies += attribute.get("Galaxy", [])
    return {c["value"]: g["type"] for g in galaxies for c in g["GalaxyCluster"]}


def types(agency) -> Counter[str]:
    """How many objects of each STIX type the agency holds (typed indicators included)."""
    kinds = Counter(StixObject.objects.filter(owner=agency).values_list("type", flat=True))
    kinds["indicator"] += Indicator.objects.filter(owner=agency).count()
    return kinds


def test_the_owners_feed_lists_one_event_per_day_with_tlp_tags(world, api_client_for):
    import_events(world.owner, [event(), feed_events()[0]])
    client = api_client_for(world.owner.investigator, world.owner.agency)
    manifest = client.get(FEED + "manifest.json").json()
    days = {"2020-10-25", "2025-11-30"}  # the objects' (the MISP attributes' timestamps)
    assert set(manifest) >= {event_uuid(world.owner.agency.code, day) for day in days}
    bodies = {}
    for key, entry in manifest.items():
        assert set(entry) == {
            "info", "date", "analysis", "threat_level_id", "timestamp", "Orgc", "Tag"
        }  # fmt: skip
        response = client.get(FEED + f"{key}.json")
        assert response.status_code == 200
        bodies[key] = response.json()
        loaded = MISPEvent()
        loaded.load(json.loads(response.content))  # load() consumes what it reads
        assert loaded.uuid == key and loaded.info == entry["info"]
        assert int(loaded.timestamp.timestamp()) == entry["timestamp"]
        assert loaded.Orgc.uuid == entry["Orgc"]["uuid"]
    old_key = event_uuid(world.owner.agency.code, "2020-10-25")
    old = bodies[old_key]
    assert {"198.51.100.10", "phish.example.com", "cdn.phish.example.com"} <= values(old)
    # attributes carry their TLP, the event its strictest
    assert manifest[old_key]["Tag"][0]["name"] == "tlp:amber+strict"
    attributes = [*old["Event"]["Attribute"]]
    attributes += [a for o in old["Event"]["Object"] for a in o["Attribute"]]
    tags = {a["value"]: {t["name"] for t in a.get("Tag", [])} for a in attributes}
    assert {"tlp:amber+strict", "PAP:AMBER"} <= tags["198.51.100.10"]
    assert "tlp:green" in tags["phish.example.com"]
    assert "tlp:clear" in tags["ec5aedf5ecc6bdadd4120932170d1b10f6cfa175cfda22951dfd882928ab279b"]
    # the MISP event's threat actor and malware galaxies come back as galaxies
    assert {"Cutting Kitten", "BISCUIT"} <= set(clusters(old)) | values(old)


def test_each_type_family_appears_as_its_misp_construct_and_comes_back_through_misp_import(
    world, api_client_for
):
    import_families(world.owner)
    client = api_client_for(world.owner.investigator, world.owner.agency)
    key = event_uuid(world.owner.agency.code, data.DAY)
    assert list(client.get(FEED + "manifest.json").json()) == [key]
    feed_event = client.get(FEED + f"{key}.json").json()
    body = feed_event["Event"]
    attributes = {a["uuid"]: a for a in body["Attribute"]}
    # an indicator: an attribute of its value, with the malware it indicates as a galaxy, its
    # sighting (where: the identity) and the note about it (MISP analyst data)
    indicator = attributes[uuid_of(data.INDICATOR)]
    assert (indicator["type"], indicator["value"]) == ("domain", "c2.nightjar.example")
    assert indicator["to_ids"] is True
    (galaxy,) = indicator["Galaxy"]
    assert galaxy["GalaxyCluster"][0]["value"] == "NIGHTJAR loader"
    (sighting,) = indicator["Sighting"]
    assert sighting["Organisation"]["name"] == "Acme Bank"
    assert [n["note"] for n in indicator["Note"]] == [data.NOTE["content"]]
    # SDOs misp-stix maps to galaxies: one cluster each, in the galaxy of its STIX type
    found = clusters(feed_event)
    for kind, sdo in data.GALAXIES.items():
        assert found[sdo["name"]] == f"stix-2.1-{kind}"
    # observables of an observed-data: attributes with their own uuids; an identity: an object
    assert attributes[uuid_of(data.DOMAIN)]["value"] == "relay.nightjar.example"
    assert attributes[uuid_of(data.ADDRESS)]["value"] == "198.51.100.77"
    objects = {o["uuid"]: o for o in body["Object"]}
    assert objects[uuid_of(data.IDENTITY)]["name"] == "organization"
    # reports and groupings: event reports naming what they refer to
    reports = {r["uuid"]: r for r in body["EventReport"]}
    assert reports[uuid_of(data.REPORT)]["name"] == "Nightjar weekly"
    assert data.MALWARE["id"] in reports[uuid_of(data.REPORT)]["content"]
    assert "suspicious-activity" in reports[uuid_of(data.GROUPING)]["content"]
    # what misp-stix does not convert is never dropped: the STIX object as JSON, its uuid kept
    for kept in (data.INFRASTRUCTURE, data.OPINION, data.USES, data.BROKEN):
        attribute = attributes[uuid_of(kept)]
        assert attribute["type"] == "text"
        assert attribute["comment"] == UNCONVERTED.format(kind=kept["type"])
        assert json.loads(attribute["value"])["id"] == kept["id"]
    # hashes.csv covers the event's values
    hashes = client.get(FEED + "hashes.csv").content.decode()
    assert f"{hashlib.md5(b'c2.nightjar.example').hexdigest()},{key}" in hashes.split()
    # the round trip: the feed event imported into another agency gives the same objects
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    response = partner.post("/api/v1/misp/events/", feed_event, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["rejected"] == 0
    before, after = types(world.owner.agency), types(world.partner.agency)
    same = {*data.GALAXIES, "indicator", "malware", "sighting", "opinion", "infrastructure"}
    same |= {"ipv4-addr"}
    assert {kind: after[kind] for kind in same} == {kind: before[kind] for kind in same}
    # MISP has no STIX report or grouping in an event: their event reports come back as notes
    assert after["note"] == before["note"] + before["report"] + before["grouping"]
    # relationships misp-stix did not convert come back as they were
    relationships = StixObject.objects.filter(owner=world.partner.agency, type="relationship")
    assert {data.USES["id"], data.SECRET_USES["id"]} <= set(
        relationships.values_list("stix_id", flat=True)
    )


def test_a_partner_gets_only_what_is_shared_and_an_outsider_nothing(
    world, eu_agreement, api_client_for
):
    import_families(world.owner)
    owned = {o.stix_id: o for o in StixObject.objects.filter(owner=world.owner.agency)}
    (indicator,) = Indicator.objects.filter(owner=world.owner.agency)
    shared = [data.MALWARE, data.INDICATES, data.SECRET_USES, data.TO_SECRET, data.REPORT]
    shared += [data.NOTE]
    shared += [data.SIGHTING, data.OPINION, data.INFRASTRUCTURE]
    spec = ShareSpec(agencies=[world.partner.agency])
    objects = [owned[o["id"]] for o in shared]
    sharing_services.stix_objects_share(actor=world.owner.investigator, objects=objects, spec=spec)
    sharing_services.indicator_share(
        actor=world.owner.investigator, indicators=[indicator], spec=spec
    )
    sharing_services.stix_object_revoke(
        actor=world.owner.investigator, stix_object=owned[data.INFRASTRUCTURE["id"]]
    )
    key = event_uuid(world.owner.agency.code, data.DAY)
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    manifest = partner.get(FEED + "manifest.json")
    assert list(manifest.json()) == [key]
    response = partner.get(FEED + f"{key}.json")
    hashes = partner.get(FEED + "hashes.csv").content.decode()
    feed_event = response.json()
    body = feed_event["Event"]
    attributes = {a["uuid"]: a for a in body["Attribute"]}
    assert attributes[uuid_of(data.INDICATOR)]["Galaxy"][0]["GalaxyCluster"][0]["value"] == (
        "NIGHTJAR loader"
    )
    # the report keeps the references the partner may follow, and only those
    (report,) = body["EventReport"]
    assert report["content"].count("\n- ") == 2
    # nothing of what the partner may not see: not the actor's uuid or name, not the
    # relationships from and to it (shared, but one end is not), not the revoked infrastructure
    text = manifest.content.decode() + response.content.decode() + hashes
    hiddens = (data.SECRET_ACTOR, data.THREAT_ACTOR, data.SECRET_USES, data.USES, data.TO_SECRET)
    for hidden in hiddens:
        assert uuid_of(hidden) not in text
    for name in (data.SECRET_ACTOR["name"], data.THREAT_ACTOR["name"], "Nightjar relay"):
        assert name not in text
    assert hashlib.md5(b"relay.nightjar.example").hexdigest() not in hashes
    assert "Acme Bank" not in text  # the sighting's place is not shared: it goes
    # an outsider sees no event, and a hidden one looks like a missing one
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert outsider.get(FEED + "manifest.json").json() == {}
    assert outsider.get(FEED + "hashes.csv").content == b""
    hidden = outsider.get(FEED + f"{key}.json")
    missing = outsider.get(FEED + f"{event_uuid('XX-NONE', data.DAY)}.json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert outsider.get(FEED + "not-a-uuid.json").status_code == 404


def test_a_misp_stix_bundle_round_trips_through_import_and_feed(world, api_client_for):
    objects = misp_stix_objects(event())
    client = api_client_for(world.owner.investigator, world.owner.agency)
    bundle = {"type": "bundle", "id": "bundle--" + "0" * 8 + "-0000-4000-8000-" + "0" * 12}
    response = client.post("/api/v1/stix/bundles/", {**bundle, "objects": objects}, format="json")
    assert response.status_code == 200, response.content
    # misp-stix writes ip-src / ip-dst as two comparisons: without the MISP import's rewrite
    # they stay pattern-only, with the file and domain-ip objects
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 4
    assert StixObject.objects.filter(owner=world.owner.agency, type="indicator").count() == 4
    manifest = client.get(FEED + "manifest.json").json()
    (key,) = manifest
    feed_event = client.get(FEED + f"{key}.json").json()
    loaded = MISPEvent()
    loaded.load(json.loads(json.dumps(feed_event)))  # load() consumes what it reads
    assert "phish.example.com" in {a.value for a in loaded.attributes}
    # with their observed-data, misp-stix makes network-traffic objects of the addresses
    assert {"198.51.100.10", "203.0.113.11", "cdn.phish.example.com"} <= values(feed_event)
    kinds = {o.name for o in loaded.objects}
    assert {"network-traffic", "file", "domain-ip"} <= kinds


def test_the_event_uuid_is_stable_and_its_timestamp_follows_an_update(world, api_client_for):
    import_events(world.owner, [event()])
    client = api_client_for(world.owner.investigator, world.owner.agency)
    before = client.get(FEED + "manifest.json").json()
    updated = event()
    updated["Event"]["Attribute"][1]["timestamp"] = "1703642920"
    import_events(world.owner, [updated])
    after = client.get(FEED + "manifest.json").json()
    assert set(after) == set(before)
    (key,) = after
    assert after[key]["timestamp"] == 1703642920 > before[key]["timestamp"]


def test_a_partner_sees_only_the_indicators_shared_with_it(
    world, eu_agreement, api_client_for, share_with, add_indicators
):
    shared, kept, given = add_indicators(
        world.owner,
        [
            {"type": "domain", "value": "phish.example.com"},
            {"type": "domain", "value": "nightjar.example"},
            {"type": "domain", "value": "given.example"},
        ],
    )
    assert kept.normalized == "nightjar.example"
    share_with(world.owner, [shared, given], [world.partner.agency])
    client = api_client_for(world.partner.investigator, world.partner.agency)
    manifest = client.get(FEED + "manifest.json").json()
    bodies = [client.get(FEED + f"{key}.json").json() for key in manifest]
    hashes = client.get(FEED + "hashes.csv").content.decode()
    assert set().union(*map(values, bodies)) == {"phish.example.com", "given.example"}
    assert not any(
        "nightjar.example" in text for text in [*map(json.dumps, bodies), json.dumps(manifest)]
    )
    assert len(hashes.splitlines()) == 2


def test_the_feed_needs_a_key_or_a_session(world, client):
    assert client.get(FEED + "manifest.json").status_code in (401, 403)
    assert client.get(FEED + "hashes.csv").status_code in (401, 403)
