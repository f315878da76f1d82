"""At 390 px wide (a phone): no main page scrolls sideways, in English or in Arabic (right to
left), even with a case whose title and 10,000-character summary are single words; the header's
menu button opens and closes the menu with aria-expanded; no console errors or CSP violations."""

from __future__ import annotations

import pytest

from agencies.models import TLP
from cases import services as case_services
from tests.browser import watch_console
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.sharing.conftest import add

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_main_pages_fit_a_phone_without_sideways_scrolling(world, page, language):
    long_case = case_services.case_open(
        actor=world.owner.investigator,
        lead_agency=world.owner.agency,
        title="X" * 200,  # the longest title there is, as one word
        summary="Y" * 10_000,
        tlp=TLP.AMBER,
    )
    (ind,) = add(world.owner, ("url", "https://c2.example/" + "z" * 2_000))
    page.set_viewport_size(PHONE)
    problems = watch_console(page)
    browser_login(page, world.owner.admin.username, PASSWORD)
    page.set_extra_http_headers({"Accept-Language": language})
    paths = [
        "/",
        "/cases/",
        long_case.get_absolute_url(),
        f"/cases/{long_case.pk}/timeline/",
        "/cases/jit-invitations/",
        "/indicators/",
        ind.get_absolute_url(),
        "/notices/",
        "/objects/",
        "/objects/import/",
        "/correlations/",
        "/notifications/",
        "/assistance/",
        "/agencies/DE-BKA/members/",
        "/agencies/DE-BKA/api-keys/",
        "/api-keys/",
        "/transparency/",
    ]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert (page.locator("html").get_attribute("lang") or "").startswith(language), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
    assert problems == []


@pytest.mark.browser
def test_the_menu_button_opens_and_closes_the_menu_with_aria_expanded(world, page):
    page.set_viewport_size(PHONE)
    problems = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    button = page.get_by_role("button", name="Menu")
    logout = page.get_by_role("button", name="Log out")
    assert button.get_attribute("aria-expanded") == "false"
    assert not logout.is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert logout.is_visible()
    box = logout.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.get_by_role("link", name="Cases", exact=True).click()
    page.wait_for_url("**/cases/")
    page.keyboard.press("Escape")
    button.click()
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    # Wide screens show the menu itself, no button.
    page.set_viewport_size({"width": 1366, "height": 800})
    assert not button.is_visible() and logout.is_visible()
    assert problems == []
