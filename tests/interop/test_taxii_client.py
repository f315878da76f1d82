"""The official OASIS client (taxii2client.v21) against a live CyberCoop server."""

from __future__ import annotations

import uuid

import pytest
import requests
import stix2
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from interop.selectors import collection_id
from sharing.stix import CYBERCOOP_EXTENSION_ID
from sharing.tasks import announce_indicators
from tests.interop.taxii_http import context_ids, without_context

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner_server(world, live_server, key_for):
    key = key_for(world.partner)
    return Server(f"{live_server.url}/taxii2/", user=key.username, password=key.key)


def _collections(server: Server) -> dict[str, Collection]:
    return {c.title: c for c in server.default.collections}


def test_discovery_api_root_and_collections(world, partner_server, live_server):
    assert partner_server.title == "CyberCoop TAXII 2.1"
    assert [r.url for r in partner_server.api_roots] == [f"{live_server.url}/taxii2/cybercoop/"]
    root = partner_server.default
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length > 0
    collections = _collections(partner_server)
    assert set(collections) == {
        "Shared with NL-NHTCU",
        "Submissions from NL-NHTCU",
        "Objects of NL-NHTCU",
    }
    shared = collections["Shared with NL-NHTCU"]
    assert shared.can_read and not shared.can_write
    assert shared.id == collection_id(world.partner.agency, "shared")
    submissions = collections["Submissions from NL-NHTCU"]
    assert submissions.can_write and not submissions.can_read
    own = collections["Objects of NL-NHTCU"]
    assert own.can_read and own.can_write


def test_paging_through_more_than_1000_objects_with_as_pages(
    world, eu_agreement, add_indicators, share_with, partner_server
):
    items = [
        {"type": "ipv4", "value": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"}
        for i in range(2500)
    ]
    indicators = add_indicators(world.owner, items)
    # More than INGEST_ANNOUNCE_INLINE_MAX: the versions are a worker's job after the commit.
    assert announce_indicators.apply().get() == 1
    share_with(world.owner, indicators, [world.partner.agency])
    add_indicators(world.owner, [{"type": "domain", "value": "not-shared.example"}])
    shared = _collections(partner_server)["Shared with NL-NHTCU"]
    seen, pages = [], 0
    for envelope in as_pages(shared.get_objects, per_request=700):
        pages += 1
        seen += [o["id"] for o in envelope.get("objects", [])]
        if envelope["more"]:
            assert envelope["next"]
    assert pages == 4
    context = context_ids("DE-BKA")
    assert len(seen) == len(set(seen)) == 2500 + len(context)
    assert set(seen) == {i.stix_id for i in indicators} | context
    manifest_ids = []
    for envelope in as_pages(shared.get_manifest, per_request=1000):
        manifest_ids += [o["id"] for o in envelope.get("objects", [])]
    assert manifest_ids == seen


def test_add_objects_then_poll_status_get_object_and_manifest(
    world, partner_server, live_server, key_for
):
    submissions = _collections(partner_server)["Submissions from NL-NHTCU"]
    good = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'submitted.example']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    bad = {**good, "id": f"indicator--{uuid.uuid4()}", "pattern": "[ipv4-addr:value = 'x']"}
    status = submissions.add_objects({"objects": [good, bad]}, wait_for_completion=True)
    assert status.status == "complete"
    status.refresh()  # GET status/{id}/
    assert (status.total_count, status.success_count, status.failure_count) == (2, 1, 1)
    assert status.successes[0]["id"] == good["id"]
    assert status.failures[0]["id"] == bad["id"] and "value" in status.failures[0]["message"]

    shared = _collections(partner_server)["Shared with NL-NHTCU"]
    envelope = shared.get_object(good["id"])
    (obj,) = envelope["objects"]
    assert obj["pattern"] == "[domain-name:value = 'submitted.example']"
    assert obj["extensions"][CYBERCOOP_EXTENSION_ID]["owner"] == "NL-NHTCU"
    manifest = without_context(shared.get_manifest()["objects"])
    assert [m["id"] for m in manifest] == [good["id"]]
    # The version string is the object's own ``modified``, written the same way.
    assert manifest[0]["version"] == obj["modified"] == "2026-01-01T00:00:00.000Z"

    with pytest.raises(TAXIIServiceException, match="does not allow writing"):
        shared.add_objects({"objects": [good]})  # read-only collection: 403
    outsider = key_for(world.outsider)
    foreign = Collection(shared.url, user=outsider.username, password=outsider.key)
    with pytest.raises(requests.HTTPError, match="404 Client Error") as excinfo:
        foreign.get_objects()
    assert "404" in str(excinfo.value)


def test_stix2_taxii_collection_store_adds_gets_queries_and_deletes_own_objects(
    world, partner_server, key_for, live_server
):
    own = _collections(partner_server)["Objects of NL-NHTCU"]
    # needs can_read and can_write; our extension is no custom content
    store = stix2.TAXIICollectionStore(own, allow_custom=False)
    indicator = stix2.Indicator(
        name="store round trip",
        pattern="[domain-name:value = 'store.example']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
    )
    store.add(indicator)
    got = store.get(indicator.id)
    assert got is not None and got.pattern == indicator.pattern
    assert got.extensions[CYBERCOOP_EXTENSION_ID]["owner"] == "NL-NHTCU"
    found = store.query([stix2.Filter("type", "=", "indicator")])
    assert [o.id for o in found] == [indicator.id]
    assert [o.id for o in store.all_versions(indicator.id)] == [indicator.id]

    own.delete_object(indicator.id)  # taxii2client's DELETE (TAXII 2.1 §5.7): 200, no body
    assert store.get(indicator.id) is None
    assert store.query([stix2.Filter("type", "=", "indicator")]) == []
    # The outsider cannot delete it, and learns nothing: the collection is not there for it.
    outsider = key_for(world.outsider)
    foreign = Collection(own.url, user=outsider.username, password=outsider.key)
    with pytest.raises(requests.HTTPError, match="404 Client Error"):
        foreign.get_objects()


