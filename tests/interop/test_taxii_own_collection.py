"""An agency's "Objects of" collection (read/write) and TAXII 2.1 §5.7's DELETE: owner,
partner (had it through a share), outsider (never had it) and the read-only or write-only
collections."""

from __future__ import annotations

import json
import uuid

import pytest

from agencies import services as agency_services
from agencies.models import APIKey
from audit.models import AuditEvent
from interop.models import ObjectVersion
from interop.selectors import collection_id
from interop.stix import identity_id
from sharing import services as sharing_services
from sharing.models import Indicator, StixObject
from tests.interop.taxii_http import ROOT, TAXII, collection_url, get, without_context
from tests.stix_objects import stix_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, eu_agreement, add_indicators, share_with, key_for):
    owned = add_indicators(
        world.owner,
        [{"type": "ipv4", "value": "192.0.2.1"}, {"type": "domain", "value": "two.example"}],
    )
    theirs = add_indicators(world.partner, [{"type": "domain", "value": "partner.example"}])
    share = share_with(world.owner, owned, [world.partner.agency])
    return {
        "owned": owned,
        "theirs": theirs,
        "share": share,
        "owner": key_for(world.owner),
        "partner": key_for(world.partner),
        "outsider": key_for(world.outsider),
    }


def url(key, kind="own", suffix="objects/"):
    return collection_url(key, kind, suffix)


