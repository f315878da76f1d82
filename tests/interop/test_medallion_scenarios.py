"""medallion's own TAXII 2.1 scenarios (oasis-open/cti-taxii-server,
medallion/test/test_backends.py), run against an agency's "Objects of" collection with
medallion's test data (tests/interop/data/medallion/).

medallion's dates added are fixed in its data; ours are the time of each POST, so the data
is posted one manifest entry at a time in medallion's date_added order, which keeps its order.
Two of its objects are not posted: the STIX 2.0 version of the malware (we take STIX 2.1 only,
see ``test_medallion_get_objects_spec_version_20``) and its TLP:GREEN marking definition, the
TLP 1.0 one, which we read as our own TLP:GREEN and serve as context, not as the agency's
object. Context (the owner's identity, the TLP and PAP definitions) is left out where medallion
counts objects.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from audit.models import AuditEvent
from tests.interop.taxii_http import TAXII, collection_url, context_ids, get

pytestmark = pytest.mark.django_db
DATA = json.loads((Path(__file__).parent / "data" / "medallion" / "default_data.json").read_text())
STIX_20_MALWARE = "2018-02-23T18:30:00.000Z"  # the 2.0 version of malware--c0931cc6-…
TLP1_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
INDICATOR = "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"  # three versions
MALWARE = "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"
RELATIONSHIP = "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463"
HASH_INDICATOR = "indicator--cd981c25-8042-4166-8945-51178443bdac"
# medallion's base_test.TaxiiTest.TEST_OBJECT
TEST_OBJECT = {
    "type": "course-of-action",
    "spec_version": "2.1",
    "id": "course-of-action--68794cd5-28db-429d-ab1e-1256704ef906",
    "created": "2017-01-27T13:49:53.935Z",
    "modified": "2017-01-27T13:49:53.935Z",
    "name": "Test object",
}
# The objects we hold, in medallion's date_added order (manifest order, 2.0 and TLP 1.0 left out).
ORDER = [RELATIONSHIP, HASH_INDICATOR, INDICATOR, INDICATOR, MALWARE, INDICATOR]
LATEST_ORDER = [RELATIONSHIP, HASH_INDICATOR, MALWARE, INDICATOR]


def posted_data() -> list[dict[str, Any]]:
    """medallion's objects in its manifest's order, one version each, as we post them."""
    found = []
    for entry in DATA["manifest"]:
        if entry["id"] == TLP1_GREEN or entry["version"] == STIX_20_MALWARE:
            continue
        (obj,) = [
            o
            for o in DATA["objects"]
            if o["id"] == entry["id"] and o.get("modified", o.get("created")) == entry["version"]
        ]
        found.append(obj)
    return found


def post(client: Any, key: Any, objects: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post(
        collection_url(key, "own"),
        json.dumps({"objects": objects}),
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        **key.bearer,
    )
    assert response.status_code == 202, response.content
    assert response["Content-Type"] == TAXII
    return response.json()


def taxii_get(client: Any, key: Any, suffix: str = "objects/", **params: Any) -> Any:
    response = get(client, collection_url(key, "own", suffix), key, **params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == TAXII
    return response


def ours(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if o["id"] not in context_ids("DE-BKA")]


def ids(response: Any) -> list[str]:
    return [o["id"] for o in ours(response.json().get("objects", []))]


@pytest.fixture
def key(world, key_for, client):
    key = key_for(world.owner)
    for obj in posted_data():
        assert post(client, key, [obj])["success_count"] == 1
    return key


@pytest.fixture
def empty(world, key_for):
    """The key of an agency with nothing in its collection: medallion's ADD_OBJECTS_EP."""
    return key_for(world.owner)


@pytest.fixture
def manifest(key, client) -> list[dict[str, Any]]:
    """Every version's manifest entry, in date_added order."""
    body = taxii_get(client, key, "manifest/", **{"match[version]": "all"}).json()
    return ours(body["objects"])


def test_medallion_get_objects(client, key, manifest):
    """medallion's test_get_objects: the latest version of each object, ordered by date_added,
    with the X-TAXII-Date-Added-First/Last headers."""
    response = taxii_get(client, key)
    body = response.json()
    assert body["more"] is False
    assert ids(response) == LATEST_ORDER
    added = [m["date_added"] for m in manifest if m["id"] in {RELATIONSHIP, INDICATOR}]
    assert response["X-TAXII-Date-Added-First"] == added[0]
    assert all(o["spec_version"] == "2.1" for o in body["objects"])
    assert [m["date_added"] for m in manifest] == sorted(m["date_added"] for m in manifest)


