"""The lifecycle of a request: each side does its own steps, an illegal step is a conflict in
words, produced data enters the case as evidence with its custody, and everything is audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assistance import services
from assistance.models import AssistanceRequest, Instrument, Kind
from audit.models import AuditEvent
from cases.models import CustodyEvent
from common.errors import StateConflict
from tests.assistance.conftest import DATA, draft, produce, sent


def test_the_whole_preservation_then_production_flow_is_audited(aw):
    preservation = sent(aw)
    services.request_acknowledge(actor=aw.liaison, request=preservation)
    services.request_preserve(actor=aw.liaison, request=preservation, reference="HB-2026-17")
    services.request_extend(actor=aw.owner.investigator, request=preservation)
    production = draft(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=preservation
    )
    services.request_send(actor=aw.owner.investigator, request=production)
    services.request_start(actor=aw.liaison, request=production)
    produce(aw, production)
    services.request_release(actor=aw.owner.investigator, request=preservation)

    preservation.refresh_from_db()
    assert preservation.follow_up == production
    assert preservation.status == "released"
    assert preservation.preservation_reference == "HB-2026-17"
    actions = list(
        AuditEvent.objects.filter(object_type="assistance.assistancerequest")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assistance.created",
        "assistance.sent",
        "assistance.acknowledged",
        "assistance.preserved",
        "assistance.extended",
        "assistance.created",
        "assistance.sent",
        "assistance.followed_up",
        "assistance.started",
        "assistance.answered",
        "assistance.released",
    ]
    timeline = [(e.from_status, e.to_status) for e in preservation.events.all()]
    assert timeline == [
        ("", "draft"),
        ("draft", "sent"),
        ("sent", "acknowledged"),
        ("acknowledged", "preserved"),
        ("preserved", "extended"),
        ("extended", "extended"),  # followed up: preserved pending the production's answer
        ("extended", "released"),
    ]


def test_produced_data_enters_the_case_as_evidence_with_its_custody(aw):
    request = sent(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    response = produce(aw, request)
    request.refresh_from_db()
    assert request.status == "answered_fully"
    assert response.sha256 == hashlib.sha256(DATA).hexdigest()
    assert response.size == len(DATA)
    evidence = response.evidence
    assert evidence.case == aw.case
    assert evidence.agency == aw.owner.agency
    assert evidence.sha256 == response.sha256
    assert evidence.file.name == response.file.name
    assert evidence.file.read() == DATA
    events = [(e.kind, e.agency.code, e.purpose) for e in evidence.custody_events.order_by("pk")]
    assert events == [
        (CustodyEvent.Kind.COLLECTED, "NL-HOST", "Collected by the provider NL-HOST (Hosting BV)"),
        (
            CustodyEvent.Kind.TRANSFERRED,
            "NL-HOST",
            "Received by the requesting agency DE-BKA",
        ),
    ]
    assert all(e.audit_event_id for e in evidence.custody_events.all())


def test_a_partial_answer_leaves_the_request_open_for_more(aw):
    request = sent(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    produce(aw, request, complete=False)
    request.refresh_from_db()
    assert request.status == "answered_partially"
    produce(aw, request)
    request.refresh_from_db()
    assert request.status == "answered_fully"
    assert request.responses.count() == 2


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            lambda aw, r: services.request_acknowledge(actor=aw.liaison, request=r),
            "This request is refused: it can be acknowledged only when it is sent.",
        ),
        (
            lambda aw, r: services.request_withdraw(actor=aw.owner.investigator, request=r),
            "This request is refused: it can be withdrawn only when it is draft, sent, "
            "acknowledged, in progress or answered partially.",
        ),
        (
            lambda aw, r: services.request_release(actor=aw.owner.investigator, request=r),
            "This request is refused: it can be released only when it is preserved or "
            "preservation extended.",
        ),
        (
            lambda aw, r: services.request_send(actor=aw.owner.investigator, request=r),
            "This request is refused: it can be sent only when it is draft.",
        ),
        (
            lambda aw, r: services.request_update(
                actor=aw.owner.investigator, request=r, summary="x"
            ),
            "This request is refused: only a draft can be changed.",
        ),
    ],
)
def test_an_illegal_step_is_a_conflict_in_words(aw, step, message):
    request = sent(aw)
    services.request_refuse(
        actor=aw.liaison, request=request, grounds="dual_criminality", text="Not an offence here"
    )
    request.refresh_from_db()
    with pytest.raises(StateConflict, match=message.replace("(", r"\(").replace(")", r"\)")):
        step(aw, request)


def test_only_a_preservation_request_is_preserved(aw):
    request = sent(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    with pytest.raises(StateConflict, match="Only a preservation request can be preserved"):
        services.request_preserve(actor=aw.liaison, request=request, reference="X")


def test_an_epoc_pr_is_extended_only_once(aw):
    request = sent(aw, instrument=Instrument.EPOC_PR)
    services.request_preserve(actor=aw.liaison, request=request, reference="HB-1")
    services.request_extend(actor=aw.owner.investigator, request=request)
    with pytest.raises(StateConflict, match="An EPOC-PR preservation is extended once"):
        services.request_extend(actor=aw.owner.investigator, request=request)


def test_each_side_does_only_its_own_steps(aw):
    request = draft(aw)
    with pytest.raises(PermissionDenied, match="Only DE-BKA \\(the requesting agency\\) can send"):
        services.request_send(actor=aw.liaison, request=request)
    services.request_send(actor=aw.owner.investigator, request=request)
    with pytest.raises(PermissionDenied, match="Only NL-HOST \\(the addressee\\) can acknowledge"):
        services.request_acknowledge(actor=aw.owner.investigator, request=request)
    with pytest.raises(PermissionDenied, match="Only NL-HOST \\(the addressee\\) can answer"):
        services.request_respond(
            actor=aw.outsider.investigator, request=request, file=SimpleUploadedFile("a", b"x")
        )


def test_a_refusal_names_its_grounds(aw):
    request = sent(aw)
    with pytest.raises(ValidationError, match="Choose the grounds: dual_criminality"):
        services.request_refuse(actor=aw.liaison, request=request, grounds="lazy")
    with pytest.raises(ValidationError, match="Explain the grounds"):
        services.request_refuse(actor=aw.liaison, request=request, grounds="other")
    request = services.request_refuse(
        actor=aw.liaison, request=request, grounds="insufficient_detail", text="Which port?"
    )
    assert request.refusal_grounds == "insufficient_detail"
    assert request.closed_at is not None


def test_preserving_needs_the_providers_reference(aw):
    request = sent(aw)
    with pytest.raises(ValidationError, match="Give your reference for the preserved data"):
        services.request_preserve(actor=aw.liaison, request=request, reference=" ")


def test_a_signed_order_is_stored_with_its_sha256(aw):
    request = draft(aw)
    order = b"%PDF-1.7 signed order"
    attachment = services.attachment_add(
        actor=aw.owner.investigator,
        request=request,
        file=SimpleUploadedFile("order.pdf", order, "application/pdf"),
        kind="signed_order",
    )
    assert attachment.sha256 == hashlib.sha256(order).hexdigest()
    assert attachment.size == len(order)
    assert attachment.file.read() == order


def test_a_follow_up_must_follow_a_preservation_of_the_same_case(aw):
    production = sent(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    with pytest.raises(ValidationError, match="Only a preservation request of the same case"):
        draft(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=production)


def _preserved(aw):
    preservation = sent(aw)
    return services.request_preserve(actor=aw.liaison, request=preservation, reference="HB-7")


def test_a_preservation_that_ended_is_not_followed_up(aw):
    preservation = _preserved(aw)
    services.request_release(actor=aw.owner.investigator, request=preservation)
    with pytest.raises(
        ValidationError, match=r"Preservation request #\d+ is preservation released"
    ):
        draft(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=preservation)


def test_a_follow_up_is_sent_within_the_preservation_period_or_not_at_all(aw):
    preservation = _preserved(aw)
    production = draft(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=preservation
    )
    AssistanceRequest.objects.filter(pk=preservation.pk).update(
        preserved_until=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(StateConflict, match="is expired: the production request that follows"):
        services.request_send(actor=aw.owner.investigator, request=production)
    production.refresh_from_db()
    assert production.status == "draft"


def test_a_followed_up_preservation_holds_until_its_follow_up_is_answered(aw):
    preservation = _preserved(aw)
    production = draft(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=preservation
    )
    services.request_send(actor=aw.owner.investigator, request=production)
    preservation.refresh_from_db()
    assert preservation.due_at is None and not preservation.is_overdue
    assert preservation.events.last().note.startswith("The follow-up request was sent in time")
    later = timezone.now() + dt.timedelta(days=61)
    assert services.requests_expire(now=later) == 0
    produce(aw, production)
    assert services.requests_expire(now=later) == 1
    preservation.refresh_from_db()
    assert preservation.status == "expired"


def test_the_provider_sees_which_preservation_an_order_follows_up(aw, api_client_for, client_for):
    preservation = _preserved(aw)
    production = draft(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=preservation
    )
    services.request_send(actor=aw.owner.investigator, request=production)
    provider = api_client_for(aw.liaison, aw.provider)
    shown = provider.get(f"/api/v1/assistance-requests/{production.pk}/").json()
    assert shown["follows_up"] == preservation.pk
    assert shown["case_reference"] == aw.case.reference
    page = client_for(aw.liaison).get(f"/assistance/{production.pk}/").content.decode()
    assert f"preservation #{preservation.pk}</a>, preserved as HB-7" in page


def test_a_follow_up_to_another_addressee_is_not_shown_to_the_first(aw, api_client_for, client_for):
    preservation = _preserved(aw)
    mla = draft(
        aw,
        kind=Kind.PRODUCTION,
        instrument=Instrument.BUDAPEST_31,
        addressee=aw.partner.agency,
        follow_up_of=preservation,
    )
    services.request_send(actor=aw.owner.investigator, request=mla)
    provider = api_client_for(aw.liaison, aw.provider)
    assert (
        provider.get(f"/api/v1/assistance-requests/{preservation.pk}/").json()["follow_up"] is None
    )
    owner = api_client_for(aw.owner.investigator, aw.owner.agency)
    assert (
        owner.get(f"/api/v1/assistance-requests/{preservation.pk}/").json()["follow_up"] == mla.pk
    )
    page = client_for(aw.liaison).get(f"/assistance/{preservation.pk}/").content.decode()
    assert "Followed up by" not in page and f"#{mla.pk}" not in page
    assert "keep the data preserved pending its answer" in page
    owner_page = client_for(aw.owner.investigator).get(f"/assistance/{preservation.pk}/")
    assert "Followed up by" in owner_page.content.decode()


def test_the_addressee_sees_the_request_as_sent_not_its_drafting(aw, api_client_for):
    request = draft(aw)
    services.request_update(actor=aw.owner.investigator, request=request, summary="C2 logs v2")
    services.request_send(actor=aw.owner.investigator, request=request)
    provider = api_client_for(aw.liaison, aw.provider)
    events = provider.get(f"/api/v1/assistance-requests/{request.pk}/").json()["events"]
    assert [e["to_status"] for e in events] == ["sent"]
    owner = api_client_for(aw.owner.investigator, aw.owner.agency)
    events = owner.get(f"/api/v1/assistance-requests/{request.pk}/").json()["events"]
    assert [e["to_status"] for e in events] == ["draft", "draft", "sent"]


def test_a_held_preservation_says_it_has_no_deadline_rather_than_that_it_is_unsent(aw, client_for):
    preservation = _preserved(aw)
    production = draft(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, follow_up_of=preservation
    )
    services.request_send(actor=aw.owner.investigator, request=production)
    page = client_for(aw.liaison).get(f"/assistance/{preservation.pk}/").content.decode()
    assert "none: preserved pending the follow-up's answer" in page
    assert "starts when sent" not in page
