"""The agency's API keys page: every key of the agency listed and revocable, for its admins only;
no admin makes a key that acts as someone else."""

from __future__ import annotations

import pytest

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


def test_an_admin_can_no_longer_mint_a_key_that_acts_as_another_member(world, client):
    client.force_login(world.owner.admin)
    response = client.post(
        "/agencies/DE-BKA/api-keys/", {"name": "siem", "user": world.owner.analyst.pk}
    )
    assert response.status_code == 405
    assert not APIKey.objects.exists()


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


def test_revoke_by_get_only_asks_for_confirmation(world, client):
    key, _ = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="k"
    )
    client.force_login(world.owner.admin)
    response = client.get(f"/agencies/DE-BKA/api-keys/{key.pk}/revoke/")
    assert response.status_code == 200
    assert "stops working at once" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
