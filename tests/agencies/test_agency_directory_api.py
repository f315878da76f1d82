"""REST API of the agency directory: /api/v1/me/, the agencies, an agency's members."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Membership
from tests.factories import make_member
from tests.paging import walk_api


def test_me_with_a_key(world, api_client_for):
    response = api_client_for(world.owner.analyst, world.owner.agency).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "owner_analyst",
        "email": "owner_analyst@example.org",
        "acting_agency": "DE-BKA",
        "memberships": [
            {
                "agency": "DE-BKA",
                "agency_name": "Agency DE-BKA",
                "role": "analyst",
                "status": "active",
                "seconded": False,
            }
        ],
    }


def test_me_anonymous_is_401_with_a_bearer_challenge(db):
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/agencies/", "/api/v1/agencies/DE-BKA/members/"])
def test_every_v1_endpoint_needs_authentication(world, url):
    assert APIClient().get(url).status_code == 401


def test_the_directory_lists_active_agencies_with_their_contact_points(world, api_client_for):
    services.agency_upsert(code=world.secretariat.code, active=False)
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    body = client.get("/api/v1/agencies/").json()
    assert [a["code"] for a in body["results"]] == ["DE-BKA", "IN-CBI", "NL-NHTCU"]
    assert set(body["results"][0]) == {
        "code",
        "name",
        "country",
        "kind",
        "contact_name",
        "contact_phone",
        "contact_email",
    }


@pytest.mark.parametrize(
    "query, codes",
    [
        ("country=NL", ["NL-NHTCU"]),
        ("country=XX", []),
        ("kind=secretariat", ["INT-SG"]),
        ("kind=police&country=DE", ["DE-BKA"]),
    ],
)
def test_the_directory_filters_by_country_and_kind(world, api_client_for, query, codes):
    client = api_client_for(world.owner.analyst, world.owner.agency)
    body = client.get(f"/api/v1/agencies/?{query}").json()
    assert [a["code"] for a in body["results"]] == codes


def test_an_unknown_kind_filter_is_400_naming_the_field(world, api_client_for):
    client = api_client_for(world.owner.analyst, world.owner.agency)
    response = client.get("/api/v1/agencies/?kind=wizard")
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


def test_the_directory_pages_by_code_with_a_cursor_and_no_count(world, api_client_for):
    client = api_client_for(world.owner.analyst, world.owner.agency)
    first = client.get("/api/v1/agencies/?limit=2").json()
    assert set(first) == {"next", "previous", "results"} and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [a["code"] for a in first["results"] + second["results"]] == [
        "DE-BKA",
        "IN-CBI",
        "INT-SG",
        "NL-NHTCU",
    ]
    assert second["next"] is None and second["previous"]


def test_members_endpoint_for_the_agencys_admin(world, api_client_for):
    client = api_client_for(world.owner.admin, world.owner.agency)
    response = client.get("/api/v1/agencies/DE-BKA/members/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(m["username"], m["role"], m["status"]) for m in results] == [
        ("owner_admin", "agency_admin", "active"),
        ("owner_analyst", "analyst", "active"),
        ("owner_investigator", "investigator", "active"),
    ]
    assert set(results[0]) == {
        "id",
        "username",
        "email",
        "role",
        "status",
        "seconded",
        "created_at",
    }


@pytest.mark.parametrize(
    "who",
    ["partner.admin", "outsider.admin", "owner.investigator", "owner.analyst"],
)
def test_members_endpoint_is_404_for_everyone_else(world, api_client_for, who):
    side, role = who.split(".")
    side = getattr(world, side)
    client = api_client_for(getattr(side, role), side.agency)
    assert client.get("/api/v1/agencies/DE-BKA/members/").status_code == 404


def test_members_endpoint_for_an_unknown_agency_is_404(world, api_client_for):
    client = api_client_for(world.owner.admin, world.owner.agency)
    response = client.get("/api/v1/agencies/XX-NONE/members/")
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


def test_members_endpoint_in_the_browser_session(world):
    client = APIClient()
    client.force_login(world.owner.admin)
    assert client.get("/api/v1/agencies/DE-BKA/members/").status_code == 200
    client.force_login(world.partner.admin)
    assert client.get("/api/v1/agencies/DE-BKA/members/").status_code == 404


def test_the_members_list_pages_by_username_once_each(world, api_client_for):
    for n in range(4):
        make_member(world.owner.agency, f"extra{n}", Membership.Role.ANALYST)
    client = api_client_for(world.owner.admin, world.owner.agency)
    url = "/api/v1/agencies/DE-BKA/members/"
    names = walk_api(client, url, limit=2, key="username")
    assert names == sorted(names) and len(names) == 7
