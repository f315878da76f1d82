"""The official OASIS client (taxii2client.v21) against a live CyberCoop server."""

from __future__ import annotations

import uuid

import pytest
import requests
import stix2
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, Server, as_pages

from interop.selectors import collection_id
from interop.stix import identity_id
from sharing.stix import (
    CYBERCOOP_EXTENSION_ID,
    PAP_MARKING_IDS,
    PLATFORM_IDENTITY_ID,
    TLP_MARKING_IDS,
)
from sharing.tasks import announce_indicators
from tests.interop.taxii_http import without_context

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
    context = {identity_id("DE-BKA"), *TLP_MARKING_IDS.values(), *PAP_MARKING_IDS.values()}
    context |= {CYBERCOOP_EXTENSION_ID, PLATFORM_IDENTITY_ID}
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