def test_medallion_get_object(client, key, manifest):
    """medallion's test_get_object: one object by id, its date added in both headers."""
    response = taxii_get(client, key, f"objects/{MALWARE}/")
    assert ids(response) == [MALWARE]
    (added,) = [m["date_added"] for m in manifest if m["id"] == MALWARE]
    assert response["X-TAXII-Date-Added-First"] == response["X-TAXII-Date-Added-Last"] == added


def test_medallion_add_and_delete_object(client, empty):
    """medallion's test_add_and_delete_object: add, get, get with match[id], the status, the
    manifest with match[id], delete, and the object is gone."""
    object_id = TEST_OBJECT["id"]
    status = post(client, empty, [copy.deepcopy(TEST_OBJECT)])
    assert object_id in ids(taxii_get(client, empty))
    assert ids(taxii_get(client, empty, **{"match[id]": object_id})) == [object_id]
    polled = get(client, f"/taxii2/cybercoop/status/{status['id']}/", empty)
    assert polled.status_code == 200 and polled["Content-Type"] == TAXII
    assert polled.json()["success_count"] == 1
    entries = taxii_get(client, empty, "manifest/", **{"match[id]": object_id}).json()["objects"]
    assert [m["id"] for m in entries] == [object_id]

    url = collection_url(empty, "own", f"objects/{object_id}/")
    deleted = client.delete(url, HTTP_ACCEPT=TAXII, **empty.bearer)
    assert deleted.status_code == 200 and deleted["Content-Type"] == TAXII
    gone = get(client, url, empty)
    assert gone.status_code == 404 and gone["Content-Type"] == TAXII


def test_medallion_get_status(client, empty):
    """medallion's test_get_status: a status resource lists successes, failures, pendings."""
    status = post(client, empty, [copy.deepcopy(TEST_OBJECT)])
    body = get(client, f"/taxii2/cybercoop/status/{status['id']}/", empty).json()
    assert {"successes", "failures", "pendings"} <= set(body)
    assert body["status"] == "complete"
    assert [s["id"] for s in body["successes"]] == [TEST_OBJECT["id"]]
    assert body["successes"][0]["version"] == TEST_OBJECT["modified"]


def test_medallion_get_object_manifests(client, key):
    """medallion's test_get_object_manifests: the latest version of each, by date_added."""
    response = taxii_get(client, key, "manifest/")
    entries = ours(response.json()["objects"])
    assert [m["id"] for m in entries] == LATEST_ORDER
    assert [m["date_added"] for m in entries] == sorted(m["date_added"] for m in entries)
    assert {m["media_type"] for m in entries} == {"application/stix+json;version=2.1"}


def test_medallion_get_version(client, key):
    """medallion's test_get_version: an object of one version has one version."""
    response = taxii_get(client, key, f"objects/{RELATIONSHIP}/versions/")
    assert response.json()["versions"] == ["2014-05-08T09:00:00.000Z"]


def test_medallion_get_objects_added_after(client, key, manifest):
    """medallion's test_get_objects_added_after: only what was added after the timestamp (its
    three: the two newest indicator versions and the malware; latest versions only)."""
    after = manifest[2]["date_added"]  # the indicator's first version
    response = taxii_get(client, key, added_after=after)
    assert response.json()["more"] is False
    assert ids(response) == [MALWARE, INDICATOR]


def test_medallion_get_objects_limit(client, key):
    """medallion's test_get_objects_limit: limit=3 gives three and ``next``; the next page the
    rest. (Types named, so the context added with the first object stays out of the pages.)"""
    types = {"match[type]": "relationship,indicator,malware"}
    first = taxii_get(client, key, limit="3", **types)
    assert first.json()["more"] is True
    assert ids(first) == LATEST_ORDER[:3]
    second = taxii_get(client, key, limit="3", next=first.json()["next"], **types)
    assert second.json()["more"] is False
    assert ids(second) == LATEST_ORDER[3:]


