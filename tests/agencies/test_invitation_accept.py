"""Accepting an invitation: valid once, before expiry, unless revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies import services
from agencies.models import Invitation, Membership

STRONG = "a-long-enough-passphrase-42"


@pytest.fixture
def invited(world):
    invitation, token = services.invitation_create(
        actor=world.owner.admin, agency=world.owner.agency, email="new@example.org", role="analyst"
    )
    return invitation, f"/invitations/{token}/"


def test_a_valid_invitation_shows_the_agency_and_role_to_anyone_with_the_link(invited, client):
    _, url = invited
    response = client.get(url)
    assert response.status_code == 200
    assert b"Join Agency DE-BKA" in response.content
    assert b"Analyst" in response.content


def test_a_new_person_creates_an_account_and_becomes_an_active_member(invited, client):
    invitation, url = invited
    response = client.post(url, {"username": "newbie", "password": STRONG})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get(username="newbie")
    assert user.email == "new@example.org"
    assert user.check_password(STRONG)
    membership = Membership.objects.get(user=user)
    assert (membership.agency.code, membership.role, membership.status) == (
        "DE-BKA",
        "analyst",
        "active",
    )
    assert set(user.groups.values_list("name", flat=True)) == {
        "agency:DE-BKA",
        "jurisdiction:DE",
        "jurisdiction:EU",
    }
    home = client.get("/")  # logged in by the acceptance
    assert home.status_code == 200
    assert [m.agency.code for m in home.context["memberships"]] == ["DE-BKA"]
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.accepted_by == user


def test_a_signed_in_user_accepts_for_their_existing_account(world, client):
    invitation, token = services.invitation_create(
        actor=world.owner.admin,
        agency=world.owner.agency,
        email=world.outsider.analyst.email,
        role="investigator",
    )
    client.force_login(world.outsider.analyst)
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.outsider.analyst, agency=world.owner.agency)
    assert (membership.role, membership.status) == ("investigator", "active")
    assert Membership.objects.filter(user=world.outsider.analyst).count() == 2


def test_a_used_invitation_cannot_be_used_again(invited, client):
    _, url = invited
    client.post(url, {"username": "first", "password": STRONG})
    client.logout()
    assert client.get(url).status_code == 404
    response = client.post(url, {"username": "second", "password": STRONG})
    assert response.status_code == 404
    assert b"Invitation not valid" in response.content
    assert not get_user_model().objects.filter(username="second").exists()


def test_an_expired_invitation_is_404(invited, client):
    invitation, url = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 404
    assert client.post(url, {"username": "late", "password": STRONG}).status_code == 404


def test_a_revoked_invitation_is_404(world, invited, client):
    invitation, url = invited
    services.invitation_revoke(actor=world.owner.admin, invitation=invitation)
    assert client.get(url).status_code == 404


def test_an_unknown_token_is_404(db, client):
    assert client.get("/invitations/not-a-token/").status_code == 404


@pytest.mark.parametrize(
    "data, field",
    [
        ({"username": "", "password": STRONG}, "username"),
        ({"username": "bad name!", "password": STRONG}, "username"),
        ({"username": "owner_admin", "password": STRONG}, "username"),
        ({"username": "newbie", "password": "short"}, "password"),
        ({"username": "newbie", "password": "password123"}, "password"),
        ({"username": "newbie", "password": "12345678901"}, "password"),
    ],
)
def test_bad_account_details_are_400_naming_the_field(world, invited, client, data, field):
    invitation, url = invited
    response = client.post(url, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    invitation.refresh_from_db()
    assert invitation.state == "open"  # still usable after a mistake
    assert not get_user_model().objects.filter(email="new@example.org").exists()


def test_expiry_follows_the_configured_lifetime(world, settings):
    settings.INVITATION_TTL = timedelta(hours=2)
    invitation, _ = services.invitation_create(
        actor=world.owner.admin, agency=world.owner.agency, email="t@example.org", role="analyst"
    )
    assert (
        timedelta(hours=1, minutes=59)
        < invitation.expires_at - timezone.now()
        <= timedelta(hours=2)
    )


def test_an_empty_post_is_400_naming_the_required_fields(invited, client):
    _, url = invited
    response = client.post(url)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username", "password"}


def test_a_signed_in_user_with_another_address_is_refused(invited, world, client):
    invitation, url = invited
    client.force_login(world.outsider.analyst)
    response = client.post(url)
    assert response.status_code == 400
    message = services.NOT_THE_INVITED_ADDRESS.format(email=world.outsider.analyst.email)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Membership.objects.filter(
        user=world.outsider.analyst, agency=world.owner.agency
    ).exists()
    invitation.refresh_from_db()
    assert invitation.state == "open"
