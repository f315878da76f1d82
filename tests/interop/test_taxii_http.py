"""Raw HTTP against the TAXII 2.1 endpoints: media types, auth, paging headers, filters,
versions, visibility after revocation and unsharing, and the outsider rule (404)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interop.selectors import collection_id
from sharing import services as sharing_services
from tests.interop.taxii_http import ROOT, TAXII, collection_url, get

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, eu_agreement, add_indicators, share_with, key_for):
    owned = add_indicators(
        world.owner,
        [{"type": "ipv4", "value": f"192.0.2.{i}"} for i in range(1, 6)]
        + [{"type": "domain", "value": "private.example"}],
    )
    share = share_with(world.owner, owned[:5], [world.partner.agency])
    return {
        "owned": owned,
        "share": share,
        "owner": key_for(world.owner),
        "partner": key_for(world.partner),
        "outsider": key_for(world.outsider),
    }


def shared_url(key, suffix="objects/"):
    return collection_url(key, "shared", suffix)


def test_responses_use_the_taxii_media_type_and_basic_or_bearer_auth(client, setup):
    key = setup["partner"]
    response = get(client, "/taxii2/", key)
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    basic = base64.b64encode(f"{key.username}:{key.key}".encode()).decode()
    response = client.get("/taxii2/", HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200
    wrong_user = base64.b64encode(f"someone:{key.key}".encode()).decode()
    response = client.get("/taxii2/", HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION=f"Basic {wrong_user}")
    assert response.status_code == 401
    assert response.json()["http_status"] == "401"
    assert "Basic" in response["WWW-Authenticate"]
    assert client.get("/taxii2/", HTTP_ACCEPT=TAXII).status_code == 401
    assert (
        client.get(ROOT, HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION="Bearer cc_x_y").status_code == 401
    )


def test_406_for_unsupported_accept_and_415_for_wrong_content_type(client, setup):
    key = setup["partner"]
    assert get(client, ROOT, key, accept="application/json").status_code == 406
    assert get(client, ROOT, key, accept="application/taxii+json;version=2.0").status_code == 406
    assert get(client, ROOT, key, accept="application/taxii+json").status_code == 200
    assert get(client, ROOT, key, accept="*/*").status_code == 200
    submissions = f"{ROOT}collections/{collection_id(key.agency, 'submissions')}/objects/"
    response = client.post(
        submissions, "{}", content_type="application/json", HTTP_ACCEPT=TAXII, **key.bearer
    )
    assert response.status_code == 415
    response = client.post(
        submissions, "not json", content_type=TAXII, HTTP_ACCEPT=TAXII, **key.bearer
    )
    assert response.status_code == 400
    response = client.post(
        submissions, '{"objects": []}', content_type=TAXII, HTTP_ACCEPT=TAXII, **key.bearer
    )
    assert response.status_code == 202
    assert response.json()["status"] == "complete"
    response = client.delete(shared_url(key), HTTP_ACCEPT=TAXII, **key.bearer)
    assert response.status_code == 405


def test_paging_with_limit_next_more_and_date_added_headers(client, setup):
    key = setup["partner"]
    only = {"match[type]": "indicator"}  # not the context (the owner's identity, markings)
    first = get(client, shared_url(key), key, limit=2, **only)
    body = first.json()
    assert first.status_code == 200 and body["more"] is True and body["next"]
    assert len(body["objects"]) == 2
    assert first["X-TAXII-Date-Added-First"] <= first["X-TAXII-Date-Added-Last"]
    ids = [o["id"] for o in body["objects"]]
    token = body["next"]
    while token:
        page = get(client, shared_url(key), key, limit=2, next=token, **only).json()
        ids += [o["id"] for o in page["objects"]]
        token = page.get("next")
        assert ("next" in page) == page["more"]
    assert ids == [i.stix_id for i in setup["owned"][:5]]
    after = get(client, shared_url(key), key, added_after=first["X-TAXII-Date-Added-Last"], **only)
    assert [o["id"] for o in after.json()["objects"]] == ids[2:]
    manifest = get(client, shared_url(key, "manifest/"), key, limit=3)
    assert manifest.json()["more"] is True and len(manifest.json()["objects"]) == 3
    assert manifest["X-TAXII-Date-Added-First"]
    assert get(client, shared_url(key), key, limit="x").status_code == 400
    assert get(client, shared_url(key), key, next="garbage!").status_code == 400
    assert get(client, shared_url(key), key, added_after="yesterday").status_code == 400
    empty = get(client, shared_url(key), key, added_after="2999-01-01T00:00:00Z")
    assert empty.json() == {"more": False} and "X-TAXII-Date-Added-First" not in empty


def test_match_filters(client, setup):
    key = setup["owner"]
    owned = setup["owned"]
    ids = f"{owned[0].stix_id},{owned[5].stix_id}"
    body = get(client, shared_url(key), key, **{"match[id]": ids}).json()
    assert {o["id"] for o in body["objects"]} == {owned[0].stix_id, owned[5].stix_id}
    assert get(client, shared_url(key), key, **{"match[type]": "malware"}).json() == {"more": False}
    assert (
        len(get(client, shared_url(key), key, **{"match[type]": "indicator"}).json()["objects"])
        == 6
    )
    assert get(client, shared_url(key), key, **{"match[spec_version]": "2.0"}).json() == {
        "more": False
    }
    version = owned[0].modified.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = get(client, shared_url(key), key, **{"match[version]": version}).json()
    assert len(body["objects"]) == 6  # one ingest: one modified for all
    other = "2021-06-01T00:00:00.000Z"
    assert get(client, shared_url(key), key, **{"match[version]": other}).json() == {"more": False}


def test_a_revoked_object_stays_with_those_who_had_it_as_its_revoked_version(world, client, setup):
    owner, partner, outsider = setup["owner"], setup["partner"], setup["outsider"]
    target = setup["owned"][0]
    object_url = shared_url(partner, f"objects/{target.stix_id}/")
    assert get(client, object_url, partner).status_code == 200
    sharing_services.indicator_revoke(actor=world.owner.investigator, indicator=target)
    for key in (owner, partner):  # the owner, and the partner that had it through its share
        url = shared_url(key, f"objects/{target.stix_id}/")
        latest = get(client, url, key).json()["objects"]
        assert len(latest) == 1 and latest[0]["revoked"] is True
        versions = get(client, url + "versions/", key)
        assert len(versions.json()["versions"]) == 2 and versions["X-TAXII-Date-Added-Last"]
        every = get(client, url, key, **{"match[version]": "all"}).json()["objects"]
        assert [o.get("revoked", False) for o in every] == [False, True]
        first = get(client, url, key, **{"match[version]": "first"}).json()["objects"]
        assert [o.get("revoked", False) for o in first] == [False]
        listed = get(client, shared_url(key), key).json()["objects"]
        assert [o.get("revoked", False) for o in listed if o["id"] == target.stix_id] == [True]
        manifest = get(client, shared_url(key, "manifest/"), key).json()["objects"]
        entry = [m for m in manifest if m["id"] == target.stix_id]
        assert [m["version"] for m in entry] == [latest[0]["modified"]]
    # The outsider never had it: 404, the same answer as an id that does not exist.
    unknown = f"indicator--{uuid.uuid4()}"
    for suffix in ("", "versions/"):
        gone = get(client, shared_url(outsider, f"objects/{target.stix_id}/{suffix}"), outsider)
        never = get(client, shared_url(outsider, f"objects/{unknown}/{suffix}"), outsider)
        assert gone.status_code == never.status_code == 404
        assert gone.json() == never.json()
    assert get(client, shared_url(outsider), outsider).json() == {"more": False}
    # Unsharing takes it away: the partner now gets the outsider's answer.
    sharing_services.share_withdraw(actor=world.owner.investigator, share=setup["share"])
    for suffix in ("", "versions/"):
        gone = get(client, shared_url(partner, f"objects/{target.stix_id}/{suffix}"), partner)
        assert gone.status_code == 404
    manifest = get(client, shared_url(partner, "manifest/"), partner).json()
    assert manifest == {"more": False}


def test_withdrawing_a_share_removes_objects_from_the_partner_collection(world, client, setup):
    partner = setup["partner"]
    sharing_services.share_withdraw(actor=world.owner.investigator, share=setup["share"])
    assert get(client, shared_url(partner), partner).json() == {"more": False}
    url = shared_url(partner, f"objects/{setup['owned'][1].stix_id}/")
    assert get(client, url, partner).status_code == 404


def test_outsider_gets_404_for_foreign_collections_objects_and_statuses(client, setup):
    outsider, partner, owner = setup["outsider"], setup["partner"], setup["owner"]
    collections = get(client, f"{ROOT}collections/", outsider).json()["collections"]
    assert {c["title"] for c in collections} == {
        "Shared with IN-CBI",
        "Submissions from IN-CBI",
        "Objects of IN-CBI",
    }
    foreign = f"{ROOT}collections/{collection_id(partner.agency, 'shared')}/"
    for suffix in ("", "objects/", "manifest/", f"objects/{setup['owned'][0].stix_id}/"):
        response = get(client, foreign + suffix, outsider)
        assert response.status_code == 404, suffix
        assert response.json() == {"title": "Collection not found", "http_status": "404"}
    own = shared_url(outsider, f"objects/{setup['owned'][0].stix_id}/")
    missing = shared_url(outsider, f"objects/indicator--{uuid.uuid4()}/")
    hidden, absent = get(client, own, outsider), get(client, missing, outsider)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.content == absent.content
    submissions = f"{ROOT}collections/{collection_id(owner.agency, 'submissions')}/objects/"
    response = client.post(
        submissions,
        json.dumps({"objects": []}),
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        **outsider.bearer,
    )
    assert response.status_code == 404
    status = client.post(
        submissions,
        json.dumps({"objects": []}),
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        **owner.bearer,
    ).json()
    assert get(client, f"{ROOT}status/{status['id']}/", owner).status_code == 200
    assert get(client, f"{ROOT}status/{status['id']}/", outsider).status_code == 404
    assert get(client, f"{ROOT}status/not-a-uuid/", outsider).status_code == 404


def test_write_only_collection_refuses_reads_with_403(client, setup):
    key = setup["partner"]
    url = f"{ROOT}collections/{collection_id(key.agency, 'submissions')}/objects/"
    assert get(client, url, key).status_code == 403


def test_a_new_share_makes_old_objects_appear_after_the_last_poll(world, client, setup, share_with):
    partner = setup["partner"]
    last = get(client, shared_url(partner), partner)["X-TAXII-Date-Added-Last"]
    assert get(client, shared_url(partner), partner, added_after=last).json() == {"more": False}
    share_with(world.owner, [setup["owned"][5]], [world.partner.agency])
    newer = get(client, shared_url(partner), partner, added_after=last).json()
    assert [o["id"] for o in newer["objects"]] == [setup["owned"][5].stix_id]


def test_query_count_does_not_depend_on_page_size(client, setup, add_indicators, world):
    add_indicators(world.owner, [{"type": "ipv4", "value": f"198.18.0.{i}"} for i in range(60)])
    owner = setup["owner"]
    get(client, shared_url(owner), owner, limit=1)  # warm caches (key use, content types)
    counts = []
    for limit in (1, 50):
        for suffix in ("objects/", "manifest/"):
            with CaptureQueriesContext(connection) as queries:
                response = get(client, shared_url(owner, suffix), owner, limit=limit)
            assert response.status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


def test_a_body_over_max_content_length_is_413(client, setup, settings):
    settings.TAXII_MAX_CONTENT_LENGTH = 100
    key = setup["partner"]
    submissions = f"{ROOT}collections/{collection_id(key.agency, 'submissions')}/objects/"
    body = json.dumps({"objects": [{"type": "identity", "name": "x" * 200}]})
    response = client.post(submissions, body, content_type=TAXII, HTTP_ACCEPT=TAXII, **key.bearer)
    assert response.status_code == 413
    assert get(client, ROOT, key).json()["max_content_length"] == 100
