"""Unknown paths under /taxii2/ (an unknown API root among them) answer a TAXII 2.1 error
object, the same whatever the path looks like, and only after authentication."""

from __future__ import annotations

import pytest

from interop.selectors import collection_id

pytestmark = pytest.mark.django_db
TAXII = "application/taxii+json;version=2.1"
UNKNOWN = [
    "/taxii2/nosuchroot/",
    "/taxii2/cybercoop2/",
    "/taxii2/cybercoop/nosuchthing/",
    "/taxii2/nosuchroot/collections/",
    "/taxii2/cybercoop/collections/x/objects/y/versions/z/",
    "/taxii2/cybercoop",
]


@pytest.fixture
def keys(world, key_for):
    return {side: key_for(getattr(world, side)) for side in ("owner", "partner", "outsider")}


@pytest.mark.parametrize("side", ["owner", "partner", "outsider"])
@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_path_answers_the_same_taxii_error_object_to_everyone(client, keys, side, path):
    response = client.get(path, HTTP_ACCEPT=TAXII, **keys[side].bearer)
    assert response.status_code == 404
    assert response["Content-Type"] == TAXII
    assert response.json() == {
        "title": "Not found",
        "description": "There is no TAXII resource at this URL.",
        "http_status": "404",
    }


def test_an_unknown_path_answers_404_to_a_post_as_well(client, keys):
    response = client.post(
        "/taxii2/nosuchroot/collections/x/objects/",
        data="{}",
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        **keys["partner"].bearer,
    )
    assert response.status_code == 404
    assert response.json()["http_status"] == "404"


def test_without_credentials_a_known_and_an_unknown_root_answer_the_same_401(client):
    known = client.get("/taxii2/cybercoop/", HTTP_ACCEPT=TAXII)
    unknown = client.get("/taxii2/nosuchroot/", HTTP_ACCEPT=TAXII)
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert unknown["Content-Type"] == TAXII


def test_another_agencys_collection_and_a_made_up_one_look_the_same(client, keys, world):
    theirs = collection_id(world.owner.agency, "shared")
    base = "/taxii2/cybercoop/collections/"
    others = client.get(f"{base}{theirs}/", HTTP_ACCEPT=TAXII, **keys["outsider"].bearer)
    made_up = client.get(f"{base}made-up/", HTTP_ACCEPT=TAXII, **keys["outsider"].bearer)
    assert others.status_code == made_up.status_code == 404
    assert others["Content-Type"] == made_up["Content-Type"] == TAXII
