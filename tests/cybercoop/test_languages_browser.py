"""In a real browser: Arabic pages are right-to-left and their layout mirrors; a French reader
sees no English the French catalogue translates; the footer's switcher changes the language and it
sticks on the next page; no console errors or CSP violations."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from agencies.models import TLP
from cases import services as case_services
from tests.browser import watch_console
from tests.conftest import browser_login
from tests.factories import PASSWORD

WIDE = {"width": 1366, "height": 800}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*(?:![a-z])?(?::[^}]*)?\}|<[^>]+>")


def english_that_french_translates() -> list[str]:
    """The msgids (and the literal pieces of those with placeholders or markup) whose French
    translation differs from the English, longest first."""
    path = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    french = "\n".join(e.msgstr for e in catalogue.translated_entries())
    pieces: set[str] = set()
    for entry in catalogue.translated_entries():
        if entry.msgid_plural or entry.msgstr == entry.msgid:
            continue
        for piece in PLACEHOLDER.split(entry.msgid):
            piece = piece.strip(" .,:;()–-·")
            # A piece of one short word ("to", "by") says nothing; whole phrases and words do.
            if len(piece) >= 4 and not visible_english(french, [piece]):
                pieces.add(piece)  # English that French itself never writes ("Expire" does)
    return sorted(pieces, key=len, reverse=True)


def page_text(page) -> str:
    """The page's visible text, less the switcher's, which names each language in itself."""
    return page.evaluate(
        """() => {
            const switcher = document.querySelector(".language-switcher");
            switcher.style.display = "none";
            const text = document.body.innerText;
            switcher.style.display = "";
            return text;
        }"""
    )


def visible_english(text: str, pieces: list[str]) -> list[str]:
    return [p for p in pieces if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


@pytest.fixture
def case(world):
    return case_services.case_open(
        actor=world.owner.investigator,
        lead_agency=world.owner.agency,
        title="Opération Kaléidoscope",
        summary="Rançongiciel, serveurs de commande.",
        tlp=TLP.AMBER,
    )


@pytest.mark.browser
def test_an_arabic_browser_gets_a_mirrored_right_to_left_layout(world, page, case):
    page.set_viewport_size(WIDE)
    problems = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto(case.get_absolute_url())
    english_brand = page.locator(".topbar .brand").bounding_box()
    english_tabs = page.locator("#case-tabs li").first.bounding_box()
    page.set_extra_http_headers({"Accept-Language": "ar"})
    page.goto(case.get_absolute_url())
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    arabic_brand = page.locator(".topbar .brand").bounding_box()
    arabic_tabs = page.locator("#case-tabs li").first.bounding_box()
    assert english_brand and arabic_brand and english_tabs and arabic_tabs
    # The brand and the first tab start at the left in English and at the right in Arabic.
    assert english_brand["x"] < WIDE["width"] / 2 < arabic_brand["x"]
    assert english_tabs["x"] < WIDE["width"] / 2 < arabic_tabs["x"]
    # A logical margin lands on the other side: the header links' gap is on their left.
    margins = page.evaluate(
        "(s => [s.marginLeft, s.marginRight])(getComputedStyle(document.querySelector('.brand')))"
    )
    assert margins[0] != "0px" and margins[1] == "0px", margins
    page.goto("/")
    assert page.locator("th").first.evaluate("e => getComputedStyle(e).textAlign") == "start"
    assert problems == []


@pytest.mark.browser
def test_a_french_reader_sees_no_english_the_catalogue_translates(world, page, case):
    pieces = english_that_french_translates()
    assert len(pieces) > 300  # the catalogue is there and read
    page.set_viewport_size(WIDE)
    problems = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.set_extra_http_headers({"Accept-Language": "fr"})
    user_data = [
        case.title,
        case.summary,
        case.reference,
        *(s.agency.name for s in (world.owner, world.partner, world.outsider)),
        world.owner.investigator.username,
        world.owner.investigator.get_full_name(),
    ]
    for path in ["/", "/cases/", case.get_absolute_url(), f"{case.get_absolute_url()}?tab=jit"]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "fr"
        text = page_text(page)
        for value in user_data:
            text = text.replace(value, " ")
        assert visible_english(text, pieces) == [], path
    assert problems == []


@pytest.mark.browser
def test_a_french_agency_admin_sees_no_english_on_the_admin_pages(world, page, case):
    pieces = english_that_french_translates()
    page.set_viewport_size(WIDE)
    problems = watch_console(page)
    browser_login(page, world.owner.admin.username, PASSWORD)
    page.set_extra_http_headers({"Accept-Language": "fr"})
    user_data = [world.owner.agency.name, world.owner.admin.username]
    paths = [
        "/agencies/DE-BKA/members/",
        "/agencies/DE-BKA/api-keys/",
        "/api-keys/",
        "/agencies/DE-BKA/witnesses/",
        "/transparency/",
        reverse("cases:timeline", args=[case.pk]),
        reverse("assistance:case", args=[case.pk]),
    ]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        text = page_text(page)
        for value in user_data:
            text = text.replace(value, " ")
        assert visible_english(text, pieces) == [], path
    assert problems == []


@pytest.mark.browser
def test_the_switcher_changes_the_language_and_it_sticks(world, page, case):
    page.set_viewport_size(WIDE)
    problems = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/cases/")
    assert page.get_by_role("heading", name="Cases").is_visible()
    with page.expect_navigation():
        page.select_option("#language", "es")  # forms.js sends the form on change
    page.wait_for_url("**/cases/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Abrir un caso").is_visible()
    page.get_by_role("link", name="Inicio", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Sus agencias").is_visible()
    # Back to Arabic and on to the case: right-to-left from then on.
    with page.expect_navigation():
        page.select_option("#language", "ar")
    page.goto(case.get_absolute_url())
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#case-tabs").get_by_text("نظرة عامة").is_visible()
    assert problems == []
