"""Agency admin pages: the members list, roles and suspension, own agency only."""

from __future__ import annotations

import pytest

from agencies import services
from agencies.services import LAST_ADMIN, NOT_ACCEPTED
from tests.agencies.admin_pages import MATRIX, assert_refused, client_as, membership, messages_of
from tests.paging import walk_html


@pytest.mark.parametrize("who, expected", MATRIX)
def test_members_page_is_for_the_agencys_admins_only(world, client, who, expected):
    url = "/agencies/DE-BKA/members/"
    response = client_as(who, world, client).get(url)
    if expected is None:
        assert response.status_code == 200
        names = [m.user.username for m in response.context["members"]]
        assert names == ["owner_admin", "owner_analyst", "owner_investigator"]
        assert b"partner_admin" not in response.content
    else:
        assert_refused(response, who, expected, url)


def test_an_unknown_agency_answers_404_like_a_foreign_one(world, client):
    client.force_login(world.owner.admin)
    assert client.get("/agencies/XX-NOPE/members/").status_code == 404


def test_an_admin_of_two_agencies_manages_both(world, client):
    services.membership_set(
        actor=None, agency=world.partner.agency, user=world.owner.admin, role="agency_admin"
    )
    client.force_login(world.owner.admin)
    assert client.get("/agencies/DE-BKA/members/").status_code == 200
    assert client.get("/agencies/NL-NHTCU/members/").status_code == 200
    assert client.get("/agencies/IN-CBI/members/").status_code == 404


def test_a_suspended_admin_loses_the_admin_pages(world, client):
    second = world.owner.analyst
    services.membership_update(
        actor=None, membership=membership(second, world.owner.agency), role="agency_admin"
    )
    services.membership_update(
        actor=None, membership=membership(world.owner.admin, world.owner.agency), status="suspended"
    )
    client.force_login(world.owner.admin)
    assert client.get("/agencies/DE-BKA/members/").status_code == 404


# --- role change ----------------------------------------------------------------------------


@pytest.mark.parametrize("who, expected", MATRIX)
def test_role_change(world, client, who, expected):
    target = membership(world.owner.investigator, world.owner.agency)
    url = f"/agencies/DE-BKA/members/{target.pk}/role/"
    response = client_as(who, world, client).post(url, {"role": "analyst"})
    target.refresh_from_db()
    if expected is None:
        assert response.status_code == 302
        assert response["Location"] == "/agencies/DE-BKA/members/"
        assert target.role == "analyst"
        page = client.get("/agencies/DE-BKA/members/")
        assert "owner_investigator is now Analyst." in messages_of(page)
    else:
        assert_refused(response, who, expected, url)
        assert target.role == "investigator"


def test_a_member_of_another_agency_cannot_be_reached_through_ones_own_agency(world, client):
    foreign = membership(world.partner.investigator, world.partner.agency)
    client.force_login(world.owner.admin)
    response = client.post(f"/agencies/DE-BKA/members/{foreign.pk}/role/", {"role": "analyst"})
    assert response.status_code == 404
    response = client.post(f"/agencies/DE-BKA/members/{foreign.pk}/suspended/")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.role, foreign.status) == ("investigator", "active")


@pytest.mark.parametrize(
    "who, role, message",
    [
        ("investigator", "wizard", "Role: Select a valid choice. wizard is not one of"),
        ("investigator", "", "Role: This field is required."),
        ("investigator", "reviewer", "Role: Only secretariat agencies have reviewers."),
        ("admin", "analyst", f"Role: {LAST_ADMIN}"),
    ],
)
def test_a_bad_role_change_is_400_naming_the_field(world, client, who, role, message):
    target = membership(getattr(world.owner, who), world.owner.agency)
    client.force_login(world.owner.admin)
    response = client.post(f"/agencies/DE-BKA/members/{target.pk}/role/", {"role": role})
    assert response.status_code == 400
    assert any(m.startswith(message) for m in messages_of(response)), messages_of(response)
    assert membership(getattr(world.owner, who), world.owner.agency).role == target.role


def test_an_admin_can_hand_over_and_then_step_down(world, client):
    client.force_login(world.owner.admin)
    analyst = membership(world.owner.analyst, world.owner.agency)
    own = membership(world.owner.admin, world.owner.agency)
    client.post(f"/agencies/DE-BKA/members/{analyst.pk}/role/", {"role": "agency_admin"})
    response = client.post(f"/agencies/DE-BKA/members/{own.pk}/role/", {"role": "investigator"})
    assert response.status_code == 302
    assert client.get("/agencies/DE-BKA/members/").status_code == 404


# --- suspend and reactivate -----------------------------------------------------------------


@pytest.mark.parametrize("who, expected", MATRIX)
def test_suspend_and_reactivate(world, client, who, expected):
    target = membership(world.owner.analyst, world.owner.agency)
    client = client_as(who, world, client)
    for status in ("suspended", "active"):
        url = f"/agencies/DE-BKA/members/{target.pk}/{status}/"
        response = client.post(url)
        target.refresh_from_db()
        if expected is None:
            assert response.status_code == 302
            assert target.status == status
        else:
            assert_refused(response, who, expected, url)
            assert target.status == "active"


def test_a_suspended_member_is_marked_and_loses_their_groups(world, client):
    target = membership(world.owner.analyst, world.owner.agency)
    client.force_login(world.owner.admin)
    client.post(f"/agencies/DE-BKA/members/{target.pk}/suspended/")
    page = client.get("/agencies/DE-BKA/members/")
    assert b"Reactivate" in page.content
    assert not world.owner.analyst.groups.exists()


def test_the_last_admin_cannot_be_suspended(world, client):
    own = membership(world.owner.admin, world.owner.agency)
    client.force_login(world.owner.admin)
    response = client.post(f"/agencies/DE-BKA/members/{own.pk}/suspended/")
    assert response.status_code == 400
    assert messages_of(response) == [f"Role: {LAST_ADMIN}"]


def test_an_invited_member_cannot_be_activated_without_accepting(world, client):
    services.invitation_create(
        actor=world.owner.admin,
        agency=world.owner.agency,
        email=world.partner.analyst.email,
        role="analyst",
    )
    invited = membership(world.partner.analyst, world.owner.agency)
    client.force_login(world.owner.admin)
    for url, data in (
        (f"/agencies/DE-BKA/members/{invited.pk}/active/", {}),
        (f"/agencies/DE-BKA/members/{invited.pk}/role/", {"role": "agency_admin"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert messages_of(response) == [f"Status: {NOT_ACCEPTED}"]
    invited.refresh_from_db()
    assert (invited.status, invited.role) == ("invited", "analyst")


def test_an_unknown_status_is_404(world, client):
    target = membership(world.owner.analyst, world.owner.agency)
    client.force_login(world.owner.admin)
    assert client.post(f"/agencies/DE-BKA/members/{target.pk}/invited/").status_code == 404


def test_the_members_page_pages_by_username(world, client, monkeypatch):
    monkeypatch.setattr("agencies.views.MEMBERS_PAGE_SIZE", 2)
    client.force_login(world.owner.admin)
    members = walk_html(client, "/agencies/DE-BKA/members/", page="members")
    names = [m.user.username for m in members]
    assert names == sorted(names) and len(names) == 3
