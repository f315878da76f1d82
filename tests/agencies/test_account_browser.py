"""Accounts in a real browser: a forgotten password is reset through the e-mailed link, and
repeated failed sign-ins lock the account with a page that says so."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from cybercoop import settings as project_settings
from tests.conftest import browser_login
from tests.factories import PASSWORD

NEW_PASSWORD = "another-long-passphrase-77"


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_forgotten_password_is_reset_through_the_emailed_link(world, page):
    page.goto("/login/")
    page.click("text=Forgot your password?")
    page.fill("input[name=email]", world.owner.analyst.email)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/done/")
    link = re.search(r"https://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    assert link is not None  # https: production links (the test server speaks http)
    page.goto(link.group(1))
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    browser_login(page, world.owner.analyst.username, NEW_PASSWORD)
    assert world.owner.analyst.username in page.locator("header").inner_text()


@pytest.mark.browser
def test_repeated_failures_lock_the_account_even_for_the_right_password(world, page, settings):
    settings.ACCOUNT_RATE_LIMITS = project_settings.ACCOUNT_RATE_LIMITS  # as deployed
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, world.owner.analyst.username, "wrong-password")
    sign_in(page, world.owner.analyst.username, PASSWORD)
    assert page.locator("h1").inner_text() == "Sign-in locked"
    assert "even with the right password" in page.locator("main").inner_text()
    page.goto("/")
    assert "/login/" in page.url  # not signed in
