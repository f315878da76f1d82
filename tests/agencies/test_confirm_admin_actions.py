"""Suspending a member, revoking an API key and revoking an invitation ask first: the GET shows
what the action does, with its numbers, and changes nothing; the POST acts and redirects. Only
the agency's admins (own keys: their holder) reach the confirmation; others get a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.formats import date_format

from agencies import services
from agencies.models import APIKey, Invitation
from tests.agencies.admin_pages import MATRIX, assert_refused, client_as, membership


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("who, expected", MATRIX)
def test_suspend_asks_first_naming_the_keys_that_stop_working(world, client, who, expected):
    target = membership(world.owner.analyst, world.owner.agency)
    for name in ("k1", "k2"):
        services.api_key_issue(actor=None, agency=world.owner.agency, user=target.user, name=name)
    url = f"/agencies/DE-BKA/members/{target.pk}/suspended/"
    response = client_as(who, world, client).get(url)
    if expected is None:
        assert response.status_code == 200
        page = _text(response)
        assert "Suspend owner_analyst?" in page
        assert "2 active API keys of owner_analyst for DE-BKA stop working." in page
        assert 'href="/agencies/DE-BKA/members/"' in page  # Cancel
        members = _text(client.get("/agencies/DE-BKA/members/"))
        assert f'href="{url}"' in members  # the page's Suspend leads here
    else:
        assert_refused(response, who, expected, url)
    target.refresh_from_db()
    assert target.status == "active"


def test_a_confirmed_suspension_redirects_with_a_message(world, client):
    target = membership(world.owner.analyst, world.owner.agency)
    client.force_login(world.owner.admin)
    url = f"/agencies/DE-BKA/members/{target.pk}/suspended/"
    response = client.post(url, follow=True)
    assert response.redirect_chain == [("/agencies/DE-BKA/members/", 302)]
    assert "owner_analyst is now suspended." in _text(response)
    target.refresh_from_db()
    assert target.status == "suspended"


def test_reactivation_needs_no_confirmation_and_refuses_a_get(world, client):
    target = membership(world.owner.analyst, world.owner.agency)
    client.force_login(world.owner.admin)
    assert client.get(f"/agencies/DE-BKA/members/{target.pk}/active/").status_code == 405


@pytest.mark.parametrize("who, expected", MATRIX)
def test_agency_key_revoke_asks_first(world, client, who, expected):
    key, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="SOAR"
    )
    url = f"/agencies/DE-BKA/api-keys/{key.pk}/revoke/"
    response = client_as(who, world, client).get(url)
    if expected is None:
        page = _text(response)
        assert response.status_code == 200
        assert f"Key SOAR ({key.prefix}…) of owner_analyst stops working at once" in page
        assert "It has never been used." in page
        confirmed = client.post(url)
        assert confirmed.status_code == 302
        assert confirmed["Location"] == "/agencies/DE-BKA/api-keys/"
        key.refresh_from_db()
        assert key.revoked_at is not None
    else:
        assert_refused(response, who, expected, url)
        key.refresh_from_db()
        assert key.revoked_at is None


def test_the_last_use_of_a_key_reads_in_the_readers_format(world, client):
    key, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="SOAR"
    )
    used = dt.datetime(2026, 3, 14, 9, 5, tzinfo=dt.UTC)
    APIKey.objects.filter(pk=key.pk).update(last_used_at=used)
    client.force_login(world.owner.admin)
    url = f"/agencies/DE-BKA/api-keys/{key.pk}/revoke/"
    page = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    with translation.override("fr"):
        when = date_format(used, "SHORT_DATETIME_FORMAT")
    assert when in page and "2026-03-14" not in page


def test_own_key_revoke_asks_first_and_another_members_key_is_404(world, client):
    mine, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.investigator, name="mine"
    )
    theirs, _ = services.api_key_issue(
        actor=None, agency=world.partner.agency, user=world.partner.investigator, name="theirs"
    )
    client.force_login(world.owner.investigator)
    page = client.get(f"/api-keys/{mine.pk}/revoke/")
    assert page.status_code == 200 and "stops working at once" in _text(page)
    assert client.get(f"/api-keys/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/api-keys/{theirs.pk}/revoke/").status_code == 404
    assert not APIKey.objects.filter(revoked_at__isnull=False).exists()
    assert client.post(f"/api-keys/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


@pytest.mark.parametrize("who, expected", MATRIX)
def test_invitation_revoke_asks_first(world, client, who, expected):
    invitation, _ = services.invitation_create(
        actor=world.owner.admin, agency=world.owner.agency, email="new@example.org", role="analyst"
    )
    url = f"/agencies/DE-BKA/invitations/{invitation.pk}/revoke/"
    response = client_as(who, world, client).get(url)
    if expected is None:
        assert response.status_code == 200
        assert "The link sent to new@example.org stops working at once." in _text(response)
    else:
        assert_refused(response, who, expected, url)
    assert Invitation.objects.get(pk=invitation.pk).is_open
