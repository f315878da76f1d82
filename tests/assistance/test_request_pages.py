"""The pages: a case's requests, the request form (only valid legal bases), the request page
with its actions, and the agency inbox — for the requester, the addressee and an outsider."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from assistance import services
from assistance.models import AssistanceRequest, Instrument, Kind
from tests.assistance.conftest import draft, sent


def test_the_case_requests_tab_lists_the_requests_and_outsiders_get_404(aw, client_for):
    request = sent(aw)
    url = f"/assistance/cases/{aw.case.pk}/"
    page = client_for(aw.owner.investigator).get(url)
    assert page.status_code == 200
    assert f'data-request="{request.pk}"' in page.content.decode()
    assert client_for(aw.outsider.investigator).get(url).status_code == 404
    case_page = client_for(aw.owner.investigator).get(aw.case.get_absolute_url()).content
    assert b'id="requests-tab"' in case_page


def test_the_form_offers_only_the_bases_valid_for_the_addressee(aw, client_for):
    client = client_for(aw.owner.investigator)
    url = f"/assistance/cases/{aw.case.pk}/new/"
    page = client.get(url, {"kind": "preservation", "addressee": "NL-HOST"}).content.decode()
    assert 'data-instrument="budapest_29"' in page
    assert 'data-instrument="epoc_pr"' in page
    assert 'data-instrument="epoc"' not in page
    page = client.get(url, {"kind": "preservation", "addressee": "IN-CBI"}).content.decode()
    assert 'id="no-basis"' in page
    assert client_for(aw.outsider.investigator).get(url).status_code == 404


def test_the_form_saves_a_draft(aw, client_for):
    client = client_for(aw.owner.investigator)
    url = f"/assistance/cases/{aw.case.pk}/new/"
    body = {
        "kind": "preservation",
        "addressee": "NL-HOST",
        "instrument": "budapest_29",
        "urgency": "routine",
        "identifiers": '[{"type": "domain", "value": "c2.example.net"}]',
        "data_categories": ["traffic"],
        "tlp": "AMBER",
        "handling_code": "H0",
    }
    response = client.post(url, body)
    assert response.status_code == 302, response.content.decode()[:2000]
    request = AssistanceRequest.objects.get()
    assert request.identifiers == [{"type": "domain", "value": "c2.example.net"}]
    assert response["Location"] == f"/assistance/{request.pk}/"
    bad = client.post(url, {**body, "identifiers": '[{"type": "domain", "value": "x y"}]'})
    assert bad.status_code == 400
    assert "is not a domain name" in bad.content.decode()


def test_the_request_page_shows_each_side_its_own_buttons(aw, client_for):
    request = sent(aw)
    url = f"/assistance/{request.pk}/"
    owner = client_for(aw.owner.investigator).get(url).content.decode()
    assert 'id="action-withdraw"' in owner and 'id="action-acknowledge"' not in owner
    assert 'id="deadline"' in owner
    liaison = client_for(aw.liaison).get(url).content.decode()
    assert 'id="action-acknowledge"' in liaison and 'id="action-preserve"' in liaison
    assert 'id="action-withdraw"' not in liaison
    # The irreversible steps say beside their tick whom they tell.
    assert (
        f"{request.addressee.code} is told at once that request #{request.pk} is withdrawn" in owner
    )
    assert (
        f"{request.requesting_agency.code} is told at once that request #{request.pk} is refused"
        in liaison
    )
    assert client_for(aw.outsider.investigator).get(url).status_code == 404
    assert client_for(aw.outsider.investigator).post(f"{url}acknowledge/").status_code == 404


def test_the_provider_preserves_and_produces_and_the_investigator_downloads(aw, client_for):
    request = sent(aw)
    url = f"/assistance/{request.pk}/"
    client = client_for(aw.liaison)
    client.post(f"{url}preserve/", {"reference": "HB-42"})
    data = b"account darkseller99: created 2025-11-02"
    upload = SimpleUploadedFile("export.txt", data)
    client.post(f"{url}respond/", {"file": upload, "complete": "on"})
    request.refresh_from_db()
    assert request.status == "answered_fully"
    assert request.preservation_reference == "HB-42"
    client = client_for(aw.owner.investigator)
    response = request.responses.get()
    got = client.get(f"{url}responses/{response.pk}/download/")
    body = b"".join(got.streaming_content)
    assert hashlib.sha256(body).hexdigest() == got["X-Content-SHA256"] == response.sha256
    kinds = list(response.evidence.custody_events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["collected", "transferred", "downloaded"]


def test_an_illegal_step_from_the_page_says_why(aw, client_for):
    request = sent(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    client = client_for(aw.owner.investigator)
    page = client.post(f"/assistance/{request.pk}/send/", follow=True).content.decode()
    assert "it can be sent only when it is draft" in page
    page = client.post(f"/assistance/{request.pk}/withdraw/", {}, follow=True).content.decode()
    assert "confirm" in page
    assert AssistanceRequest.objects.get(pk=request.pk).status == "sent"
    client.post(f"/assistance/{request.pk}/withdraw/", {"confirm": "on"})
    assert AssistanceRequest.objects.get(pk=request.pk).status == "withdrawn"


def test_the_inbox_lists_incoming_requests_with_filters(aw, client_for):
    incoming = sent(aw)
    draft(aw)
    client = client_for(aw.liaison)
    page = client.get("/assistance/").content.decode()
    assert f'data-request="{incoming.pk}"' in page
    page = client.get("/assistance/", {"kind": "production"}).content.decode()
    assert f'data-request="{incoming.pk}"' not in page
    page = client.get("/assistance/", {"overdue": "false", "status": "sent"}).content.decode()
    assert f'data-request="{incoming.pk}"' in page
    page = client_for(aw.outsider.investigator).get("/assistance/").content.decode()
    assert "No incoming requests." in page


def test_a_refusal_from_the_page_asks_for_confirmation_first(aw, client_for):
    request = sent(aw)
    client = client_for(aw.liaison)
    url = f"/assistance/{request.pk}/refuse/"
    page = client.post(url, {"grounds": "insufficient_detail"}, follow=True).content.decode()
    assert "confirm: This field is required." in page
    assert AssistanceRequest.objects.get(pk=request.pk).status == "sent"
    client.post(url, {"grounds": "insufficient_detail", "confirm": "on"})
    assert AssistanceRequest.objects.get(pk=request.pk).status == "refused"


def test_the_requester_attaches_the_signed_order_from_the_page_and_the_addressee_downloads_it(
    aw, client_for
):
    request = draft(aw)
    url = f"/assistance/{request.pk}/"
    owner = client_for(aw.owner.investigator)
    order = b"%PDF-1.7 signed preservation order"
    upload = SimpleUploadedFile("order.pdf", order, "application/pdf")
    page = owner.post(
        f"{url}attach/", {"kind": "signed_order", "language": "nl", "file": upload}, follow=True
    ).content.decode()
    assert "Attachment stored with its SHA-256." in page and "order.pdf" in page
    attachment = request.attachments.get()
    download = f"{url}attachments/{attachment.pk}/download/"
    assert client_for(aw.liaison).get(download).status_code == 404  # still a draft
    services.request_send(actor=aw.owner.investigator, request=request)
    got = client_for(aw.liaison).get(download)
    assert b"".join(got.streaming_content) == order
    assert got["X-Content-SHA256"] == hashlib.sha256(order).hexdigest() == attachment.sha256
    liaison_page = client_for(aw.liaison).get(url).content.decode()
    assert 'id="action-attach"' not in liaison_page
    outsider = client_for(aw.outsider.investigator)
    assert outsider.get(download).status_code == 404
    upload = SimpleUploadedFile("x.pdf", b"x")
    assert outsider.post(f"{url}attach/", {"kind": "other", "file": upload}).status_code == 404
    assert request.attachments.count() == 1


def test_a_closed_request_takes_no_attachment_and_says_why(aw, client_for):
    request = sent(aw)
    services.request_withdraw(actor=aw.owner.investigator, request=request)
    upload = SimpleUploadedFile("late.pdf", b"late")
    page = client_for(aw.owner.investigator).post(
        f"/assistance/{request.pk}/attach/", {"kind": "other", "file": upload}, follow=True
    )
    assert "it can be given attachments only when it is draft, sent" in page.content.decode()
    assert not request.attachments.exists()
