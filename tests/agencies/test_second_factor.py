"""Second factor: required of admins, reviewers and members of agencies that ask for it;
enrolment first, then a session that passed the factor; API keys unaffected; seeds encrypted."""

from __future__ import annotations

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from agencies import services
from agencies.models import Membership
from agencies.second_factor import API_REFUSED, ENROL, MFAAdapter, has_second_factor, totp_enrol
from audit.models import AuditEvent
from tests.conftest import totp_code
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, make_member


def sign_in(username: str) -> Client:
    """A browser-like client signed in with the password only (the real login view)."""
    client = Client()
    response = client.post("/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def new_admin(agency):
    """An agency admin who has not enrolled a second factor yet."""
    user = UserFactory()
    services.membership_set(actor=None, agency=agency, user=user, role=Membership.Role.AGENCY_ADMIN)
    return user


def test_an_admin_without_a_factor_reaches_only_enrolment_and_logout(world):
    client = sign_in(new_admin(world.owner.agency).username)
    for url in ["/", "/cases/", "/agencies/DE-BKA/members/", "/agencies/DE-BKA/api-keys/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/accounts/2fa/"
    response = client.get("/accounts/2fa/", follow=True)
    assert response.status_code == 200
    assert ENROL in [str(m) for m in response.context["messages"]]
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_an_investigator_needs_no_factor_unless_the_agency_requires_it(world):
    client = sign_in(world.owner.investigator.username)
    assert client.get("/cases/").status_code == 200
    services.agency_require_second_factor(
        actor=world.owner.admin, agency=world.owner.agency, required=True
    )
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    # another agency's members are not concerned
    assert sign_in(world.partner.investigator.username).get("/cases/").status_code == 200


def test_an_enrolled_admin_signs_in_with_a_code_before_reaching_anything(world):
    client = Client()
    response = client.post("/login/", {"login": world.owner.admin.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(world.owner.admin.username)}
    )
    assert response.status_code == 302
    assert client.get("/agencies/DE-BKA/members/").status_code == 200


def test_a_password_only_session_must_confirm_the_factor_before_admin_pages(world):
    admin = new_admin(world.owner.agency)
    client = sign_in(admin.username)
    totp_enrol(user=admin, secret=TOTP_SECRET)  # enrolled in this session, after the password
    response = client.get("/agencies/DE-BKA/members/")
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/2fa/reauthenticate/?next=%2Fagencies%2FDE-BKA%2Fmembers%2F"
    )
    client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(admin.username)})
    assert client.get("/agencies/DE-BKA/members/").status_code == 200


def test_a_session_without_the_factor_gets_403_on_the_api_but_a_key_is_unaffected(
    world, api_client_for
):
    client = sign_in(new_admin(world.owner.agency).username)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == {"detail": API_REFUSED}
    api = api_client_for(world.owner.admin, world.owner.agency)
    assert api.get("/api/v1/me/").status_code == 200


def test_the_last_factor_of_someone_who_must_have_one_cannot_be_removed(world):
    adapter = MFAAdapter()
    admin_factor = Authenticator.objects.get(user=world.owner.admin, type="totp")
    assert not adapter.can_delete_authenticator(admin_factor)
    totp_enrol(user=world.owner.investigator, secret=pyotp.random_base32())
    member_factor = Authenticator.objects.get(user=world.owner.investigator, type="totp")
    assert adapter.can_delete_authenticator(member_factor)


def test_authenticator_seeds_are_encrypted_at_rest(world):
    stored = Authenticator.objects.get(user=world.owner.admin, type="totp").data["secret"]
    assert TOTP_SECRET not in stored
    assert MFAAdapter().decrypt(stored) == TOTP_SECRET


@pytest.mark.parametrize("who, expected", [("owner_admin", 302), ("partner_admin", 404)])
def test_only_the_agencys_admin_sets_the_policy_and_it_is_audited(world, client, who, expected):
    user = {"owner_admin": world.owner.admin, "partner_admin": world.partner.admin}[who]
    client.force_login(user)
    response = client.post("/agencies/DE-BKA/second-factor/", {"required": "1"})
    assert response.status_code == expected
    world.owner.agency.refresh_from_db()
    assert world.owner.agency.require_second_factor is (expected == 302)
    events = AuditEvent.objects.filter(action="agency.second_factor_policy")
    assert events.count() == (1 if expected == 302 else 0)


def test_the_members_page_shows_who_has_a_second_factor(world, client):
    make_member(world.owner.agency, "owner_newbie")
    client.force_login(world.owner.admin)
    html = client.get("/agencies/DE-BKA/members/").content.decode()
    admin_row = re.search(r'data-username="owner_admin".*?</tr>', html, re.S).group(0)
    newbie_row = re.search(r'data-username="owner_newbie".*?</tr>', html, re.S).group(0)
    assert ">Yes<" in admin_row and ">Not yet<" in newbie_row
    assert has_second_factor(world.owner.admin) and not has_second_factor(world.owner.analyst)


def test_operators_must_use_a_second_factor_too(db):
    operator = UserFactory(is_staff=True)
    client = sign_in(operator.username)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
