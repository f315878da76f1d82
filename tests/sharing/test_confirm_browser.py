"""In a real browser: revoking an indicator shows its confirmation; Cancel changes nothing;
confirming revokes it; a form's buttons are disabled while it submits and enabled again when
the page comes back from the back/forward cache."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sharing import services
from sharing.models import Indicator
from tests.browser import watch_console
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.sharing.conftest import add


@pytest.mark.browser
def test_a_revocation_is_confirmed_and_cancelling_it_changes_nothing(world, eu_agreement, page):
    (ind,) = add(world.owner, ("domain", "c2-confirm.example"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    problems = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto(ind.get_absolute_url())
    page.get_by_role("link", name="Revoke…").click()
    page.wait_for_url(f"**/indicators/{ind.pk}/revoke/")
    effects = page.locator("#confirm .effects").inner_text()
    assert "1 partner agency loses access (NL-NHTCU); 1 active share ends." in effects
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**/indicators/{ind.pk}/")
    assert not Indicator.objects.get(pk=ind.pk).revoked

    page.get_by_role("link", name="Revoke…").click()
    page.get_by_role("button", name="Revoke indicator").click()
    page.wait_for_url(f"**/indicators/{ind.pk}/")
    assert "Indicator revoked" in page.locator(".messages").inner_text()
    assert Indicator.objects.get(pk=ind.pk).revoked
    assert problems == []


@pytest.mark.browser
def test_submit_buttons_are_disabled_while_a_form_submits_and_enabled_on_pageshow(world, page):
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/indicators/add/")
    form = "form.card"
    button = page.locator(f"{form} button[type=submit]")
    assert button.is_enabled()
    page.locator(f"{form} textarea").first.fill("192.0.2.77")
    # A listener registered after forms.js's records whether forms.js stopped the submit, and
    # holds the navigation back so the page stays to be looked at.
    page.evaluate(
        """sel => {
            window.seen = [];
            document.addEventListener("submit", e => {
                window.seen.push(e.defaultPrevented);
                e.preventDefault();
            });
            document.querySelector(sel).requestSubmit();
        }""",
        form,
    )
    expect(button).to_be_disabled()
    assert page.locator(form).get_attribute("aria-busy") == "true"
    # A second submit while the first is in flight is stopped by forms.js itself.
    page.evaluate("sel => document.querySelector(sel).requestSubmit()", form)
    assert page.evaluate("window.seen") == [False, True]
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert button.is_enabled()
    assert page.locator(form).get_attribute("aria-busy") is None
