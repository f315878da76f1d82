"""The MISP feed (/api/v1/misp/feed/): manifest, events and hashes.csv of what the caller may
see, grouped per owning agency and day; MISP (PyMISP) reads every event."""

from __future__ import annotations

import json

import pytest
from pymisp import MISPEvent

from interop import misp
from interop.misp_feed import event_uuid
from sharing.models import Indicator, StixObject
from tests.interop.misp_data import event, feed_events, misp_stix_objects

FEED = "/api/v1/misp/feed/"
pytestmark = pytest.mark.django_db
SECRET = "operation-nightjar"


def import_events(side, events) -> None:
    misp.misp_events_import(actor=side.investigator, agency=side.agency, events=events)


def values(feed_event: dict) -> set[str]:
    event = feed_event["Event"]
    attributes = [*event.get("Attribute", [])]
    for obj in event.get("Object", []):
        attributes += obj["Attribute"]
    return {a["value"] for a in attributes}


def test_the_owners_feed_lists_one_event_per_day_that_misp_reads(world, api_client_for):
    import_events(world.owner, [event(), *feed_events()])
    client = api_client_for(world.owner.investigator, world.owner.agency)
    manifest = client.get(FEED + "manifest.json").json()
    days = {"2020-10-25", "2025-11-30", "2025-12-01"}  # the indicators' (other objects too)
    assert set(manifest) >= {event_uuid(world.owner.agency.code, day) for day in days}
    for key, entry in manifest.items():
        assert set(entry) == {
            "info", "date", "analysis", "threat_level_id", "timestamp", "Orgc", "Tag"
        }  # fmt: skip
        response = client.get(FEED + f"{key}.json")
        assert response.status_code == 200
        loaded = MISPEvent()
        loaded.load(response.json())
        assert loaded.uuid == key and loaded.info == entry["info"]
        assert int(loaded.timestamp.timestamp()) == entry["timestamp"]
        assert loaded.Orgc.uuid == entry["Orgc"]["uuid"]
    old = client.get(FEED + f"{event_uuid(world.owner.agency.code, '2020-10-25')}.json").json()
    assert {"198.51.100.10", "phish.example.com", "cdn.phish.example.com"} <= values(old)


def test_attributes_carry_their_tlp_and_the_event_its_strictest(world, api_client_for):
    import_events(world.owner, [event()])
    client = api_client_for(world.owner.investigator, world.owner.agency)
    key = event_uuid(world.owner.agency.code, "2020-10-25")
    assert client.get(FEED + "manifest.json").json()[key]["Tag"][0]["name"] == "tlp:amber+strict"
    loaded = MISPEvent()
    loaded.load(client.get(FEED + f"{key}.json").json())
    tags = {a.value: {t.name for t in a.tags} for a in loaded.attributes}
    assert "tlp:amber+strict" in tags["198.51.100.10"] and "PAP:AMBER" in tags["198.51.100.10"]
    assert "tlp:green" in tags["phish.example.com"]
    assert "tlp:clear" in tags["ec5aedf5ecc6bdadd4120932170d1b10f6cfa175cfda22951dfd882928ab279b"]


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
    patterns = {a.value for a in loaded.attributes if a.type == "stix2-pattern"}
    assert any("'203.0.113.11'" in p for p in patterns)  # two comparisons: kept as a pattern
    tagged = {t.name for a in loaded.attributes if a.type == "stix2-pattern" for t in a.tags}
    assert tagged == {"tlp:amber"}  # no marking in a raw misp-stix bundle: the default
    assert "cdn.phish.example.com" in values(feed_event)


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


def test_a_partner_sees_only_what_is_shared_with_it(
    world, eu_agreement, api_client_for, share_with
):
    import_events(world.owner, [event()])
    shared = Indicator.objects.get(owner=world.owner.agency, normalized="phish.example.com")
    share_with(world.owner, [shared], [world.partner.agency])
    client = api_client_for(world.partner.investigator, world.partner.agency)
    manifest = client.get(FEED + "manifest.json").json()
    (key,) = manifest
    feed_event = client.get(FEED + f"{key}.json").json()
    assert values(feed_event) == {"phish.example.com"}


def test_an_outsider_sees_no_event_and_hidden_looks_like_missing(world, api_client_for):
    import_events(world.owner, [event(), *feed_events()])
    secret = event()["Event"]
    secret.update(uuid="9b0f3c9e-4f55-4bb0-8a7f-2d0f1a2b3c4d", info=SECRET, date="2021-01-01")
    import_events(world.owner, [secret])
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    manifest = client.get(FEED + "manifest.json")
    assert manifest.status_code == 200 and manifest.json() == {}
    hashes = client.get(FEED + "hashes.csv")
    assert hashes.status_code == 200 and hashes.content == b""
    hidden = client.get(FEED + f"{event_uuid(world.owner.agency.code, '2020-10-25')}.json")
    missing = client.get(FEED + f"{event_uuid('XX-NONE', '2020-10-25')}.json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert client.get(FEED + "not-a-uuid.json").status_code == 404


def test_an_indicator_not_shared_never_appears_in_the_partners_feed(
    world, eu_agreement, api_client_for, share_with, add_indicators
):
    (kept,) = add_indicators(world.owner, [{"type": "domain", "value": "nightjar.example"}])
    (given,) = add_indicators(world.owner, [{"type": "domain", "value": "given.example"}])
    share_with(world.owner, [given], [world.partner.agency])
    client = api_client_for(world.partner.investigator, world.partner.agency)
    manifest = client.get(FEED + "manifest.json").json()
    bodies = [client.get(FEED + f"{key}.json").content.decode() for key in manifest]
    hashes = client.get(FEED + "hashes.csv").content.decode()
    assert any("given.example" in body for body in bodies)
    assert not any("nightjar.example" in body for body in [*bodies, json.dumps(manifest)])
    assert len(hashes.splitlines()) == 1


def test_hashes_csv_holds_the_md5_of_each_value_and_its_event(world, api_client_for):
    import hashlib

    import_events(world.owner, [event()])
    client = api_client_for(world.owner.investigator, world.owner.agency)
    rows = [line.split(",") for line in client.get(FEED + "hashes.csv").content.decode().split()]
    key = event_uuid(world.owner.agency.code, "2020-10-25")
    assert [hashlib.md5(b"203.0.113.11").hexdigest(), key] in rows


def test_the_feed_needs_a_key_or_a_session(world, client):
    assert client.get(FEED + "manifest.json").status_code in (401, 403)
    assert client.get(FEED + "hashes.csv").status_code in (401, 403)
