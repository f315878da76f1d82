"""The share dialog in a real browser: select, preview recipients and basis, share."""

from __future__ import annotations

import pytest

from sharing.models import Share
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.sharing.conftest import add


@pytest.mark.browser
def test_an_investigator_previews_and_shares_from_the_list(world, eu_agreement, page):
    (ind,) = add(world.owner, ("domain", "c2-browser.example"))
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/indicators/?q=c2-browser.example")
    page.check(f"input[name=ids][value='{ind.pk}']")
    page.click("text=Share selected…")
    page.select_option("select[name=agencies]", label=str(world.partner.agency))
    page.click("button[value=preview]")
    preview = page.locator("#preview").inner_text()
    assert "NL-NHTCU" in preview and "EU law enforcement exchange" in preview
    page.select_option("select[name=agencies]", label=str(world.outsider.agency))
    page.click("button[value=preview]")
    assert "No legal basis on record" in page.locator("#share-form").inner_text()
    page.select_option("select[name=agencies]", label=str(world.partner.agency))
    page.click("button[value=share]")
    page.wait_for_url(f"**/indicators/{ind.pk}/")
    assert "NL-NHTCU" in page.locator("#shares").inner_text()
    assert Share.objects.filter(indicators=ind, agencies=world.partner.agency).exists()
