"""TAXII bad input answers a TAXII 4xx error body, never 500."""

from __future__ import annotations

import pytest
from django.test import Client

from interop.selectors import SUBMISSIONS, collection_id
from interop.taxii import TAXII_MEDIA_TYPE


@pytest.mark.parametrize("length", ["abc", "1e3", "-"])
def test_post_with_a_malformed_content_length_is_400(world, key_for, length):
    key = key_for(world.owner)
    url = f"/taxii2/cybercoop/collections/{collection_id(world.owner.agency, SUBMISSIONS)}/objects/"
    response = Client().generic(
        "POST",
        url,
        '{"objects": []}',
        content_type=TAXII_MEDIA_TYPE,
        CONTENT_LENGTH=length,
        HTTP_ACCEPT=TAXII_MEDIA_TYPE,
        **key.bearer,
    )
    assert response.status_code == 400
    assert response.json()["http_status"] == "400"
    assert "Content-Length" in response.json()["title"]


def test_post_to_another_agencys_collection_is_404_like_a_missing_one(world, key_for):
    key = key_for(world.partner)
    client = Client()
    answers = []
    for target in (collection_id(world.owner.agency, SUBMISSIONS), "no-such-collection"):
        response = client.generic(
            "POST",
            f"/taxii2/cybercoop/collections/{target}/objects/",
            '{"objects": []}',
            content_type=TAXII_MEDIA_TYPE,
            HTTP_ACCEPT=TAXII_MEDIA_TYPE,
            **key.bearer,
        )
        answers.append((response.status_code, response.content))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