def delete(client, path, key, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return client.delete(f"{path}?{query}" if query else path, HTTP_ACCEPT=TAXII, **key.bearer)


def post(client, path, key, objects):
    return client.post(
        path, json.dumps({"objects": objects}), content_type=TAXII, HTTP_ACCEPT=TAXII, **key.bearer
    )


def ids(response):
    return [o["id"] for o in without_context(response.json().get("objects", []))]


def test_every_agency_has_a_read_write_collection_of_its_own_objects(client, setup):
    owner, partner = setup["owner"], setup["partner"]
    listed = get(client, f"{ROOT}collections/", owner).json()["collections"]
    own = next(c for c in listed if c["title"] == "Objects of DE-BKA")
    assert own["id"] == collection_id(owner.agency, "own")
    assert own["can_read"] and own["can_write"]
    assert sorted(ids(get(client, url(owner), owner))) == sorted(i.stix_id for i in setup["owned"])
    # The partner sees the owner's objects in "Shared with", but only its own in "Objects of".
    assert ids(get(client, url(partner), partner)) == [setup["theirs"][0].stix_id]
    assert set(ids(get(client, url(partner, "shared"), partner))) >= {
        i.stix_id for i in setup["owned"]
    }
    foreign = get(client, url(partner, suffix=f"objects/{setup['owned'][0].stix_id}/"), partner)
    assert foreign.status_code == 404
    manifest = get(client, url(owner, suffix="manifest/"), owner).json()["objects"]
    assert {m["id"] for m in without_context(manifest)} == {i.stix_id for i in setup["owned"]}
    assert identity_id(owner.agency.code) in {m["id"] for m in manifest}
    # Someone else's "Objects of" is a collection that does not exist for you.
    assert get(client, url(owner), partner).status_code == 404


def test_posting_to_the_own_collection_imports_as_the_agency(client, setup):
    owner = setup["owner"]
    obj = stix_indicator("[domain-name:value = 'posted.example']")
    stix_id = obj["id"]
    response = post(client, url(owner), owner, [obj])
    assert response.status_code == 202 and response.json()["success_count"] == 1
    assert Indicator.objects.get(stix_uuid=stix_id.split("--")[1]).owner == owner.agency
    assert ids(get(client, url(owner, suffix=f"objects/{stix_id}/"), owner)) == [stix_id]


def test_delete_removes_the_latest_version_by_default_and_the_one_matched(world, client, setup):
    owner, partner = setup["owner"], setup["partner"]
    target = setup["owned"][0]
    sharing_services.indicator_revoke(actor=world.owner.investigator, indicator=target)
    object_url = url(owner, suffix=f"objects/{target.stix_id}/")
    versions = get(client, object_url + "versions/", owner).json()["versions"]
    assert len(versions) == 2

    response = delete(client, object_url, owner)
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Type"] == TAXII
    assert get(client, object_url + "versions/", owner).json()["versions"] == versions[:1]
    latest = get(client, object_url, owner).json()["objects"]
    assert [o.get("revoked", False) for o in latest] == [False]  # the earlier one is latest
    # Every collection is a view of the same versions: the partner's poll follows.
    shared = get(client, url(partner, "shared", f"objects/{target.stix_id}/versions/"), partner)
    assert shared.json()["versions"] == versions[:1]

    event = AuditEvent.objects.filter(action="taxii.object_deleted").get()
    assert event.object_id == target.stix_id
    assert event.summary["versions"] == [versions[1]] and event.summary["remaining"] == 1

    assert delete(client, object_url, owner, **{"match[version]": versions[0]}).status_code == 200
    assert get(client, object_url, owner).status_code == 404
    assert (
        get(client, url(partner, "shared", f"objects/{target.stix_id}/"), partner).status_code
        == 404
    )
    # The indicator itself stays (revoking is how an agency takes one back).
    assert Indicator.objects.filter(pk=target.pk).exists()


def test_delete_honours_match_version_all_and_spec_version(client, setup):
    owner = setup["owner"]
    target = setup["owned"][1]
    object_url = url(owner, suffix=f"objects/{target.stix_id}/")
    assert delete(client, object_url, owner, **{"match[spec_version]": "2.0"}).status_code == 404
    missing = {"match[version]": "2020-01-01T00:00:00.000Z"}
    assert delete(client, object_url, owner, **missing).status_code == 404
    assert ObjectVersion.objects.filter(stix_id=target.stix_id).count() == 1
    response = delete(
        client, object_url, owner, **{"match[version]": "all", "match[spec_version]": "2.1"}
    )
    assert response.status_code == 200
    assert not ObjectVersion.objects.filter(stix_id=target.stix_id).exists()


def test_delete_of_a_pattern_only_object_removes_it(client, setup):
    owner = setup["owner"]
    obj = stix_indicator("[file:name = 'a.exe' AND file:size = 10]")
    stix_id = obj["id"]
    assert post(client, url(owner), owner, [obj]).status_code == 202
    assert StixObject.objects.filter(stix_id=stix_id).exists()
    assert delete(client, url(owner, suffix=f"objects/{stix_id}/"), owner).status_code == 200
    assert not StixObject.objects.filter(stix_id=stix_id).exists()


def test_delete_of_another_agencys_or_an_invisible_object_is_a_404_like_an_unknown_id(
    client, setup
):
    partner, outsider, owner = setup["partner"], setup["outsider"], setup["owner"]
    shared_with_partner = setup["owned"][0].stix_id  # visible to the partner, not its own
    unknown = f"indicator--{uuid.uuid4()}"
    never = delete(client, url(partner, suffix=f"objects/{unknown}/"), partner)
    assert never.status_code == 404
    for key, stix_id in ((partner, shared_with_partner), (outsider, shared_with_partner)):
        response = delete(client, url(key, suffix=f"objects/{stix_id}/"), key)
        assert response.status_code == 404 and response.json() == never.json()
    # Another agency's "Objects of" does not exist for the caller.
    assert (
        delete(client, url(owner, suffix=f"objects/{shared_with_partner}/"), partner).status_code
        == 404
    )
    assert ObjectVersion.objects.filter(stix_id=shared_with_partner).count() == 1
    assert not AuditEvent.objects.filter(action="taxii.object_deleted").exists()


def test_delete_on_a_read_only_or_write_only_collection_is_a_403(client, setup):
    owner = setup["owner"]
    stix_id = setup["owned"][0].stix_id
    for kind in ("shared", "submissions"):
        response = delete(client, url(owner, kind, f"objects/{stix_id}/"), owner)
        assert response.status_code == 403 and response.json()["http_status"] == "403"
    assert ObjectVersion.objects.filter(stix_id=stix_id).count() == 1


def test_delete_needs_the_ingest_scope(world, client, setup):
    _, plaintext = agency_services.api_key_issue(
        actor=None,
        agency=world.owner.agency,
        user=world.owner.investigator,
        name="read only",
        scopes=[APIKey.Scope.TAXII],
    )
    stix_id = setup["owned"][0].stix_id
    response = client.delete(
        url(setup["owner"], suffix=f"objects/{stix_id}/"),
        HTTP_ACCEPT=TAXII,
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 403
    assert ObjectVersion.objects.filter(stix_id=stix_id).count() == 1
