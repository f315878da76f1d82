"""In a real browser: a list's column header sorts the rows on the server, from the keyboard as
well as with the mouse, and says so to screen readers (aria-sort)."""

from __future__ import annotations

import pytest

from agencies.models import TLP
from cases import services as case_services
from tests.browser import watch_console
from tests.conftest import browser_login
from tests.factories import PASSWORD


def references(page) -> list[str]:
    return page.eval_on_selector_all(
        "#cases tbody tr[data-reference]", "rows => rows.map(r => r.dataset.reference)"
    )


@pytest.mark.browser
def test_the_reference_header_sorts_the_case_list_both_ways(world, page):
    opened = [
        case_services.case_open(
            actor=world.owner.investigator,
            lead_agency=world.owner.agency,
            title=f"Sorting {n}",
            summary="",
            tlp=TLP.GREEN,
        ).reference
        for n in range(3)
    ]
    problems = watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/cases/")
    assert references(page) == sorted(opened, reverse=True)  # newest opened first

    header = page.locator("#cases thead th", has_text="Reference")
    header.get_by_role("link").click()
    page.wait_for_url("**/cases/?*sort=reference*")
    assert references(page) == sorted(opened)
    assert header.get_attribute("aria-sort") == "ascending"

    header.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/?*sort=-reference*")
    assert references(page) == sorted(opened, reverse=True)
    assert (
        page.locator("#cases thead th", has_text="Reference").get_attribute("aria-sort")
        == "descending"
    )
    assert problems == []
