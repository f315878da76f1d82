"""The assistance-requests API for the requester (owner), the addressee (the provider's liaison)
and an outsider: outsiders get 404 everywhere, each side only its own steps."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agencies import services as agency_services
from assistance import services
from assistance.models import AssistanceRequest, Instrument, Kind
from cases.models import CustodyEvent
from tests.assistance.conftest import IP_ITEM, add_jit, draft, sent

BASE = "/api/v1/assistance-requests/"
DATA = b"login records for darkseller99"


@pytest.fixture
def clients(aw, api_client_for):
    return {
        "owner": api_client_for(aw.owner.investigator, aw.owner.agency),
        "addressee": api_client_for(aw.liaison, aw.provider),
        "outsider": api_client_for(aw.outsider.investigator, aw.outsider.agency),
    }


def results(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def ids(response) -> set[int]:
    return {r["id"] for r in results(response)}


def test_the_owner_creates_a_draft_in_its_case(aw, clients):
    body = {
        "case": aw.case.pk,
        "kind": "preservation",
        "addressee": "NL-HOST",
        "instrument": "budapest_29",
        "identifiers": [IP_ITEM],
        "data_categories": ["traffic"],
        "summary": "C2 logs",
    }
    response = clients["owner"].post(BASE, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft"
    assert created["requesting_agency"] == "DE-BKA"
    assert created["case"] == aw.case.pk
    assert created["events"][0]["to_status"] == "draft"


def test_an_outsider_cannot_open_a_request_in_a_case_it_does_not_see(aw, clients):
    body = {"case": aw.case.pk, "kind": "preservation", "addressee": "DE-BKA"}
    response = clients["outsider"].post(BASE, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"case": [f"No case {aw.case.pk} that you take part in."]}


def test_bad_identifiers_are_a_400_naming_the_field_and_item(aw, clients):
    body = {
        "case": aw.case.pk,
        "kind": "preservation",
        "addressee": "NL-HOST",
        "identifiers": [{"type": "ip", "value": "203.0.113.7"}],
    }
    response = clients["owner"].post(BASE, body, format="json")
    assert response.status_code == 400
    assert "Item 1: an IP address needs a timestamp" in response.json()["identifiers"][0]


def test_the_list_shows_each_side_its_own_and_outsiders_nothing(aw, clients):
    kept = draft(aw)
    out = sent(aw)
    assert ids(clients["owner"].get(BASE)) == {kept.pk, out.pk}
    assert ids(clients["addressee"].get(BASE)) == {out.pk}
    assert ids(clients["outsider"].get(BASE)) == set()


def test_the_list_filters_by_kind_status_overdue_and_case(aw, clients):
    preservation = sent(aw)
    production = draft(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    owner = clients["owner"]
    assert ids(owner.get(BASE, {"kind": "production"})) == {production.pk}
    assert ids(owner.get(BASE, {"status": "sent"})) == {preservation.pk}
    assert ids(owner.get(BASE, {"overdue": "true"})) == set()
    assert ids(owner.get(BASE, {"overdue": "false"})) == {preservation.pk, production.pk}
    assert ids(owner.get(BASE, {"case": aw.case.pk + 1})) == set()


def test_a_bad_filter_is_a_400_naming_it(clients):
    response = clients["owner"].get(BASE, {"kind": "gossip", "overdue": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "overdue"}


def test_the_addressee_sees_a_request_from_sent_on_and_an_outsider_never(aw, clients):
    request = draft(aw)
    url = f"{BASE}{request.pk}/"
    assert clients["owner"].get(url).status_code == 200
    assert clients["addressee"].get(url).status_code == 404
    assert clients["outsider"].get(url).status_code == 404
    assert clients["owner"].post(f"{url}send/").status_code == 200
    shown = clients["addressee"].get(url).json()
    assert shown["status"] == "sent"
    assert shown["due_at"]
    assert clients["outsider"].get(url).status_code == 404
    assert clients["outsider"].get(f"{BASE}{request.pk + 1000}/").status_code == 404


def test_only_a_draft_is_changed_and_only_by_the_requester(aw, clients):
    request = draft(aw)
    url = f"{BASE}{request.pk}/"
    response = clients["owner"].patch(url, {"summary": "More detail"}, format="json")
    assert response.status_code == 200
    assert response.json()["summary"] == "More detail"
    assert clients["outsider"].patch(url, {"summary": "x"}, format="json").status_code == 404
    services.request_send(actor=aw.owner.investigator, request=request)
    response = clients["owner"].patch(url, {"summary": "Later"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "This request is sent: only a draft can be changed."}
    response = clients["addressee"].patch(url, {"summary": "x"}, format="json")
    assert response.status_code == 403


def test_sending_without_a_valid_basis_is_a_400_naming_what_is_missing(aw, clients):
    request = draft(aw, addressee=aw.outsider.agency)
    response = clients["owner"].post(f"{BASE}{request.pk}/send/")
    assert response.status_code == 400
    assert "No legal basis on record" in response.json()["instrument"][0]
    assert AssistanceRequest.objects.get(pk=request.pk).status == "draft"


def test_the_provider_acknowledges_preserves_and_produces_and_the_owner_downloads(aw, clients):
    request = sent(aw)
    owner, addressee = clients["owner"], clients["addressee"]
    url = f"{BASE}{request.pk}/"
    assert owner.post(f"{url}acknowledge/").status_code == 403
    assert addressee.post(f"{url}acknowledge/").json()["status"] == "acknowledged"
    response = addressee.post(f"{url}preserve/", {"reference": "HB-7"}, format="json")
    assert response.json()["preservation_reference"] == "HB-7"
    assert owner.post(f"{url}extend/").json()["status"] == "extended"
    upload = SimpleUploadedFile("export.csv", DATA, "text/csv")
    response = addressee.post(f"{url}respond/", {"file": upload, "complete": "true"})
    assert response.status_code == 201, response.content
    produced = response.json()
    assert produced["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert produced["evidence"] is None  # the provider is not told the case's evidence ids
    download = f"{url}responses/{produced['id']}/download/"
    got = owner.get(download)
    assert got.status_code == 200
    body = b"".join(got.streaming_content)
    assert hashlib.sha256(body).hexdigest() == got["X-Content-SHA256"] == produced["sha256"]
    assert clients["outsider"].get(download).status_code == 404
    shown = owner.get(url).json()
    assert shown["status"] == "answered_fully"
    evidence_id = shown["responses"][0]["evidence"]
    kinds = list(
        CustodyEvent.objects.filter(evidence_id=evidence_id)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["collected", "transferred", "downloaded"]


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("send", None),
        ("acknowledge", None),
        ("start", None),
        ("preserve", {"reference": "X"}),
        ("extend", None),
        ("refuse", {"grounds": "other", "text": "x"}),
        ("withdraw", {"reason": "x"}),
        ("release", None),
    ],
)
def test_an_outsider_gets_404_for_every_action(aw, clients, action, body):
    request = sent(aw)
    response = clients["outsider"].post(f"{BASE}{request.pk}/{action}/", body, format="json")
    assert response.status_code == 404
    assert AssistanceRequest.objects.get(pk=request.pk).status == "sent"


def test_an_outsider_gets_404_for_uploads_and_downloads(aw, clients):
    request = sent(aw)
    response = services.request_respond(
        actor=aw.liaison, request=request, file=SimpleUploadedFile("a.csv", DATA)
    )
    outsider = clients["outsider"]
    upload = SimpleUploadedFile("b.csv", DATA)
    assert outsider.post(f"{BASE}{request.pk}/respond/", {"file": upload}).status_code == 404
    upload = SimpleUploadedFile("order.pdf", b"%PDF")
    attach = {"file": upload, "kind": "signed_order"}
    assert outsider.post(f"{BASE}{request.pk}/attachments/", attach).status_code == 404
    download = f"{BASE}{request.pk}/responses/{response.pk}/download/"
    assert outsider.get(download).status_code == 404


def test_refuse_withdraw_and_release_through_the_api(aw, clients):
    refused = sent(aw)
    url = f"{BASE}{refused.pk}/refuse/"
    bad = clients["addressee"].post(url, {"grounds": "lazy"}, format="json")
    assert bad.status_code == 400 and "grounds" in bad.json()
    done = clients["addressee"].post(url, {"grounds": "dual_criminality"}, format="json")
    assert done.json()["refusal_grounds"] == "dual_criminality"
    conflict = clients["owner"].post(f"{BASE}{refused.pk}/withdraw/", {}, format="json")
    assert conflict.status_code == 409
    assert "it can be withdrawn only when it is draft" in conflict.json()["detail"]
    withdrawn = sent(aw)
    response = clients["owner"].post(f"{BASE}{withdrawn.pk}/withdraw/", {}, format="json")
    assert response.json()["status"] == "withdrawn"
    preserved = sent(aw)
    services.request_preserve(actor=aw.liaison, request=preserved, reference="HB-9")
    response = clients["addressee"].post(f"{BASE}{preserved.pk}/release/")
    assert response.json()["status"] == "released"


def test_the_requester_attaches_the_signed_order_and_the_addressee_reads_it(aw, clients):
    request = sent(aw)
    order = b"%PDF-1.7 signed"
    upload = SimpleUploadedFile("order.pdf", order, "application/pdf")
    response = clients["owner"].post(
        f"{BASE}{request.pk}/attachments/", {"file": upload, "kind": "signed_order"}
    )
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["sha256"] == hashlib.sha256(order).hexdigest()
    got = clients["addressee"].get(f"{BASE}{request.pk}/attachments/{attachment['id']}/download/")
    assert b"".join(got.streaming_content) == order
    upload = SimpleUploadedFile("x.pdf", b"x")
    response = clients["addressee"].post(
        f"{BASE}{request.pk}/attachments/", {"file": upload, "kind": "translation"}
    )
    assert response.status_code == 403


def test_writes_need_the_write_scope(aw):
    _, plaintext = agency_services.api_key_issue(
        actor=None, agency=aw.owner.agency, user=aw.owner.investigator, name="ro", scopes=["read"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    request = draft(aw)
    assert client.get(BASE).status_code == 200
    response = client.post(f"{BASE}{request.pk}/send/")
    assert response.status_code == 403
    assert "needs the write scope" in response.json()["detail"]


def test_a_jit_is_named_by_its_id_within_the_case(aw, clients):
    jit = add_jit(aw)
    body = {
        "case": aw.case.pk,
        "kind": "production",
        "addressee": "NL-NHTCU",
        "instrument": "jit",
        "jit": jit.pk,
    }
    created = clients["owner"].post(BASE, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["jit"] == jit.pk
    response = clients["owner"].post(f"{BASE}{created.json()['id']}/send/")
    assert response.json()["status"] == "sent"
    missing = clients["owner"].post(BASE, {**body, "jit": jit.pk + 100}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"jit": [f"No JIT {jit.pk + 100} of this case."]}
