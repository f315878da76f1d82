"""In a real browser: invite, accept in a fresh browser, change the role; suspension hides."""

from __future__ import annotations

import re

import pytest

from agencies.models import Membership
from tests.conftest import browser_login
from tests.factories import PASSWORD

NEW_PASSWORD = "violet-harbour-lantern-58"


def member_row(page, username: str):
    return page.locator(f"#members tr[data-username='{username}']")


@pytest.mark.browser
def test_admin_invites_the_user_accepts_and_the_admin_changes_the_role(world, page):
    browser_login(page, world.owner.admin.username, PASSWORD)
    page.get_by_role("link", name="DE-BKA members").click()
    page.wait_for_url("**/agencies/DE-BKA/members/")

    page.fill("#invite-form input[name=email]", "newcomer@bka.example")
    page.select_option("#invite-form select[name=role]", "analyst")
    page.click("#invite-form button[type=submit]")
    link = page.locator("#invitation-link").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(page.base_url)}/invitations/[\w-]+/", link)
    assert "Open" in page.locator("#invitations").inner_text()

    # The invited person opens the link in a browser of their own (no shared cookies).
    guest_context = page.context.browser.new_context()
    try:
        guest = guest_context.new_page()
        guest.goto(link)
        assert "Join Agency DE-BKA" in guest.locator("h1").inner_text()
        guest.fill("input[name=username]", "newcomer")
        guest.fill("input[name=password]", NEW_PASSWORD)
        guest.click("button[type=submit]")
        guest.wait_for_url(f"{page.base_url}/")
        assert "Welcome to Agency DE-BKA." in guest.locator(".messages").inner_text()
        row = guest.locator("table tr", has_text="DE-BKA")
        assert "Analyst" in row.locator("td.role").inner_text()

        # The admin sees the new member and makes them an investigator.
        page.goto("/agencies/DE-BKA/members/")
        assert "Accepted by newcomer" in page.locator("#invitations").inner_text()
        row = member_row(page, "newcomer")
        assert row.locator("select[name=role]").input_value() == "analyst"
        row.locator("select[name=role]").select_option("investigator")
        row.get_by_role("button", name="Change role").click()
        page.wait_for_url("**/agencies/DE-BKA/members/")
        assert "newcomer is now Investigator." in page.locator(".messages").inner_text()
        assert member_row(page, "newcomer").locator("select[name=role]").input_value() == (
            "investigator"
        )

        # ...and the member sees the new role on their home page.
        guest.reload()
        row = guest.locator("table tr", has_text="DE-BKA")
        assert "Investigator" in row.locator("td.role").inner_text()
    finally:
        guest_context.close()
    membership = Membership.objects.get(user__username="newcomer")
    assert (membership.role, membership.status) == ("investigator", "active")


@pytest.mark.browser
def test_a_member_suspended_by_the_admin_no_longer_sees_the_agency(world, page):
    browser_login(page, world.owner.admin.username, PASSWORD)
    page.goto("/agencies/DE-BKA/members/")
    member_row(page, "owner_analyst").get_by_role("link", name="Suspend…").click()
    page.wait_for_url("**/suspended/")
    assert "Suspend owner_analyst?" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Suspend owner_analyst").click()
    page.wait_for_url("**/agencies/DE-BKA/members/")
    assert member_row(page, "owner_analyst").locator("td.status").inner_text() == "Suspended"

    browser_login(page, world.owner.analyst.username, PASSWORD)
    assert "not an active member of any agency" in page.locator("main").inner_text()
    assert page.locator("table tr", has_text="DE-BKA").count() == 0
    page.goto("/agencies/DE-BKA/members/")
    assert "Not found" in page.locator("h1").inner_text()


@pytest.mark.browser
def test_another_agencys_admin_gets_not_found(world, page):
    browser_login(page, world.partner.admin.username, PASSWORD)
    response = page.goto("/agencies/DE-BKA/members/")
    assert response.status == 404
    assert page.get_by_role("link", name="DE-BKA members").count() == 0
