"""POST /api/v1/stix/bundles/ takes a bundle as application/json or application/stix+json
(STIX 2.1), documents both in the OpenAPI schema, and answers a clear 415 otherwise."""

from __future__ import annotations

import json

import pytest

from interop.api import STIX_VERSION_UNSUPPORTED
from interop.selectors import collection_id
from sharing.models import Indicator
from tests.stix_objects import stix_bundle, stix_indicator

URL = "/api/v1/stix/bundles/"
pytestmark = pytest.mark.django_db


def body(value: str) -> str:
    return json.dumps(stix_bundle(stix_indicator(f"[ipv4-addr:value = '{value}']")))


@pytest.mark.parametrize(
    "media_type",
    ["application/stix+json;version=2.1", "application/stix+json", "application/json"],
)
def test_a_bundle_is_imported_whatever_json_media_type_names_it(world, api_client_for, media_type):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(URL, body("198.51.100.7"), content_type=media_type)
    assert response.status_code == 200, response.content
    assert response.json()["counts"]["created"] == 1
    assert Indicator.objects.filter(owner=world.owner.agency, normalized="198.51.100.7").exists()


def test_another_stix_version_is_a_415_that_says_what_to_send(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(
        URL, body("198.51.100.8"), content_type="application/stix+json;version=2.0"
    )
    assert response.status_code == 415
    assert response.json() == {"detail": STIX_VERSION_UNSUPPORTED}


def test_a_media_type_that_is_not_json_is_a_clear_415(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(URL, body("198.51.100.9"), content_type="text/plain")
    assert response.status_code == 415
    assert "text/plain" in response.json()["detail"]


def test_partner_and_outsider_import_only_as_themselves(world, api_client_for):
    for side in (world.partner, world.outsider):
        client = api_client_for(side.investigator, side.agency)
        response = client.post(URL, body("198.51.100.10"), content_type="application/stix+json")
        assert response.status_code == 200
    owners = set(
        Indicator.objects.filter(normalized="198.51.100.10").values_list("owner__code", flat=True)
    )
    assert owners == {world.partner.agency.code, world.outsider.agency.code}


def test_the_openapi_schema_lists_the_stix_media_type_for_the_import(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    content = schema["paths"][URL]["post"]["requestBody"]["content"]
    assert {"application/json", "application/stix+json"} <= set(content)


def test_taxii_objects_come_only_as_taxii_envelopes_so_a_stix_json_accept_is_406(
    world, key_for, client
):
    """TAXII 2.1 wraps objects in an envelope (application/taxii+json); application/stix+json
    only names the collection's and the manifest's media types."""
    key = key_for(world.partner)
    url = f"/taxii2/cybercoop/collections/{collection_id(key.agency, 'shared')}/objects/"
    response = client.get(url, HTTP_ACCEPT="application/stix+json;version=2.1", **key.bearer)
    assert response.status_code == 406
    assert response.json()["http_status"] == "406"
    collection = client.get(
        url.removesuffix("objects/"), HTTP_ACCEPT="application/taxii+json;version=2.1", **key.bearer
    )
    assert collection.json()["media_types"] == ["application/stix+json;version=2.1"]
