"""Second factor in a real browser: an admin owing one is sent to enrolment, scans the QR code,
keeps the recovery codes (one confirms the session), then signs in with a code."""

from __future__ import annotations

import pytest

from agencies import services
from agencies.models import Membership
from tests.conftest import browser_login, totp_code
from tests.factories import PASSWORD, UserFactory


def fill_and_submit(page, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_an_admin_enrols_an_authenticator_app_and_signs_in_with_a_code(world, page):
    user = UserFactory(username="new_admin")
    services.membership_set(
        actor=None, agency=world.owner.agency, user=user, role=Membership.Role.AGENCY_ADMIN
    )
    page.goto("/login/")
    page.fill("input[name=login]", "new_admin")
    fill_and_submit(page, "input[name=password]", PASSWORD)
    assert page.url.endswith("/accounts/2fa/")  # sent to enrolment at once
    page.goto("/cases/")
    assert page.url.endswith("/accounts/2fa/")  # and from every other page

    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # allauth asks for the password before a change
        fill_and_submit(page, "input[name=password]", PASSWORD)
    qr = page.locator("img[src^='data:image/svg+xml']")
    assert qr.is_visible()
    secret = page.input_value("#authenticator_secret")
    fill_and_submit(page, "input[name=code]", totp_code("new_admin", secret))

    assert "/accounts/2fa/recovery-codes/" in page.url
    codes = page.input_value("#recovery_codes").split()
    assert len(codes) == 10

    page.goto("/agencies/DE-BKA/members/")  # this session has not passed the factor yet
    assert "/accounts/2fa/reauthenticate/" in page.url
    fill_and_submit(page, "input[name=code]", codes[0])  # a recovery code works once
    assert page.url.endswith("/agencies/DE-BKA/members/")
    assert page.locator("tr[data-username=new_admin] .second-factor").inner_text() == "Yes"

    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=login]", "new_admin")
    fill_and_submit(page, "input[name=password]", PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    fill_and_submit(page, "input[name=code]", totp_code("new_admin", secret))
    assert page.url.endswith("/")
    assert "new_admin" in page.locator("header").inner_text()


@pytest.mark.browser
def test_a_security_key_is_added_and_signs_in(world, page, settings):
    """Chromium's virtual authenticator (CDP WebAuthn domain) stands in for the key."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks plain http
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    admin = world.owner.admin.username
    browser_login(page, admin, PASSWORD)
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        fill_and_submit(page, "input[name=password]", PASSWORD)
    page.fill("input[name=name]", "Desk key")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)  # registered, page left
    page.goto("/accounts/2fa/webauthn/")
    assert page.locator("main", has_text="Desk key").count() == 1
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=login]", admin)
    fill_and_submit(page, "input[name=password]", PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(f"{page.base_url}/")
    assert admin in page.locator("header").inner_text()
