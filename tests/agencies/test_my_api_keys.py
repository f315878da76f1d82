"""A member's own API keys: made by the member for one of their agencies, with scopes and
networks, shown once; creating one needs a session that passed the second factor."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agencies import services
from agencies.models import APIKey
from agencies.second_factor import totp_enrol
from agencies.views import KEY_NEEDS_ENROLMENT, KEY_NEEDS_FACTOR
from tests.factories import PASSWORD, TOTP_SECRET

URL = "/api-keys/"


def form(world, **extra):
    return {"name": "siem", "agency": world.owner.agency.pk, "scopes": ["read"], **extra}


def test_a_member_makes_a_key_that_acts_as_them_shown_once(world, client):
    client.force_login(world.owner.analyst)
    posted = client.post(URL, form(world, scopes=["read", "taxii"]))
    # Post/redirect/get: a reload of the page does not make a second key.
    assert posted.status_code == 302 and posted["Location"] == URL
    response = client.get(URL)
    plaintext = response.context["plaintext"]
    key = APIKey.objects.get()
    assert (key.name, key.user, key.agency, key.created_by, key.scopes) == (
        "siem",
        world.owner.analyst,
        world.owner.agency,
        world.owner.analyst,
        ["read", "taxii"],
    )
    assert plaintext.encode() in response.content
    assert plaintext.encode() not in client.get(URL).content
    assert key.key_hash == services.hash_token(plaintext)


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"name": ""}, "name"),
        ({"agency": "partner"}, "agency"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["admin"]}, "scopes"),
        ({"allowed_networks": "10.0.0.0/8, not-a-net"}, "allowed_networks"),
        ({"expires_at": "2001-01-01T00:00"}, "expires_at"),
    ],
)
def test_bad_key_input_is_400_naming_the_field(world, client, extra, field):
    if extra.get("agency") == "partner":
        extra = {"agency": world.partner.agency.pk}
    client.force_login(world.owner.analyst)
    response = client.post(URL, form(world, **extra))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not APIKey.objects.exists()


def test_networks_and_expiry_are_kept(world, client):
    client.force_login(world.owner.analyst)
    when = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    client.post(URL, form(world, allowed_networks="192.0.2.0/24 198.51.100.7", expires_at=when))
    key = APIKey.objects.get()
    assert key.allowed_networks == ["192.0.2.0/24", "198.51.100.7/32"]
    assert key.expires_at > timezone.now() + timedelta(days=29)


def test_a_session_without_a_second_factor_is_sent_to_set_one_up(world):
    client = Client()
    client.post("/login/", {"login": "owner_analyst", "password": PASSWORD})
    assert client.get(URL).status_code == 200  # the list is readable
    response = client.post(URL, form(world), follow=True)
    assert response.redirect_chain[0][0] == "/accounts/2fa/"
    assert KEY_NEEDS_ENROLMENT in [str(m) for m in response.context["messages"]]
    assert not APIKey.objects.exists()


def test_a_password_only_session_must_confirm_the_factor(world):
    totp_enrol(user=world.owner.analyst, secret=TOTP_SECRET)
    client = Client()
    client.force_login(world.owner.analyst)
    session = client.session  # signed in with the password alone, before enrolling
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session.save()
    response = client.post(URL, form(world))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=/api-keys/"
    assert not APIKey.objects.exists()
    messages = [str(m) for m in client.get("/accounts/2fa/").context["messages"]]
    assert KEY_NEEDS_FACTOR in messages


def test_a_member_revokes_their_own_key_but_not_anothers(world, client):
    mine, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="mine"
    )
    theirs, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.investigator, name="theirs"
    )
    client.force_login(world.owner.analyst)
    assert client.post(f"/api-keys/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/api-keys/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert [k.name for k in client.get(URL).context["keys"]] == ["mine"]


def test_anonymous_is_sent_to_login(db, client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"
