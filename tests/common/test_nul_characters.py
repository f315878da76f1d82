"""NUL (``%00`` in a URL, ``\\u0000`` in JSON) cannot be stored in PostgreSQL's text: every
door answers it with a 400 that names it, never a 500 (the day's fuzz seed found one)."""

from __future__ import annotations

import json

import pytest

from agencies.services import api_key_issue
from common.http import NUL_IN_URL
from common.parsers import HAS_NUL
from interop.selectors import SUBMISSIONS, collection_id
from tests.interop.taxii_http import ROOT, TAXII

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?q=a%00b",
        "/api/v1/cases/?status=%00",
        "/api/v1/indicators/?q=%00",
        "/api/v1/indicators/?%00=x",
        "/api/v1/stix/export/?value=%00",
    ],
)
def test_a_nul_in_an_api_query_is_a_400_naming_it(world, api_client_for, url):
    response = api_client_for(world.owner.investigator, world.owner.agency).get(url)
    assert response.status_code == 400 and response.json() == {"detail": NUL_IN_URL}


def test_a_nul_in_a_page_query_is_a_400_naming_it(world, client):
    client.force_login(world.owner.investigator)
    response = client.get("/cases/?q=%00")
    assert response.status_code == 400 and NUL_IN_URL in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/indicators/", "/api/v1/stix/bundles/", "/api/v1/cases/"],
)
def test_a_nul_in_a_json_string_is_a_400_and_nothing_is_written(world, api_client_for, url):
    body = {"type": "ipv4", "value": "192.0.2.1", "description": "a\u0000b", "title": "a\u0000"}
    if "stix" in url:
        body = {"type": "bundle", "id": "bundle--x", "objects": [body]}
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json() == {"detail": HAS_NUL}


def test_a_nul_in_a_taxii_envelope_is_a_taxii_400(world, client):
    _, key = api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.investigator, name="taxii"
    )
    envelope = json.dumps({"objects": [{"type": "malware", "name": "a\u0000"}]})
    response = client.post(
        f"{ROOT}collections/{collection_id(world.owner.agency, SUBMISSIONS)}/objects/",
        envelope,
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and response.json()["description"] == HAS_NUL
