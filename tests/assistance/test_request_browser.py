"""In a real browser: an investigator sends a preservation request to a hosting provider, the
provider's liaison preserves the data then produces a file, the investigator downloads it — its
SHA-256 is the one on the page — and the evidence's custody shows who collected and received it."""

from __future__ import annotations

import hashlib
import json

import pytest

from assistance.models import AssistanceRequest
from tests.assistance.conftest import IP_ITEM
from tests.conftest import browser_login
from tests.factories import PASSWORD

PRODUCED = b"203.0.113.7:44321 2026-01-05T09:00:00Z customer 4711, J. Doe"


@pytest.mark.browser
def test_preservation_then_production_through_the_pages(aw, page, tmp_path):
    browser_login(page, aw.owner.investigator.username, PASSWORD)
    page.goto(f"/assistance/cases/{aw.case.pk}/new/?kind=preservation&addressee=NL-HOST")
    page.check("input[name=instrument][value=budapest_29]")
    page.fill("textarea[name=identifiers]", json.dumps([IP_ITEM]))
    page.fill("textarea[name=summary]", "C2 panel hosted at Hosting BV")
    page.get_by_role("button", name="Save draft").click()
    page.locator("#action-send").get_by_role("button", name="Send").click()
    assert "Sent" in page.locator("#status").inner_text()
    request = AssistanceRequest.objects.get()

    browser_login(page, aw.liaison.username, PASSWORD)
    page.goto("/assistance/")
    page.locator(f"tr[data-request='{request.pk}'] a").first.click()
    page.fill("#action-preserve input[name=reference]", "HB-2026-0042")
    page.locator("#action-preserve").get_by_role("button", name="Preserve").click()
    assert "HB-2026-0042" in page.locator("#preserved").inner_text()
    produced = tmp_path / "export.txt"
    produced.write_bytes(PRODUCED)
    page.set_input_files("#action-respond input[name=file]", str(produced))
    page.locator("#action-respond").get_by_role("button", name="Produce").click()
    assert "Answered fully" in page.locator("#status").inner_text()

    browser_login(page, aw.owner.investigator.username, PASSWORD)
    page.goto(f"/assistance/{request.pk}/")
    shown = page.locator("#responses tbody tr code").inner_text()
    with page.expect_download() as download_info:
        page.locator("#responses").get_by_role("link", name="export.txt").click()
    body = download_info.value.path().read_bytes()
    assert hashlib.sha256(body).hexdigest() == shown == hashlib.sha256(PRODUCED).hexdigest()

    evidence = request.responses.get().evidence
    page.goto(evidence.get_absolute_url())
    custody = page.locator("#custody").inner_text()
    assert "Collected by the provider NL-HOST (Hosting BV)" in custody
    assert "Received by the requesting agency DE-BKA" in custody
    assert [e.kind for e in evidence.custody_events.order_by("pk")] == [
        "collected",
        "transferred",
        "downloaded",
    ]
