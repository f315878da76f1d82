"""In the browser: a Red notice is requested, the reviewer asks for information, the
requester completes it, it is published, and another agency finds it by a misspelt name."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login
from tests.factories import PASSWORD


def _status(page) -> str:
    return page.locator("#notice-status").get_attribute("data-status")


@pytest.mark.browser
def test_a_red_notice_from_request_to_a_misspelt_search(world, page):
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/notices/new/")
    page.select_option("#id_notice_type", "RED")
    page.check("input[name=languages][value=EN]")
    fields = {
        "family_name": "Smith",
        "forenames": "John",
        "date_of_birth": "1985-03-14",
        "nationalities": "GB, DE",
        "facts_summary": "Ransomware attacks on hospitals.",
        "facts_date": "2024-05-02",
        "facts_place": "Wiesbaden",
        "charges": "Computer sabotage",
        "law": "StGB §303b",
        "warrant_reference": "AG-WI-2024-117",
        "warrant_authority": "Amtsgericht Wiesbaden",
        "warrant_date": "2024-06-01",
    }
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.select_option("#id_sex", "M")
    page.select_option("#id_offence_category", "criminal")
    page.select_option("#id_judicial_basis", "prosecution")
    # Below the Red threshold first: the error shows next to the field.
    page.fill("#id_max_penalty_months", "12")
    page.click("#submit-for-review")
    assert "at least 2 years" in page.locator("#errors-max_penalty_months").inner_text()
    page.fill("#id_max_penalty_months", "120")
    page.click("#submit-for-review")
    assert _status(page) == "submitted"
    notice_url = page.url

    browser_login(page, world.reviewer.username, PASSWORD)
    page.goto("/notices/review/")
    page.click("#queue a:has-text('John SMITH')")
    page.click("#start-review")
    page.check("input[name=decision][value=request_info]")
    page.fill("#id_reasons", "Please add the distinguishing marks.")
    page.click("#record-decision")
    assert _status(page) == "info_requested"

    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/notifications/")
    assert "distinguishing marks" in page.locator("#notifications").inner_text()
    page.goto(notice_url)
    page.click("#edit-notice")
    assert "distinguishing marks" in page.locator("#info-request").inner_text()
    page.fill("#id_distinguishing_marks", "Scar on the left hand")
    page.click("#submit-for-review")
    assert _status(page) == "under_review"

    browser_login(page, world.reviewer.username, PASSWORD)
    page.goto(notice_url)
    page.check("#id_art3_neutrality")
    page.check("#id_art2_human_rights")
    page.check("#id_minimum_data")
    page.check("input[name=decision][value=publish]")
    page.click("#record-decision")
    assert _status(page) == "published"
    assert (
        f"{world.reviewer.username} published the notice" in page.locator("#history").inner_text()
    )

    browser_login(page, world.partner.investigator.username, PASSWORD)
    page.goto("/notices/")
    page.fill("#id_name", "Jonh Smiht")
    page.click("#notice-search button[type=submit]")
    page.click("#notices a:has-text('John SMITH')")
    assert page.url == notice_url
    assert "Scar on the left hand" in page.inner_text("main")
