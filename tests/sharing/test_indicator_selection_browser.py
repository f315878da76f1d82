"""Selecting indicators in a real browser: the selection survives paging and searching,
"select all matching" carries the filter, and "Share selected…" waits for a selection."""

from __future__ import annotations

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation

from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.sharing.conftest import add


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


@pytest.mark.browser
def test_select_a_whole_page_then_rows_of_the_next_then_share_them_all(world, page):
    domains = add(world.owner, *[("domain", f"d{n:02}.example") for n in range(30)])
    errors = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/indicators/?per_page=25")
    assert page.is_disabled("#share-button")
    page.check("#select-page")
    assert "25" in page.inner_text("#selection-count")
    page.click("a[rel=next]")
    page.wait_for_url("**cursor=**")
    assert page.is_disabled("#share-button") is False
    page.check(f"input.select-row[value='{domains[0].pk}']")
    assert "26" in page.inner_text("#selection-count")
    page.click("a[rel=first]")
    page.locator("#selection-count", has_text="26").wait_for()  # the script has run
    assert page.is_checked(f"input.select-row[value='{domains[29].pk}']")  # kept across pages
    page.click("#share-button")
    page.wait_for_url("**/indicators/share/**")
    assert page.inner_text("h1") == "Share 26 indicators"
    assert errors == []


@pytest.mark.browser
def test_select_all_matching_a_search_then_share_takes_every_match(world, page):
    add(world.owner, *[("domain", f"m{n:02}.example") for n in range(30)])
    add(world.owner, ("ipv4", "192.0.2.77"))
    errors = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/indicators/?type=domain&per_page=25")
    assert page.inner_text("#select-all-matching") == "Select all 30 matching"
    page.click("#select-all-matching")
    assert page.is_checked("#select-page") and page.is_enabled("#share-button")
    page.click("#share-button")
    page.wait_for_url("**/indicators/share/**")
    assert page.inner_text("h1") == "Share 30 indicators"
    page.go_back()
    page.click("#clear-selection")
    assert page.is_disabled("#share-button")
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_selected_count_groups_thousands_as_the_server_writes_numbers(world, page, language):
    add(world.owner, ("domain", "grouped.example"))
    errors = watch_console(page)
    page.set_extra_http_headers({"Accept-Language": language})
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/indicators/")
    ids = [str(n) for n in range(1, 1235)]
    page.evaluate(
        "ids => sessionStorage.setItem('cybercoop.selection.indicators', JSON.stringify({ids}))",
        ids,
    )
    page.reload()
    with translation.override(language):
        expected = intcomma(1234)
    assert expected != "1234"
    page.locator("#selection-count", has_text=expected).wait_for()
    assert page.inner_text("#selection-count").startswith(expected)
    assert errors == []