def test_medallion_get_objects_id(client, key):
    """medallion's test_get_objects_id: match[id] gives that object."""
    response = taxii_get(client, key, **{"match[id]": MALWARE})
    assert response.json()["more"] is False and ids(response) == [MALWARE]


def test_medallion_get_objects_type(client, key):
    """medallion's test_get_objects_type: match[type]=indicator gives the two indicators."""
    response = taxii_get(client, key, **{"match[type]": "indicator"})
    assert ids(response) == [HASH_INDICATOR, INDICATOR]
    assert {o["type"] for o in response.json()["objects"]} == {"indicator"}


def test_medallion_objects_version_match_specific_date(client, key):
    """medallion's test_objects_version_match_specific_date."""
    response = taxii_get(client, key, **{"match[version]": "2016-12-25T12:30:59.444Z"})
    (obj,) = response.json()["objects"]
    assert (obj["id"], obj["modified"]) == (INDICATOR, "2016-12-25T12:30:59.444Z")


def test_medallion_objects_version_match_first(client, key):
    """medallion's test_objects_version_match_first: each object's first version."""
    objects = ours(taxii_get(client, key, **{"match[version]": "first"}).json()["objects"])
    modified = {o["id"]: o["modified"] for o in objects}
    assert modified[INDICATOR] == "2016-11-03T12:30:59.000Z"
    assert modified[MALWARE] == "2017-01-27T13:49:53.997Z"
    assert len(objects) == 4


def test_medallion_objects_version_match_last(client, key):
    """medallion's test_objects_version_match_last: each object's latest version."""
    objects = ours(taxii_get(client, key, **{"match[version]": "last"}).json()["objects"])
    assert {o["id"]: o["modified"] for o in objects}[INDICATOR] == "2017-01-27T13:49:53.935Z"
    assert len(objects) == 4


def test_medallion_objects_version_match_all(client, key):
    """medallion's test_objects_version_match_all: every version (medallion's 7 less the STIX
    2.0 malware)."""
    response = taxii_get(client, key, **{"match[version]": "all"})
    assert ids(response) == ORDER


def test_medallion_get_objects_spec_version_21(client, key):
    """medallion's test_get_objects_spec_version_21, _21_20 and _default: STIX 2.1 objects."""
    for params in ({"match[spec_version]": "2.1"}, {"match[spec_version]": "2.0,2.1"}, {}):
        response = taxii_get(client, key, **params)
        assert ids(response) == LATEST_ORDER, params
        assert {o["spec_version"] for o in response.json()["objects"]} == {"2.1"}


def test_medallion_get_objects_spec_version_20(client, key):
    """medallion's test_get_objects_spec_version_20: medallion keeps the STIX 2.0 malware; we
    take STIX 2.1 only, so posting it is a failure and match[spec_version]=2.0 finds nothing."""
    (malware_20,) = [o for o in DATA["objects"] if o.get("modified") == STIX_20_MALWARE]
    status = post(client, key, [malware_20])
    assert (status["success_count"], status["failure_count"]) == (0, 1)
    assert status["failures"][0]["id"] == MALWARE
    assert "spec_version" in status["failures"][0]["message"]
    response = taxii_get(client, key, **{"match[spec_version]": "2.0"})
    assert ids(response) == []


def test_medallion_get_object_added_after_case1(client, key, manifest):
    """medallion's test_get_object_added_after_case1/case2: nothing added after the object's
    own date added; itself when added after an earlier time."""
    (added,) = [m["date_added"] for m in manifest if m["id"] == MALWARE]
    later = taxii_get(client, key, f"objects/{MALWARE}/", added_after=added).json()
    assert "objects" not in later and later["more"] is False
    earlier = manifest[0]["date_added"]
    assert ids(taxii_get(client, key, f"objects/{MALWARE}/", added_after=earlier)) == [MALWARE]