def test_server_api_root_and_collection_load_and_refresh_their_information(
    world, partner_server, live_server, key_for
):
    key = key_for(world.partner)
    auth = {"user": key.username, "password": key.key}
    partner_server.refresh()  # GET /taxii2/ again
    assert partner_server.default.url == f"{live_server.url}/taxii2/cybercoop/"
    assert partner_server.contact and partner_server.description

    root = ApiRoot(f"{live_server.url}/taxii2/cybercoop/", **auth)
    root.refresh_information()
    assert root.title == "CyberCoop" and root.max_content_length > 0
    root.refresh_collections()
    assert len(root.collections) == 3
    root.refresh()  # both again
    assert {c.title for c in root.collections} == set(_collections(partner_server))

    own_id = collection_id(world.partner.agency, "own")
    own = Collection(f"{root.url}collections/{own_id}/", **auth)
    own.refresh()  # GET collections/{id}/
    assert (own.id, own.title) == (own_id, "Objects of NL-NHTCU")
    assert own.can_read and own.can_write
    assert own.media_types == ["application/stix+json;version=2.1"]

    status = own.add_objects({"objects": []}, wait_for_completion=False)
    assert root.get_status(status.id).total_count == 0  # GET status/{id}/ from the API root


def _malware(modified: str, stix_id: str, **extra: object) -> dict:
    return {
        "type": "malware",
        "spec_version": "2.1",
        "id": stix_id,
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified,
        "name": "client test",
        "is_family": False,
        **extra,
    }


def test_own_collection_filters_versions_pages_and_deletes_with_taxii2client(world, partner_server):
    own = _collections(partner_server)["Objects of NL-NHTCU"]
    malware_id = f"malware--{uuid.uuid4()}"
    # Version strings as submitted: milliseconds, none trimmed, and microseconds.
    versions = [
        "2026-01-01T00:00:00.000Z",
        "2026-02-01T00:00:00.120Z",
        "2026-03-01T00:00:00.123456Z",
    ]
    tool = {
        "type": "tool",
        "spec_version": "2.1",
        "id": f"tool--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "a tool",
    }
    observable = {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--{uuid.uuid4()}",
        "value": "client.example",
    }
    envelope = {"objects": [*(_malware(v, malware_id) for v in versions), tool, observable]}
    status = own.add_objects(envelope, wait_for_completion=False)
    status.wait_until_final(poll_interval=0.1, timeout=10)  # GET status/{id}/ until complete
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (5, 5, 0)
    assert [s["version"] for s in status.successes][:3] == versions

    def ids(envelope: dict) -> list[str]:
        return [o["id"] for o in without_context(envelope.get("objects", []))]

    assert ids(own.get_objects(type="malware")) == [malware_id]
    # In date_added order: an envelope's versions of one id are added oldest first, after
    # the first version of every id in it.
    assert ids(own.get_objects(type=["malware", "tool"])) == [tool["id"], malware_id]
    assert ids(own.get_objects(id=observable["id"])) == [observable["id"]]
    assert ids(own.get_objects(spec_version="2.0")) == []
    every = own.get_objects(id=malware_id, version="all")["objects"]
    assert [o["modified"] for o in every] == versions
    for match, expected in (("first", versions[0]), ("last", versions[2]), (versions[1],) * 2):
        (obj,) = own.get_object(malware_id, version=match)["objects"]
        assert obj["modified"] == expected
    assert own.object_versions(malware_id)["versions"] == versions
    manifest = own.get_manifest(id=malware_id, version="all")["objects"]
    assert [m["version"] for m in manifest] == versions
    first, last = manifest[0]["date_added"], manifest[-1]["date_added"]
    assert ids(own.get_objects(added_after=first, type="malware")) == [malware_id]
    assert ids(own.get_objects(added_after=last, type="malware")) == []

    pages = list(as_pages(own.get_objects, per_request=2, type=["malware", "tool"], version="all"))
    assert [len(p["objects"]) for p in pages] == [2, 2]
    assert [o["id"] for p in pages for o in p["objects"]] == [malware_id, tool["id"]] + [
        malware_id
    ] * 2
    manifest_pages = list(as_pages(own.get_manifest, per_request=3, version="all"))
    entries = [m for p in manifest_pages for m in without_context(p["objects"])]
    assert len(manifest_pages) > 1
    assert [m["id"] for m in entries] == [malware_id, tool["id"], observable["id"]] + [
        malware_id
    ] * 2

    own.delete_object(malware_id, version=versions[1])  # DELETE ?match[version]=
    assert own.object_versions(malware_id)["versions"] == [versions[0], versions[2]]
    own.delete_object(malware_id, version="all")
    with pytest.raises(requests.HTTPError, match="404 Client Error"):
        own.get_object(malware_id)
    assert ids(own.get_objects(type=["malware", "tool"])) == [tool["id"]]
