"""A deeply nested JSON body is a 400 naming the problem, never a 500 (RecursionError),
on DRF endpoints, on the streamed indicator ingest and on TAXII."""

from __future__ import annotations

import pytest
from django.test import Client

from agencies import services as agency_services
from interop.selectors import SUBMISSIONS, collection_id
from interop.taxii import TAXII_MEDIA_TYPE

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def bearer(world) -> Client:
    _, key = agency_services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.investigator, name="depth"
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/",
        "/api/v1/notices/",
        "/api/v1/cases/",
        "/api/v1/stix/bundles/",
        "/api/v1/correlations/lookup/",
    ],
)
def test_deep_json_is_400(bearer, url):
    response = bearer.generic("POST", url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_deep_json_to_taxii_is_400(world, bearer):
    url = f"/taxii2/cybercoop/collections/{collection_id(world.owner.agency, SUBMISSIONS)}/objects/"
    response = bearer.generic(
        "POST", url, DEEP, content_type=TAXII_MEDIA_TYPE, HTTP_ACCEPT=TAXII_MEDIA_TYPE
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Invalid JSON"


def test_anonymous_is_refused_before_parsing(db, client):
    response = client.generic("POST", "/api/v1/notices/", DEEP, content_type="application/json")
    assert response.status_code in (401, 403)
