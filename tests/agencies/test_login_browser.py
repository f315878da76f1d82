from __future__ import annotations

import pytest

from tests.conftest import browser_login
from tests.factories import PASSWORD


@pytest.mark.browser
def test_a_member_logs_in_and_sees_their_agency_and_role(world, page):
    browser_login(page, world.owner.admin.username, PASSWORD)
    row = page.locator("table tr", has_text=world.owner.agency.code)
    assert "Agency admin" in row.inner_text()
