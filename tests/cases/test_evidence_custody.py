"""Chain of custody: downloads, verification by re-hashing, check-out and in, transfer and
disposal, each a custody event."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import evidence as evidence_services
from cases.evidence import ALREADY_CHECKED_OUT, DISPOSED, RECIPIENT_OUTSIDE
from cases.models import CustodyEvent, Evidence

pytestmark = pytest.mark.django_db


def test_verify_records_match_then_mismatch_after_tampering(case_world, api_client_for):
    evidence = case_world.evidence
    client = api_client_for(case_world.partner.investigator, case_world.partner.agency)
    response = client.post(f"/api/v1/evidence/{evidence.pk}/verify/")
    assert response.status_code == 200 and response.json()["result"] == "match"
    with open(evidence.file.path, "ab") as handle:
        handle.write(b"tampered")
    response = client.post(f"/api/v1/evidence/{evidence.pk}/verify/")
    assert response.json()["result"] == "mismatch"
    results = list(evidence.custody_events.filter(kind="verified").values_list("result", flat=True))
    assert results == ["match", "mismatch"]
    outsider = api_client_for(case_world.outsider.investigator, case_world.outsider.agency)
    assert outsider.post(f"/api/v1/evidence/{evidence.pk}/verify/").status_code == 404


def test_custody_goes_out_in_and_to_disposal(case_world):
    cw, actor = case_world, case_world.owner.investigator
    ev = cw.evidence
    evidence_services.evidence_custody(
        actor=actor, evidence=ev, agency=cw.owner.agency, kind="checked_out", purpose="lab"
    )
    with pytest.raises(ValidationError, match=re.escape(ALREADY_CHECKED_OUT.format(user=actor))):
        evidence_services.evidence_custody(
            actor=actor, evidence=ev, agency=cw.owner.agency, kind="checked_out", purpose="x"
        )
    evidence_services.evidence_custody(
        actor=actor, evidence=ev, agency=cw.owner.agency, kind="checked_in", purpose="done"
    )
    outside = RECIPIENT_OUTSIDE.format(agency=cw.outsider.agency.code)
    with pytest.raises(ValidationError, match=re.escape(outside)) as excinfo:
        evidence_services.evidence_custody(
            actor=actor,
            evidence=ev,
            agency=cw.owner.agency,
            kind="transferred",
            to_agency=cw.outsider.agency,
        )
    assert "to_agency" in excinfo.value.message_dict
    evidence_services.evidence_custody(
        actor=actor, evidence=ev, agency=cw.owner.agency, kind="disposed"
    )
    kinds = list(ev.custody_events.values_list("kind", flat=True))
    assert kinds == ["collected", "checked_out", "checked_in", "disposed"]
    with pytest.raises(ValidationError, match=re.escape(DISPOSED)):
        evidence_services.evidence_record_download(
            actor=actor, evidence=Evidence.objects.get(pk=ev.pk), agency=None
        )
    assert CustodyEvent.objects.filter(evidence=ev, kind="transferred").count() == 0


def test_verify_and_custody_from_the_evidence_page(case_world, client):
    cw = case_world
    client.force_login(cw.partner.investigator)
    assert client.post(reverse("cases:evidence-verify", args=[cw.evidence.pk])).status_code == 302
    assert (
        client.post(
            reverse("cases:evidence-custody", args=[cw.evidence.pk]),
            {"kind": "checked_out", "purpose": "x"},
        ).status_code
        == 403
    )
    client.force_login(cw.outsider.investigator)
    assert client.post(reverse("cases:evidence-verify", args=[cw.evidence.pk])).status_code == 404
    client.force_login(cw.owner.investigator)
    response = client.post(
        reverse("cases:evidence-custody", args=[cw.evidence.pk]),
        {"kind": "checked_out", "purpose": ""},
    )
    assert response.status_code == 400 and "purpose" in response.context["custody_form"].errors
    response = client.post(
        reverse("cases:evidence-custody", args=[cw.evidence.pk]),
        {"kind": "transferred", "to_agency": "NL-NHTCU"},
    )
    assert response.status_code == 302
    cw.evidence.refresh_from_db()
    assert cw.evidence.custodian == cw.partner.agency
    kinds = list(cw.evidence.custody_events.values_list("kind", flat=True))
    assert kinds == ["collected", "verified", "transferred"]
