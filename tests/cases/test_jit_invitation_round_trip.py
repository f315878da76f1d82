"""In a real browser: an investigator opens a case and invites an agency to a JIT; the
partner's admin accepts; the partner's investigator sees the case; an outsider gets 404."""

from __future__ import annotations

import pytest

from cases.models import Case, JITMembership
from tests.conftest import browser_login
from tests.factories import PASSWORD


@pytest.mark.browser
def test_jit_invitation_round_trip(world, page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.get_by_role("link", name="Cases", exact=True).click()
    page.click("#new-case")
    page.fill("#case-form input[name=title]", "Botnet C2 takedown")
    page.fill("#case-form textarea[name=summary]", "C2 servers in DE and NL")
    page.select_option("#case-form select[name=tlp]", "AMBER")
    page.check("#case-form input[value=illegal_access]")
    page.fill("#case-form input[name=tags]", "botnet")
    page.click("#case-form button[type=submit]")
    case = Case.objects.get(title="Botnet C2 takedown")
    reference = case.reference
    assert reference.startswith("DE-BKA-")
    assert page.locator("#case-reference").inner_text().startswith(reference)
    case_url = page.url

    page.locator("#case-tabs").get_by_role("link", name="JIT", exact=True).click()
    page.click("#jit summary")
    page.fill("#jit-form input[name=name]", "JIT Botnet")
    page.select_option("#jit-form select[name=legal_basis]", "eu_jit")
    page.click("#jit-form button[type=submit]")
    page.wait_for_url("**/cases/jits/*/")
    assert "EU JIT" in page.locator("#legal-basis").inner_text()
    page.select_option("#invite-form select[name=agency]", "NL-NHTCU")
    page.select_option("#invite-form select[name=role]", "party")
    page.click("#invite-form button[type=submit]")
    assert "Invited" in page.locator("#members tr[data-agency='NL-NHTCU'] .status").inner_text()

    # The partner's investigator does not see the case yet.
    browser_login(page, world.partner.investigator.username, PASSWORD)
    assert page.goto(case_url).status == 404

    browser_login(page, world.partner.admin.username, PASSWORD)
    page.get_by_role("link", name="JIT invitations", exact=True).click()
    row = page.locator("#inbox tr", has_text="JIT Botnet")
    assert reference in row.inner_text()
    row.get_by_role("button", name="Accept").click()
    page.wait_for_url("**/cases/jit-invitations/")
    assert "JIT Botnet" in page.locator("#current").inner_text()
    assert (
        JITMembership.objects.get(jit__case=case, agency=world.partner.agency).status == "accepted"
    )

    browser_login(page, world.partner.investigator.username, PASSWORD)
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=reference).click()
    assert page.locator("#case-reference").inner_text().startswith(reference)
    page.locator("#case-tabs").get_by_role("link", name="JIT", exact=True).click()
    assert "NL-NHTCU (accepted)" in page.locator("#jits").inner_text()

    browser_login(page, world.outsider.investigator.username, PASSWORD)
    response = page.goto(case_url)
    assert response.status == 404
    page.goto("/cases/")
    assert reference not in page.locator("#cases").inner_text()