def test_medallion_get_object_limit(client, key, manifest):
    """medallion's test_get_object_limit: one object's versions two at a time, oldest first,
    with the headers of each page."""
    url = f"objects/{INDICATOR}/"
    first = taxii_get(client, key, url, limit="2", **{"match[version]": "all"})
    assert first.json()["more"] is True
    assert [o["modified"] for o in first.json()["objects"]] == [
        "2016-11-03T12:30:59.000Z",
        "2016-12-25T12:30:59.444Z",
    ]
    added = [m["date_added"] for m in manifest if m["id"] == INDICATOR]
    assert first["X-TAXII-Date-Added-First"] == added[0]
    assert first["X-TAXII-Date-Added-Last"] == added[1]
    rest = taxii_get(
        client, key, url, limit="2", next=first.json()["next"], **{"match[version]": "all"}
    )
    assert rest.json()["more"] is False
    assert [o["modified"] for o in rest.json()["objects"]] == ["2017-01-27T13:49:53.935Z"]
    assert rest["X-TAXII-Date-Added-First"] == rest["X-TAXII-Date-Added-Last"] == added[2]


def test_medallion_get_object_version_single(client, key):
    """medallion's test_get_object_version_single: one version of one object by match[version]."""
    for version, modified in (
        ("2016-12-25T12:30:59.444Z", "2016-12-25T12:30:59.444Z"),
        ("first", "2016-11-03T12:30:59.000Z"),
        ("last", "2017-01-27T13:49:53.935Z"),
    ):
        response = taxii_get(client, key, f"objects/{INDICATOR}/", **{"match[version]": version})
        (obj,) = response.json()["objects"]
        assert (obj["id"], obj["modified"]) == (INDICATOR, modified)


def test_medallion_get_version_limit(client, key, manifest):
    """medallion's test_get_version_limit: the versions one page at a time, each version string
    the object's ``modified`` exactly as medallion's data writes it."""
    versions, params = [], {"limit": "1"}
    added = [m["date_added"] for m in manifest if m["id"] == INDICATOR]
    for position in range(3):
        response = taxii_get(client, key, f"objects/{INDICATOR}/versions/", **params)
        body = response.json()
        assert body["more"] is (position < 2)
        versions += body["versions"]
        assert response["X-TAXII-Date-Added-First"] == added[position]
        params["next"] = body.get("next", "")
    assert versions == [
        "2016-11-03T12:30:59.000Z",
        "2016-12-25T12:30:59.444Z",
        "2017-01-27T13:49:53.935Z",
    ]


def test_medallion_get_manifest_version_specific(client, key):
    """medallion's test_get_manifest_version_specific, _first, _last and _all: the manifest
    entries' versions of the indicator with three versions."""
    first, second, last = (
        "2016-11-03T12:30:59.000Z",
        "2016-12-25T12:30:59.444Z",
        "2017-01-27T13:49:53.935Z",
    )
    for version, expected in (
        (second, [second]),
        ("first", [first]),
        ("last", [last]),
        ("all", [first, second, last]),
    ):
        body = taxii_get(client, key, "manifest/", **{"match[version]": version}).json()
        assert [m["version"] for m in body["objects"] if m["id"] == INDICATOR] == expected


def test_medallion_get_manifest_limit(client, key):
    """medallion's test_get_manifest_limit: pages of two, then one, each with its headers."""
    params = {"limit": "2", "match[type]": "relationship,indicator,malware"}
    seen = []
    for expected_more in (True, False):
        response = taxii_get(client, key, "manifest/", **params)
        body = response.json()
        assert body["more"] is expected_more
        assert response["X-TAXII-Date-Added-First"] == body["objects"][0]["date_added"]
        assert response["X-TAXII-Date-Added-Last"] == body["objects"][-1]["date_added"]
        seen += [m["id"] for m in body["objects"]]
        params["next"] = body.get("next", "")
    assert seen == LATEST_ORDER


def test_medallion_get_objects_match_type_version(client, key):
    """medallion's test_get_objects_match_type_version: match[type] and match[version]."""
    response = taxii_get(
        client, key, **{"match[type]": "indicator", "match[version]": "2017-01-27T13:49:53.935Z"}
    )
    assert ids(response) == [INDICATOR]


def test_medallion_get_version_added_after(client, key, manifest):
    """medallion's test_get_version_added_after: no versions added after the only one's date
    added; that one when added after an earlier time."""
    url = f"objects/{RELATIONSHIP}/versions/"
    added = manifest[0]["date_added"]
    assert taxii_get(client, key, url, added_after=added).json()["versions"] == []
    earlier = "2014-05-08T08:00:00Z"
    assert taxii_get(client, key, url, added_after=earlier).json()["versions"] == [
        "2014-05-08T09:00:00.000Z"
    ]


