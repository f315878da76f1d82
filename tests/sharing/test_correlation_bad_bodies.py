"""Correlation and access-request POSTs answer 400 (naming the problem), never 500, when the
JSON body is not an object: null, true, a number, a string or a list."""

from __future__ import annotations

import json

import pytest

from sharing.access_requests import access_request_create
from sharing.models import AccessRequestTarget

pytestmark = pytest.mark.django_db
BAD_BODIES = [None, True, 1, "x", [], [{"values": ["1.2.3.4"]}]]


@pytest.fixture
def target(world, add_indicators) -> AccessRequestTarget:
    """The partner asked for the owner's hidden copy of its indicator; the owner decides."""
    add_indicators(world.owner, [{"type": "ipv4", "value": "198.51.100.77"}])
    (theirs,) = add_indicators(world.partner, [{"type": "ipv4", "value": "198.51.100.77"}])
    access_request_create(
        actor=world.partner.investigator,
        indicator=theirs,
        reason="Op TULIP",
        legal_basis="EU 2023/977",
        handling_code="H0",
    )
    return AccessRequestTarget.objects.get()


def _post(client, url: str, body) -> tuple[int, str]:
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_lookup_with_a_non_object_body_is_400(world, api_client_for, body):
    client = api_client_for(world.partner.investigator, world.partner.agency)
    status, text = _post(client, "/api/v1/correlations/lookup/", body)
    assert status == 400, text
    assert "JSON" in text


@pytest.mark.parametrize("body", BAD_BODIES)
def test_an_access_request_with_a_non_object_body_is_400(world, api_client_for, body):
    client = api_client_for(world.partner.investigator, world.partner.agency)
    status, text = _post(client, "/api/v1/access-requests/", body)
    assert status == 400, text


@pytest.mark.parametrize("action", ["share", "decline"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_holder_answer_with_a_non_object_body_is_400(world, api_client_for, target, action, body):
    holder = api_client_for(world.owner.investigator, world.owner.agency)
    status, text = _post(holder, f"/api/v1/access-requests/inbox/{target.pk}/{action}/", body)
    assert status == 400, text
    target.refresh_from_db()
    assert target.status == AccessRequestTarget.Status.PENDING
