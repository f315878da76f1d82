"""STIX import and TAXII submissions answer 400 (naming the problem), never 500, when the
JSON body is not an object: null, true, a number, a string or a list."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from interop.selectors import SUBMISSIONS, collection_id
from interop.taxii import TAXII_MEDIA_TYPE
from sharing.models import Indicator

pytestmark = pytest.mark.django_db
BAD_BODIES = [None, True, 1, "x", [], [{"type": "bundle", "objects": []}]]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_stix_import_with_a_non_object_body_is_400(world, api_client_for, body):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(
        "/api/v1/stix/bundles/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_taxii_post_with_a_non_object_body_is_400(world, key_for, body):
    key = key_for(world.owner)
    url = f"/taxii2/cybercoop/collections/{collection_id(world.owner.agency, SUBMISSIONS)}/objects/"
    response = Client().generic(
        "POST",
        url,
        json.dumps(body),
        content_type=TAXII_MEDIA_TYPE,
        HTTP_ACCEPT=TAXII_MEDIA_TYPE,
        **key.bearer,
    )
    assert response.status_code == 400, response.content
    assert response.json()["title"] == "Invalid envelope"
