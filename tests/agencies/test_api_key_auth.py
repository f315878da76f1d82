"""API keys: hashed at rest, expiry, revocation, last use, and one agency per key."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services
from agencies.models import APIKey, Membership


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def issue(side, user=None, **kwargs):
    return services.api_key_issue(
        actor=side.admin, agency=side.agency, user=user or side.investigator, name="k", **kwargs
    )


def test_only_the_sha256_of_a_key_is_stored(world):
    key, plaintext = issue(world.owner)
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM agencies_apikey")
        rows = cursor.fetchall()
    assert rows and not any(plaintext in str(value) for row in rows for value in row)
    secret = plaintext.split("_", 2)[2]  # cc_<hex prefix>_<secret>; the secret may hold "_"
    assert not any(secret in str(value) for row in rows for value in row)


def test_a_valid_key_authenticates_and_records_its_last_use(world):
    key, plaintext = issue(world.owner)
    assert key.last_used_at is None
    response = bearer(plaintext).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == world.owner.investigator.username
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert timezone.now() - key.last_used_at < timedelta(seconds=30)


@pytest.mark.parametrize(
    "header",
    ["Bearer cc_000000000000_nope", "Bearer garbage", "Bearer a b", "Bearer "],
)
def test_unknown_or_malformed_keys_get_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_key_with_the_right_prefix_but_wrong_secret_is_refused(world):
    _, plaintext = issue(world.owner)
    response = bearer(plaintext[:-3] + "xyz").get("/api/v1/me/")
    assert response.status_code == 401


def test_an_expired_key_is_refused(world):
    key, plaintext = issue(world.owner, expires_at=timezone.now() + timedelta(hours=1))
    assert bearer(plaintext).get("/api/v1/me/").status_code == 200
    APIKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(plaintext).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid, expired or revoked API key."}


def test_an_expiry_in_the_past_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError, match=re.escape(services.EXPIRY_IN_PAST)) as info:
        issue(world.owner, expires_at=timezone.now() - timedelta(days=1))
    assert "expires_at" in info.value.message_dict


def test_a_revoked_key_is_refused(world):
    key, plaintext = issue(world.owner)
    services.api_key_revoke(actor=world.owner.admin, key=key)
    assert bearer(plaintext).get("/api/v1/me/").status_code == 401


def test_the_key_of_a_suspended_member_is_refused_and_works_again_after_reactivation(world):
    _, plaintext = issue(world.owner)
    membership = Membership.objects.get(user=world.owner.investigator, agency=world.owner.agency)
    services.membership_update(actor=world.owner.admin, membership=membership, status="suspended")
    assert bearer(plaintext).get("/api/v1/me/").status_code == 401
    services.membership_update(actor=world.owner.admin, membership=membership, status="active")
    assert bearer(plaintext).get("/api/v1/me/").status_code == 200


def test_the_key_of_a_deactivated_agency_or_user_is_refused(world):
    _, plaintext = issue(world.partner)
    services.agency_upsert(code=world.partner.agency.code, active=False)
    assert bearer(plaintext).get("/api/v1/me/").status_code == 401
    _, plaintext = issue(world.owner)
    world.owner.investigator.is_active = False
    world.owner.investigator.save()
    assert bearer(plaintext).get("/api/v1/me/").status_code == 401


def test_keys_are_only_issued_to_active_members(world):
    message = services.NOT_ACTIVE_MEMBER.format(
        username=world.partner.investigator.username, agency=world.owner.agency.code
    )
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        issue(world.owner, user=world.partner.investigator)
    assert "user" in info.value.message_dict


def test_a_key_acts_for_its_agency_only(world):
    """A member of two agencies sees only the key's agency through that key."""
    user = world.owner.admin
    services.membership_set(actor=None, agency=world.partner.agency, user=user, role="agency_admin")
    _, owner_key = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=user, name="k"
    )
    client = bearer(owner_key)

    me = client.get("/api/v1/me/").json()
    assert me["acting_agency"] == "DE-BKA"
    assert [m["agency"] for m in me["memberships"]] == ["DE-BKA"]

    assert client.get("/api/v1/agencies/DE-BKA/members/").status_code == 200
    assert client.get("/api/v1/agencies/NL-NHTCU/members/").status_code == 404

    # The same user in the browser (session) acts for both agencies.
    browser = APIClient()
    browser.force_login(user)
    me = browser.get("/api/v1/me/").json()
    assert me["acting_agency"] is None
    assert {m["agency"] for m in me["memberships"]} == {"DE-BKA", "NL-NHTCU"}
    assert browser.get("/api/v1/agencies/NL-NHTCU/members/").status_code == 200


def test_issue_api_key_prints_a_working_key_as_its_last_line(world):
    out = StringIO()
    call_command(
        "issue_api_key", "--agency", "DE-BKA", "--user", world.owner.analyst.username, stdout=out
    )
    plaintext = out.getvalue().strip().splitlines()[-1]
    assert plaintext.startswith("cc_")
    response = bearer(plaintext).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["acting_agency"] == "DE-BKA"


def test_issue_api_key_with_days_sets_an_expiry(world):
    out = StringIO()
    call_command(
        "issue_api_key", "--agency", "DE-BKA", "--user", world.owner.analyst.username,
        "--days", "3", "--name", "nightly", stdout=out,
    )  # fmt: skip
    key = APIKey.objects.get(name="nightly")
    assert timedelta(days=2, hours=23) < key.expires_at - timezone.now() <= timedelta(days=3)


@pytest.mark.parametrize(
    "agency, username, message",
    [
        ("XX-NONE", "owner_admin", "No agency with code 'XX-NONE'"),
        ("DE-BKA", "nobody", "No user 'nobody'"),
        ("DE-BKA", "partner_admin", "user: partner_admin is not an active member of DE-BKA"),
    ],
)
def test_issue_api_key_fails_clearly(world, agency, username, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_api_key", "--agency", agency, "--user", username, stdout=StringIO())
    assert not APIKey.objects.exists()
