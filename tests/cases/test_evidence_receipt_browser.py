"""In a real browser: a JIT partner's investigator opens an evidence page, reads where the
evidence is in the transparency log and who witnessed it, downloads the receipt, and the
stand-alone verifier accepts it: the custody history on the page is the one in the log."""

from __future__ import annotations

import json

import pytest

from audit import checkpoints
from cases import evidence as evidence_services
from tests.conftest import browser_login
from tests.factories import PASSWORD, witness_cosign
from tools.verify_log import verify_receipt


@pytest.mark.browser
def test_a_partner_downloads_and_verifies_an_evidence_receipt(case_world, page, log_key, tmp_path):
    cw = case_world
    evidence_services.evidence_custody(
        actor=cw.owner.investigator,
        evidence=cw.evidence,
        agency=cw.owner.agency,
        kind="checked_out",
        purpose="Lab analysis",
    )
    checkpoint = checkpoints.checkpoint_sign()
    witness = witness_cosign(checkpoint, agency=cw.partner.agency, name="nl.example/witness")
    registered = cw.evidence.custody_events.first().audit_event

    browser_login(page, cw.partner.investigator.username, PASSWORD)
    page.goto(cw.evidence.get_absolute_url())
    block = page.locator("#log-record").inner_text()
    assert f"Recorded in the transparency log at index {registered.leaf_index}" in block
    assert f"(checkpoint of {checkpoint.tree_size} entries, signed " in block
    assert "witnessed by Agency NL-NHTCU." in block
    page.screenshot(path=str(tmp_path / "evidence-page.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download receipt").click()
    download = download_info.value
    assert download.suggested_filename == f"evidence-{cw.evidence.pk}-receipt.json"
    receipt = json.loads(download.path().read_text(encoding="utf-8"))

    entries = verify_receipt(receipt, log_key, [witness], min_witnesses=1)
    rows = page.locator("#custody tbody tr")
    assert rows.count() == len(entries) == 2
    assert [e.action for e in entries] == ["evidence.added", "evidence.checked_out"]
    for n, entry in enumerate(entries):
        row = rows.nth(n)
        assert f"(log index {entry.leaf_index})" in row.inner_text()
        assert row.get_by_role("link", name="Proof of inclusion in the transparency log").count()
