"""Malformed requests get 4xx, never 500; list endpoints cost the same queries at any page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from tests.factories import make_member


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", "/agencies/DE-BKA/members/?page=x", {}),
        ("get", "/agencies/de-bka/members/", {}),
        ("get", "/agencies/%00/members/", {}),
        (
            "post",
            "/agencies/DE-BKA/members/invite/",
            {"email": ["a@b.c", "d@e.f"], "role": "x" * 500},
        ),
        ("post", "/agencies/DE-BKA/members/999999999/role/", {"role": "analyst"}),
        ("post", "/agencies/DE-BKA/members/99999999999999999999999/suspended/", {}),
        ("post", "/agencies/DE-BKA/invitations/999999/revoke/", {}),
        ("get", "/invitations/" + "A" * 5000 + "/", {}),
        ("post", "/invitations/%20/", {"username": "x"}),
        ("post", "/agencies/DE-BKA/api-keys/", {"name": "k", "user": "abc"}),
        ("post", "/agencies/DE-BKA/api-keys/", {"name": "k" * 500, "user": "1"}),
        ("post", "/agencies/DE-BKA/api-keys/", {"name": "k", "expires_at": "2020-13-45T99:99"}),
        ("post", "/agencies/DE-BKA/api-keys/999999/revoke/", {}),
        ("get", "/api/v1/agencies/?limit=abc&offset=-5", {}),
        ("get", "/api/v1/agencies/?country=" + "Z" * 500, {}),
        ("get", "/api/v1/agencies/%E2%9C%93/members/", {}),
        ("post", "/api/v1/me/", {}),
        ("delete", "/api/v1/agencies/", {}),
    ],
)
def test_malformed_requests_are_answered_with_4xx_or_success(world, client, method, url, data):
    client.force_login(world.owner.admin)
    response = getattr(client, method)(url, data)
    assert response.status_code < 500


def test_the_api_rejects_a_non_latin1_bearer_key_with_401(world, client):
    # A WSGI server hands headers over latin-1 decoded: UTF-8 "✓" arrives as "â\x9c\x93".
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer cc_\xe2\x9c\x93_x")
    assert response.status_code == 401


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_endpoints_cost_the_same_number_of_queries_at_any_page_size(world, api_client_for):
    for n in range(8):
        make_member(world.owner.agency, f"extra{n}", Membership.Role.ANALYST)
    client = api_client_for(world.owner.admin, world.owner.agency)
    client.get("/api/v1/me/")  # the key's first use records last_used_at (one UPDATE)
    for url in ("/api/v1/agencies/?limit={}", "/api/v1/agencies/DE-BKA/members/?limit={}"):
        assert queries_for(client, url.format(1)) == queries_for(client, url.format(50))


def test_the_members_page_costs_the_same_queries_for_3_or_11_members(world, client):
    client.force_login(world.owner.admin)
    before = queries_for(client, "/agencies/DE-BKA/members/")
    for n in range(8):
        make_member(world.owner.agency, f"extra{n}", Membership.Role.ANALYST)
    assert queries_for(client, "/agencies/DE-BKA/members/") == before
