"""Evidence receipts: the evidence's registration and the custody history its viewer sees, as
log entries with inclusion proofs to a signed, witnessed checkpoint. Owner and JIT partner
download and verify them offline; former members, outsiders and hidden items get 404 in HTML
and REST alike; with nothing signed and no key to sign, 409 and the reason."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import TLP
from audit import checkpoints
from audit.models import AuditEvent
from audit.receipts import NOT_YET_SIGNED
from cases import evidence as evidence_services
from cases.models import CustodyEvent
from tests.cases.conftest import add_evidence, api_clients
from tests.factories import witness_cosign
from tools.verify_log import VerificationError, verify_receipt

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ACTION_OF_KIND = {"collected": "evidence.added"}  # else evidence.<kind>


def action_of(kind: str) -> str:
    return ACTION_OF_KIND.get(kind, f"evidence.{kind}")


def check_out_and_in(cw) -> None:
    for kind in ("checked_out", "checked_in"):
        evidence_services.evidence_custody(
            actor=cw.owner.investigator,
            evidence=cw.evidence,
            agency=cw.owner.agency,
            kind=kind,
            purpose="lab",
        )


def html_url(cw, custody: CustodyEvent | None = None) -> str:
    if custody is None:
        return reverse("cases:evidence-receipt", args=[cw.evidence.pk])
    return reverse("cases:custody-event-receipt", args=[cw.evidence.pk, custody.pk])


def api_url(cw, custody: CustodyEvent | None = None) -> str:
    if custody is None:
        return f"/api/v1/evidence/{cw.evidence.pk}/receipt"
    return f"/api/v1/evidence/{cw.evidence.pk}/custody/{custody.pk}/receipt"


def test_each_custody_event_is_tied_to_the_audit_event_written_with_it(case_world):
    check_out_and_in(case_world)
    evidence_services.evidence_verify(
        actor=case_world.partner.investigator,
        evidence=case_world.evidence,
        agency=case_world.partner.agency,
    )
    history = list(case_world.evidence.custody_events.select_related("audit_event", "agency"))
    assert [c.kind for c in history] == ["collected", "checked_out", "checked_in", "verified"]
    for custody in history:
        event = custody.audit_event
        assert (event.action, event.object_type, event.object_id) == (
            action_of(custody.kind),
            "cases.evidence",
            str(case_world.evidence.pk),
        )
        assert (event.actor_id, event.agency_code) == (custody.actor_id, custody.agency.code)


def test_the_owner_downloads_the_receipt_of_registration_and_custody(case_world, client, log_key):
    cw = case_world
    check_out_and_in(cw)
    client.force_login(cw.owner.investigator)
    response = client.get(html_url(cw))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{cw.evidence.pk}-receipt.json"'
    )
    entries = verify_receipt(json.loads(response.content), log_key)
    history = list(cw.evidence.custody_events.select_related("audit_event"))
    assert [e.leaf_index for e in entries] == [c.audit_event.leaf_index for c in history]
    assert [e.action for e in entries] == [
        "evidence.added",
        "evidence.checked_out",
        "evidence.checked_in",
    ]
    assert json.loads(entries[0].leaf)["summary"]["sha256"] == cw.evidence.sha256


def test_a_jit_partner_verifies_that_the_custody_history_it_sees_is_in_the_log(
    case_world, api_client_for, log_key
):
    cw = case_world
    check_out_and_in(cw)
    partner = api_client_for(cw.partner.investigator, cw.partner.agency)
    assert partner.get(f"/api/v1/evidence/{cw.evidence.pk}/download/").status_code == 200
    checkpoint = checkpoints.checkpoint_sign()
    witness = witness_cosign(checkpoint, agency=cw.partner.agency, name="nl.example/witness")

    seen = partner.get(f"/api/v1/evidence/{cw.evidence.pk}/").json()["custody_events"]
    response = partner.get(api_url(cw))
    assert response.status_code == 200
    receipt = response.json()
    entries = verify_receipt(receipt, log_key, [witness], min_witnesses=1)

    assert [e.action for e in entries] == [action_of(c["kind"]) for c in seen]
    assert [(e.agency, e.object_id) for e in entries] == [
        (c["agency"], str(cw.evidence.pk)) for c in seen
    ]
    assert entries[-1].action == "evidence.downloaded" and entries[-1].agency == "NL-NHTCU"
    assert receipt["witnesses"] == [
        {
            "agency": "NL-NHTCU",
            "name": "nl.example/witness",
            "verifier_key": str(witness),
            "timestamp": receipt["witnesses"][0]["timestamp"],
        }
    ]


def test_a_custody_events_receipt_holds_that_event_alone(
    case_world, client, api_client_for, log_key
):
    cw = case_world
    check_out_and_in(cw)
    checked_out = cw.evidence.custody_events.get(kind="checked_out")
    client.force_login(cw.partner.investigator)
    response = client.get(html_url(cw, checked_out))
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{cw.evidence.pk}-custody-{checked_out.pk}-receipt.json"'
    )
    [entry] = verify_receipt(json.loads(response.content), log_key)
    assert (entry.leaf_index, entry.action) == (
        checked_out.audit_event.leaf_index,
        "evidence.checked_out",
    )
    partner = api_client_for(cw.partner.investigator, cw.partner.agency)
    [entry] = verify_receipt(partner.get(api_url(cw, checked_out)).json(), log_key)
    assert entry.action == "evidence.checked_out"


def test_former_members_outsiders_and_missing_items_get_404_in_html_and_rest(
    case_world, client, api_client_for, log_key
):
    cw = case_world
    collected = cw.evidence.custody_events.get()
    by_side = api_clients(cw, api_client_for)
    expected = {"owner": 200, "partner": 200, "former": 404, "outsider": 404}
    for name, side in (
        ("owner", cw.owner),
        ("partner", cw.partner),
        ("former", cw.former),
        ("outsider", cw.outsider),
    ):
        client.force_login(side.investigator)
        for url in (html_url(cw), html_url(cw, collected)):
            assert client.get(url).status_code == expected[name], (url, name)
        for url in (api_url(cw), api_url(cw, collected)):
            assert by_side[name].get(url).status_code == expected[name], (url, name)
    hidden = by_side["outsider"].get(api_url(cw))
    missing = by_side["outsider"].get("/api/v1/evidence/999999/receipt")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_a_custody_event_of_another_item_is_404(case_world, client, api_client_for, log_key):
    cw = case_world
    other = add_evidence(cw.case, cw.owner, content=b"other").custody_events.get()
    client.force_login(cw.owner.investigator)
    assert client.get(html_url(cw, other)).status_code == 404
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    assert owner.get(api_url(cw, other)).status_code == 404


def test_amber_strict_evidence_has_no_receipt_for_the_partner(
    case_world, client, api_client_for, log_key
):
    cw = case_world
    strict = add_evidence(cw.case, cw.owner, content=b"strict", tlp=TLP.AMBER_STRICT)
    client.force_login(cw.partner.investigator)
    assert client.get(reverse("cases:evidence-receipt", args=[strict.pk])).status_code == 404
    partner = api_client_for(cw.partner.investigator, cw.partner.agency)
    assert partner.get(f"/api/v1/evidence/{strict.pk}/receipt").status_code == 404
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    assert owner.get(f"/api/v1/evidence/{strict.pk}/receipt").status_code == 200


def test_anonymous_is_sent_to_login_or_refused(case_world, client, log_key):
    cw = case_world
    response = client.get(html_url(cw))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert APIClient().get(api_url(cw)).status_code in (401, 403)


def test_with_nothing_signed_and_no_key_the_receipt_is_409_with_the_reason(
    case_world, client, api_client_for, no_log_key
):
    cw = case_world
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    response = owner.get(api_url(cw))
    assert response.status_code == 409
    assert response.json() == {"detail": NOT_YET_SIGNED}
    client.force_login(cw.owner.investigator)
    response = client.get(html_url(cw), follow=True)
    assert response.redirect_chain == [(cw.evidence.get_absolute_url(), 302)]
    assert NOT_YET_SIGNED in response.content.decode()


def test_the_evidence_page_says_where_the_evidence_is_in_the_log(case_world, client, log_key):
    cw = case_world
    index = cw.evidence.custody_events.get().audit_event.leaf_index
    client.force_login(cw.partner.investigator)
    page = client.get(cw.evidence.get_absolute_url()).content.decode()
    assert f"Recorded in the transparency log at index <strong>{index}</strong>" in page
    assert "not yet in a signed checkpoint" in page

    checkpoint = checkpoints.checkpoint_sign()
    page = client.get(cw.evidence.get_absolute_url()).content.decode()
    assert f"(checkpoint of {checkpoint.tree_size} entries, signed " in page
    assert "UTC); no witness yet." in page and "witnessed by" not in page

    witness_cosign(checkpoint, agency=cw.partner.agency, name="nl.example/witness")
    witness_cosign(checkpoint, agency=cw.owner.agency, name="de.example/witness")
    page = client.get(cw.evidence.get_absolute_url()).content.decode()
    assert "witnessed by Agency DE-BKA, Agency NL-NHTCU." in page
    assert reverse("cases:evidence-receipt", args=[cw.evidence.pk]) in page
    collected = cw.evidence.custody_events.get()
    assert reverse("cases:custody-event-receipt", args=[cw.evidence.pk, collected.pk]) in page


def test_each_custody_event_links_its_proof_of_inclusion_in_words(case_world, client, log_key):
    cw = case_world
    index = cw.evidence.custody_events.get().audit_event.leaf_index
    client.force_login(cw.partner.investigator)
    page = client.get(cw.evidence.get_absolute_url()).content.decode()
    custody = page[page.index('id="custody"') :]
    assert "Proof of inclusion in the transparency log</a>" in custody
    assert f"(log index {index})" in custody
    assert "receipt</a>" not in custody and f"#{index}" not in custody


def test_the_verifier_script_checks_a_downloaded_receipt(case_world, client, log_key, tmp_path):
    cw = case_world
    check_out_and_in(cw)
    checkpoint = checkpoints.checkpoint_sign()
    witness = witness_cosign(checkpoint, agency=cw.partner.agency, name="nl.example/witness")
    client.force_login(cw.partner.investigator)
    path = tmp_path / "receipt.json"
    path.write_bytes(client.get(html_url(cw)).content)
    script = [sys.executable, str(ROOT / "tools" / "verify_log.py"), "receipt", str(path)]

    ok = subprocess.run(
        [*script, str(log_key), "--witness", str(witness), "--min-witnesses", "1"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    lines = ok.stdout.splitlines()
    assert lines[0] == f"verified: cybercoop.test/log, checkpoint of {checkpoint.tree_size} entries"
    assert lines[1].startswith("cosigned by nl.example/witness at ")
    registered = cw.evidence.custody_events.first().audit_event
    assert lines[2] == (
        f"  leaf {registered.leaf_index}: evidence.added cases.evidence:{cw.evidence.pk} "
        f"at {registered.created_at.isoformat()} by DE-BKA"
    )
    assert [line.split()[2] for line in lines[2:]] == [
        "evidence.added",
        "evidence.checked_out",
        "evidence.checked_in",
    ]

    no_witness = subprocess.run(
        [*script, str(log_key), "--min-witnesses", "1"], capture_output=True, text=True
    )
    assert no_witness.returncode == 1
    assert no_witness.stderr.strip() == (
        "NOT VERIFIED: 0 of the 0 given witnesses cosigned the checkpoint, 1 required"
    )

    receipt = json.loads(path.read_text())
    second = receipt["entries"][1]
    second["leaf"] = second["leaf"].replace('"purpose":"lab"', '"purpose":"home"')
    path.write_text(json.dumps(receipt))
    tampered = subprocess.run([*script, str(log_key)], capture_output=True, text=True)
    assert tampered.returncode == 1
    assert tampered.stderr.strip() == (
        f"NOT VERIFIED: leaf {second['leaf_index']} is not in the checkpoint: "
        "the inclusion proof does not lead to the root"
    )
    with pytest.raises(VerificationError):
        verify_receipt(receipt, log_key)


def test_existing_custody_events_are_linked_to_their_audit_events_by_the_migration(case_world):
    cw = case_world
    check_out_and_in(cw)
    evidence_services.evidence_record_download(
        actor=cw.partner.investigator, evidence=cw.evidence, agency=cw.partner.agency
    )
    expected = dict(cw.evidence.custody_events.values_list("pk", "audit_event_id"))
    CustodyEvent.objects.update(audit_event=None)
    migration = importlib.import_module("cases.migrations.0003_custody_audit_event")
    migration.link_existing(apps, None)
    assert dict(cw.evidence.custody_events.values_list("pk", "audit_event_id")) == expected
    assert None not in expected.values()
    assert AuditEvent.objects.filter(pk__in=expected.values()).count() == 4


def test_a_receipt_download_writes_no_custody_event(case_world, client, log_key):
    cw = case_world
    client.force_login(cw.owner.investigator)
    before = cw.evidence.custody_events.count()
    assert client.get(html_url(cw)).status_code == 200
    assert cw.evidence.custody_events.count() == before


def test_a_newer_checkpoint_not_yet_cosigned_does_not_hide_the_witnessed_one(
    case_world, client, log_key
):
    cw = case_world
    witnessed = checkpoints.checkpoint_sign()
    witness = witness_cosign(witnessed, agency=cw.partner.agency, name="nl.example/witness")
    check_out_and_in(cw)
    newer = checkpoints.checkpoint_sign()  # holds the registration too, cosigned by no one yet
    assert newer.tree_size > witnessed.tree_size
    client.force_login(cw.owner.investigator)
    page = client.get(cw.evidence.get_absolute_url()).content.decode()
    assert f"(checkpoint of {witnessed.tree_size} entries, signed " in page
    assert "witnessed by Agency NL-NHTCU." in page
    collected = cw.evidence.custody_events.get(kind="collected")
    receipt = client.get(html_url(cw, collected)).json()
    assert f"\n{witnessed.tree_size}\n" in receipt["checkpoint"]
    verify_receipt(receipt, log_key, [witness], 1)