def test_medallion_delete_objects_version(client, empty):
    """medallion's test_delete_objects_version: five versions of one id in one envelope; delete
    by match[version] a timestamp, first, last, then all."""
    objects = []
    coa = {**copy.deepcopy(TEST_OBJECT), "created": "2014-01-27T13:49:53.935Z"}
    objects.append(copy.deepcopy(coa))
    for modified in ("2015", "2016", "2018", "2019"):
        coa["modified"] = f"{modified}-01-27T13:49:53.935Z"
        objects.append(copy.deepcopy(coa))
    assert post(client, empty, objects)["success_count"] == 5
    url = collection_url(empty, "own", f"objects/{coa['id']}/")

    def versions() -> list[str]:
        return taxii_get(client, empty, f"objects/{coa['id']}/versions/").json()["versions"]

    assert versions() == [f"{y}-01-27T13:49:53.935Z" for y in (2015, 2016, 2017, 2018, 2019)]
    for match, gone in (
        ("2018-01-27T13:49:53.935Z", "2018-01-27T13:49:53.935Z"),
        ("first", "2015-01-27T13:49:53.935Z"),
        ("last", "2019-01-27T13:49:53.935Z"),
    ):
        before = versions()
        deleted = client.delete(f"{url}?match[version]={match}", HTTP_ACCEPT=TAXII, **empty.bearer)
        assert deleted.status_code == 200 and deleted["Content-Type"] == TAXII
        assert versions() == [v for v in before if v != gone]
    assert versions() == ["2016-01-27T13:49:53.935Z", "2017-01-27T13:49:53.935Z"]
    # The audit log names each deleted version by the string TAXII served.
    events = AuditEvent.objects.filter(action="taxii.object_deleted").order_by("pk")
    assert [e.summary["versions"] for e in events] == [
        ["2018-01-27T13:49:53.935Z"],
        ["2015-01-27T13:49:53.935Z"],
        ["2019-01-27T13:49:53.935Z"],
    ]
    assert client.delete(f"{url}?match[version]=all", **empty.bearer).status_code == 200
    gone = get(client, collection_url(empty, "own", f"objects/{coa['id']}/versions/"), empty)
    assert gone.status_code == 404 and gone["Content-Type"] == TAXII


def test_medallion_SCO_versioning(client, empty):
    """medallion's test_SCO_versioning: a cyber observable (no created, no modified) has one
    version, whatever match[version] asks, and posting it again adds none."""
    artifact = {
        "type": "artifact",
        "spec_version": "2.1",
        "id": "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641",
        "mime_type": "application/zip",
        "encryption_algorithm": "mime-type-indicated",
        "decryption_key": "My voice is my passport",
    }
    assert post(client, empty, [artifact])["success_count"] == 1
    url = f"objects/{artifact['id']}/"
    for version in ("all", "first", "last"):
        assert ids(taxii_get(client, empty, url, **{"match[version]": version})) == [artifact["id"]]
    assert ids(taxii_get(client, empty, url, added_after="2017-01-27T13:49:53.935Z")) == [
        artifact["id"]
    ]
    assert post(client, empty, [artifact])["success_count"] == 1  # already present
    assert len(taxii_get(client, empty, url + "versions/").json()["versions"]) == 1


def test_medallion_object_already_present(client, empty):
    """medallion's test_object_already_present: posting an object already there (and twice in
    one envelope) succeeds, with no failures and no new version. medallion also posts a copy
    without ``modified``, which STIX 2.1 requires of a relationship; that part is not ported."""
    (relationship,) = [o for o in DATA["objects"] if o["id"] == RELATIONSHIP]
    assert post(client, empty, [relationship])["success_count"] == 1
    status = post(client, empty, [relationship, copy.deepcopy(relationship)])
    assert (status["success_count"], status["failure_count"]) == (2, 0)
    assert status["failures"] == []
    versions = taxii_get(client, empty, f"objects/{RELATIONSHIP}/versions/").json()["versions"]
    assert versions == ["2014-05-08T09:00:00.000Z"]


def test_medallion_object_pagination_bad_limit_value_400(client, empty):
    """medallion's test_object_pagination_bad_limit_value_400: a negative limit is a 400."""
    response = get(client, collection_url(empty, "own"), empty, limit="-20")
    assert response.status_code == 400 and response.json()["http_status"] == "400"
