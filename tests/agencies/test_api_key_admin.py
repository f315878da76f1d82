"""The API keys page: create (shown once), list and revoke, for the agency's admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies import services
from agencies.models import APIKey

MATRIX = [("owner_admin", None), ("partner_admin", 404), ("owner_investigator", 404), ("anon", 302)]


def login(who, world, client):
    if who != "anon":
        side, role = who.split("_")
        client.force_login(getattr(getattr(world, side), role))
    return client


@pytest.mark.parametrize("who, expected", MATRIX)
def test_the_keys_page_lists_the_agencys_keys(world, client, who, expected):
    services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="ours"
    )
    services.api_key_issue(
        actor=None, agency=world.partner.agency, user=world.partner.analyst, name="theirs"
    )
    url = "/agencies/DE-BKA/api-keys/"
    response = login(who, world, client).get(url)
    if expected is None:
        assert response.status_code == 200
        assert [k.name for k in response.context["keys"]] == ["ours"]
    else:
        assert response.status_code == expected
        if expected == 302:
            assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("who, expected", MATRIX)
def test_creating_a_key_shows_it_once(world, client, who, expected):
    url = "/agencies/DE-BKA/api-keys/"
    client = login(who, world, client)
    response = client.post(url, {"name": "siem", "user": world.owner.analyst.pk})
    if expected is None:
        assert response.status_code == 200
        plaintext = response.context["plaintext"]
        key = APIKey.objects.get()
        assert (key.name, key.user, key.agency, key.created_by) == (
            "siem",
            world.owner.analyst,
            world.owner.agency,
            world.owner.admin,
        )
        assert plaintext.encode() in response.content
        assert plaintext.encode() not in client.get(url).content
        assert key.key_hash == services.hash_token(plaintext)
    else:
        assert response.status_code == expected
        assert not APIKey.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "user": "owner_analyst"}, "name"),
        ({"name": "k", "user": "partner_analyst"}, "user"),
        ({"name": "k", "user": "999999"}, "user"),
        ({"name": "k", "user": "owner_analyst", "expires_at": "yesterday"}, "expires_at"),
        ({"name": "k", "user": "owner_analyst", "expires_at": "2001-01-01T00:00"}, "expires_at"),
    ],
)
def test_bad_key_input_is_400_naming_the_field(world, client, data, field):
    users = {
        "owner_analyst": world.owner.analyst.pk,
        "partner_analyst": world.partner.analyst.pk,
    }
    data = {**data, "user": users.get(data["user"], data["user"])}
    client.force_login(world.owner.admin)
    response = client.post("/agencies/DE-BKA/api-keys/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not APIKey.objects.exists()


def test_a_key_with_a_future_expiry_is_created(world, client):
    client.force_login(world.owner.admin)
    when = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/agencies/DE-BKA/api-keys/",
        {"name": "k", "user": world.owner.analyst.pk, "expires_at": when},
    )
    assert response.status_code == 200
    assert APIKey.objects.get().expires_at > timezone.now() + timedelta(days=29)


@pytest.mark.parametrize("who, expected", MATRIX)
def test_revoking_a_key(world, client, who, expected):
    key, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="k"
    )
    url = f"/agencies/DE-BKA/api-keys/{key.pk}/revoke/"
    response = login(who, world, client).post(url)
    key.refresh_from_db()
    if expected is None:
        assert response.status_code == 302
        assert key.revoked_at is not None
        page = client.get("/agencies/DE-BKA/api-keys/")
        assert b"revoked" in page.content
    else:
        assert response.status_code == expected
        assert key.revoked_at is None


def test_a_key_of_another_agency_is_404_through_ones_own(world, client):
    key, _ = services.api_key_issue(
        actor=None, agency=world.partner.agency, user=world.partner.analyst, name="k"
    )
    client.force_login(world.owner.admin)
    assert client.post(f"/agencies/DE-BKA/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_revoke_only_accepts_post(world, client):
    key, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="k"
    )
    client.force_login(world.owner.admin)
    assert client.get(f"/agencies/DE-BKA/api-keys/{key.pk}/revoke/").status_code == 405


def test_an_empty_post_is_400_naming_the_required_fields(world, client):
    client.force_login(world.owner.admin)
    response = client.post("/agencies/DE-BKA/api-keys/")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "user"}
