"""Agency admin pages: inviting members and revoking open invitations, own agency only."""

from __future__ import annotations

import pytest

from agencies import services
from agencies.models import Invitation, Membership
from tests.agencies.admin_pages import MATRIX, assert_refused, client_as, membership, messages_of

# --- invite ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who, expected", MATRIX)
def test_invite(world, client, who, expected):
    url = "/agencies/DE-BKA/members/invite/"
    response = client_as(who, world, client).post(
        url, {"email": "New@Example.org", "role": "analyst"}
    )
    if expected is None:
        # Post/redirect/get: the link is shown once, on the page the invite redirects to.
        assert response.status_code == 302 and response["Location"] == "/agencies/DE-BKA/members/"
        response = client.get(response["Location"])
        assert response.status_code == 200
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.agency) == (
            "new@example.org",
            "analyst",
            world.owner.agency,
        )
        link = response.context["invitation_link"]
        assert link.startswith("http://testserver/invitations/")
        token = link.rstrip("/").rsplit("/", 1)[-1]
        assert invitation.token_hash == services.hash_token(token) != token
    else:
        assert_refused(response, who, expected, url)
        assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "not-an-email", "role": "analyst"}, "email"),
        ({"email": "", "role": "analyst"}, "email"),
        ({"email": "a@example.org", "role": "wizard"}, "role"),
        ({"email": "a@example.org", "role": "reviewer"}, "role"),
        ({"email": "owner_investigator@example.org", "role": "analyst"}, "email"),
    ],
)
def test_invite_with_bad_input_is_400_naming_the_field(world, client, data, field):
    client.force_login(world.owner.admin)
    response = client.post("/agencies/DE-BKA/members/invite/", data)
    assert response.status_code == 400
    assert list(response.context["invite_form"].errors) == [field]
    assert not Invitation.objects.exists()


def test_a_secretariat_may_invite_a_reviewer(world, client):
    admin = services.membership_set(
        actor=None, agency=world.secretariat, user=world.owner.admin, role="agency_admin"
    ).user
    client.force_login(admin)
    response = client.post(
        f"/agencies/{world.secretariat.code}/members/invite/",
        {"email": "rev@example.org", "role": "reviewer"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().role == "reviewer"


def test_reloading_the_page_after_an_invite_sends_no_second_invitation(world, client):
    client.force_login(world.owner.admin)
    response = client.post(
        "/agencies/DE-BKA/members/invite/", {"email": "once@example.org", "role": "analyst"}
    )
    assert response.status_code == 302
    first = client.get(response["Location"])
    assert "Invitation for once@example.org created." in first.content.decode()
    assert 'id="invitation-link"' in first.content.decode()
    # A reload is a GET of the members page: no new invitation, and the link is not shown again.
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert 'id="invitation-link"' not in again.content.decode()
    assert Invitation.objects.filter(email="once@example.org").count() == 1


def test_an_invitation_link_is_not_shown_on_another_agencys_members_page(world, client):
    admin = services.membership_set(
        actor=None, agency=world.partner.agency, user=world.owner.admin, role="agency_admin"
    ).user
    client.force_login(admin)
    client.post("/agencies/DE-BKA/members/invite/", {"email": "x@example.org", "role": "analyst"})
    other = client.get(f"/agencies/{world.partner.agency.code}/members/")
    assert 'id="invitation-link"' not in other.content.decode()
    # ... and it is gone for its own page too: shown at most once.
    assert 'id="invitation-link"' not in client.get("/agencies/DE-BKA/members/").content.decode()


def test_invite_only_accepts_post(world, client):
    client.force_login(world.owner.admin)
    assert client.get("/agencies/DE-BKA/members/invite/").status_code == 405


# --- invitation revoke ----------------------------------------------------------------------


@pytest.fixture
def invitation(world) -> Invitation:
    invitation, _ = services.invitation_create(
        actor=world.owner.admin, agency=world.owner.agency, email="x@example.org", role="analyst"
    )
    return invitation


@pytest.mark.parametrize("who, expected", MATRIX)
def test_invitation_revoke(world, client, invitation, who, expected):
    url = f"/agencies/DE-BKA/invitations/{invitation.pk}/revoke/"
    response = client_as(who, world, client).post(url)
    invitation.refresh_from_db()
    if expected is None:
        assert response.status_code == 302
        assert invitation.state == "revoked"
    else:
        assert_refused(response, who, expected, url)
        assert invitation.state == "open"


def test_an_invitation_of_another_agency_is_404_through_ones_own(world, client, invitation):
    client.force_login(world.partner.admin)
    response = client.post(f"/agencies/NL-NHTCU/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 404


def test_revoking_twice_is_400_naming_the_invitation(world, client, invitation):
    client.force_login(world.owner.admin)
    client.post(f"/agencies/DE-BKA/invitations/{invitation.pk}/revoke/")
    response = client.post(f"/agencies/DE-BKA/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 400
    assert messages_of(response)[-1] == f"Invitation: {services.INVITATION_NOT_OPEN}"


def test_revoking_drops_the_placeholder_membership_of_an_existing_user(world, client):
    invitation, _ = services.invitation_create(
        actor=world.owner.admin,
        agency=world.owner.agency,
        email=world.outsider.analyst.email,
        role="analyst",
    )
    assert membership(world.outsider.analyst, world.owner.agency).status == "invited"
    client.force_login(world.owner.admin)
    client.post(f"/agencies/DE-BKA/invitations/{invitation.pk}/revoke/")
    assert not Membership.objects.filter(
        user=world.outsider.analyst, agency=world.owner.agency
    ).exists()
