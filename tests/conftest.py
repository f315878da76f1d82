"""Shared fixtures: an owner agency, a partner agency and an outsider agency.

Owner (DE) and partner (NL) are both in the EU regime; the outsider (IN) is in none.
Every view and endpoint test uses these three (Healthchecks' Alice / Bob / Charlie).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pyotp
import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.auth.models import AbstractUser
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Agency, Membership, SharingAgreement
from sharing.ingest import indicators_ingest
from tests.factories import (
    TOTP_SECRET,
    AgencyFactory,
    JurisdictionFactory,
    RegimeFactory,
    make_member,
)
from tests.xdist_worker import isolate_worker
from tools.verify_log import Verifier

isolate_worker()


@dataclass
class Side:
    agency: Agency
    admin: AbstractUser
    investigator: AbstractUser
    analyst: AbstractUser


@dataclass
class World:
    owner: Side
    partner: Side
    outsider: Side
    secretariat: Agency
    reviewer: AbstractUser


def _side(code: str, country: Any, prefix: str) -> Side:
    agency = AgencyFactory(code=code, country=country)
    return Side(
        agency=agency,
        admin=make_member(agency, f"{prefix}_admin", Membership.Role.AGENCY_ADMIN),
        investigator=make_member(agency, f"{prefix}_investigator"),
        analyst=make_member(agency, f"{prefix}_analyst", Membership.Role.ANALYST),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's million rounds cost ~0.3 s per user; tests need the check, not the cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """LocaleMiddleware activates the request's language (Accept-Language) in the thread and
    leaves it there; the next test's code outside a request must start in the default one."""
    yield
    translation.deactivate()


@pytest.fixture
def catalogue(monkeypatch):
    """``catalogue(language, {msgid: msgstr})`` gives new sentences their translation for one
    test, ahead of the catalogues (``make messages`` and the translators fill them later)."""

    def add(language: str, entries: dict[str, str]) -> None:
        # The language's first catalogue is read first: an entry there wins over the files'.
        first = trans_real.translation(language)._catalog._catalogs[0]
        for msgid, msgstr in entries.items():
            monkeypatch.setitem(first, msgid, msgstr)

    return add


@pytest.fixture(autouse=True)
def _no_rate_limits_across_tests(settings):
    """allauth counts failed sign-ins per address in the (shared, Redis) cache, which outlives
    a test; the tests of that limit turn it on with an address of their own."""
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _force_login_is_a_complete_sign_in(monkeypatch):
    """``force_login`` stands for a finished sign-in: password and, where the member must use
    one, second factor (tests of the second factor itself sign in through the real pages)."""
    login = Client._login

    def _login(self, user, backend=None):
        login(self, user, backend)
        session = self.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "mfa", "at": time.time(), "type": "totp"}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture
def world(db) -> World:
    eu = RegimeFactory(code="EU", name="European Union")
    de = JurisdictionFactory(code="DE", name="Germany")
    nl = JurisdictionFactory(code="NL", name="Netherlands")
    fr = JurisdictionFactory(code="FR", name="France")
    india = JurisdictionFactory(code="IN", name="India")
    for country in (de, nl, fr):
        country.regimes.add(eu)
    secretariat = AgencyFactory(code="INT-SG", country=fr, kind=Agency.Kind.SECRETARIAT)
    world = World(
        owner=_side("DE-BKA", de, "owner"),
        partner=_side("NL-NHTCU", nl, "partner"),
        outsider=_side("IN-CBI", india, "outsider"),
        secretariat=secretariat,
        reviewer=make_member(secretariat, "reviewer", Membership.Role.REVIEWER),
    )
    for side in (world.owner, world.partner, world.outsider):
        side.admin.refresh_from_db()
    return world


@pytest.fixture
def eu_agreement(world):
    """A sharing agreement under EU law covering the EU regime (owner and partner)."""
    from sharing.services import agreement_record

    eu = world.owner.agency.country.regimes.get(code="EU")
    return agreement_record(
        actor=None,
        name="EU law enforcement exchange",
        basis=SharingAgreement.Basis.EU,
        jurisdictions=[eu],
    )


@pytest.fixture
def log_key(settings, tmp_path) -> Verifier:
    """A fresh checkpoint signing key for the test (outside the database and the repository);
    its verifier key."""
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "log-key" / "log.key")
    settings.TRANSPARENCY_ORIGIN = "cybercoop.test/log"
    out = StringIO()
    call_command("transparency_keygen", stdout=out)
    return Verifier.parse(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def no_log_key(settings, tmp_path):
    """No signing key configured: nothing can be signed."""
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "absent" / "log.key")


@pytest.fixture
def api_client_for(db):
    """``api_client_for(user, agency)``: an APIClient authenticated by a fresh Bearer key."""

    def make(user: AbstractUser, agency: Agency) -> APIClient:
        _, plaintext = services.api_key_issue(actor=None, agency=agency, user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        return client

    return make


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the Django test client, logged in as ``user``."""

    def make(user: AbstractUser):
        client.force_login(user)
        return client

    return make


@pytest.fixture
def page(live_server):
    """A Playwright page in Debian's headless Chromium; ``page.base_url`` is the live server."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.base_url = live_server.url
        yield page
        context.close()
        browser.close()


_LAST_CODES: dict[str, str] = {}


def totp_code(username: str, secret: str = TOTP_SECRET) -> str:
    """The authenticator's current code; a code is accepted once, so wait for the next. A code
    with under 10 s left is not used either: on a loaded machine the server may check it in the
    next time step, which refuses it (the login then waits on the second-factor page)."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 10:
        time.sleep(left + 0.5)
    code = totp.now()
    if _LAST_CODES.get(username) == code:
        time.sleep(totp.interval - time.time() % totp.interval + 0.5)
        code = totp.now()
    _LAST_CODES[username] = code
    return code


LOGIN_TIMEOUT_MS = 60_000


def browser_login(page, username: str, password: str) -> None:
    """Log in through the real login form, and the second-factor step when it comes."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # Wait for the navigation itself: "load" may still be the login page's own state. A login
    # hashes a password on a live server that shares two cores with the other worker's tests:
    # it gets more time than a page's default.
    page.wait_for_url(lambda url: "/login/" not in url, timeout=LOGIN_TIMEOUT_MS)
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("input[name=code]", totp_code(username))
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url, timeout=LOGIN_TIMEOUT_MS)


@pytest.fixture
def add_indicators():
    """``add_indicators(side, [{"type": ..., "value": ...}, ...], **defaults)`` via sharing."""

    def add(side: Any, items: list[dict], **defaults: Any) -> list:
        report = indicators_ingest(
            actor=side.investigator, agency=side.agency, items=items, defaults=defaults
        )
        assert not report.errors, report.errors
        return report.created + report.updated + report.unchanged

    return add
