"""Lockout after repeated failed sign-ins: refused even with the right password for the cool-off,
audited, shown to the member's agency admin, who can lift it."""

from __future__ import annotations

import uuid

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client

from audit.models import AuditEvent
from cybercoop import settings as project_settings
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _production_rate_limits(settings):
    """allauth's limits as deployed (the suite turns them off): its own failed-login limit
    must not preempt the audited, liftable lockout. Each test signs in from its own address."""
    settings.ACCOUNT_RATE_LIMITS = project_settings.ACCOUNT_RATE_LIMITS


def address() -> str:
    """An address of its own for each caller: lockouts count per username and per address."""
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


def attempt(username: str, password: str, client: Client | None = None):
    client = client or Client(REMOTE_ADDR=address())
    return client.post("/login/", {"login": username, "password": password})


def lock_out(username: str) -> None:
    client = Client(REMOTE_ADDR=address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(username, "wrong-password", client)


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_message(world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("owner_analyst", "wrong-password").status_code == 200
    response = attempt("owner_analyst", "wrong-password")
    assert response.status_code == 429
    response = attempt("owner_analyst", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "even with the right password" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_lockout_is_per_username(world):
    lock_out("owner_analyst")
    assert attempt("owner_investigator", PASSWORD)["Location"] == "/"


def test_the_lockout_ends_after_the_cool_off(world):
    lock_out("owner_analyst")
    AccessAttempt.objects.filter(username="owner_analyst").update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME
    )
    assert attempt("owner_analyst", PASSWORD)["Location"] == "/"


def test_the_lockout_is_audited_for_the_members_agency(world):
    lock_out("owner_analyst")
    event = AuditEvent.objects.filter(action="account.locked_out").latest("id")
    assert event.agency_code == "DE-BKA"
    assert event.summary["username"] == "owner_analyst"
    assert event.summary["failures"] == settings.AXES_FAILURE_LIMIT


@pytest.mark.parametrize("who, expected", [("owner_admin", 302), ("partner_admin", 404)])
def test_the_agencys_admin_sees_and_lifts_the_lockout(world, client, who, expected):
    lock_out("owner_analyst")
    client.force_login(world.owner.admin)
    page = client.get("/agencies/DE-BKA/members/").content.decode()
    assert "locked out after failed sign-ins" in page
    membership = world.owner.analyst.memberships.get(agency=world.owner.agency)
    client.force_login(getattr(world, who.split("_")[0]).admin)
    response = client.post(f"/agencies/DE-BKA/members/{membership.pk}/unlock/")
    assert response.status_code == expected
    lifted = expected == 302
    assert (attempt("owner_analyst", PASSWORD).status_code == 302) is lifted
    assert AuditEvent.objects.filter(action="account.lockout_lifted").exists() is lifted


def test_one_address_failing_for_many_usernames_is_locked_out(world):
    client = Client(REMOTE_ADDR=address())
    names = ["owner_admin", "owner_analyst", "partner_admin", "partner_analyst", "reviewer"]
    for username in names[: settings.AXES_FAILURE_LIMIT]:
        attempt(username, "wrong-password", client)
    assert attempt("owner_investigator", PASSWORD, client).status_code == 429
    assert attempt("owner_investigator", PASSWORD)["Location"] == "/"  # from elsewhere
