"""Writes for assistance requests: drafting, sending (legal basis and routing), and each step
of the lifecycle, from either side.

Every step is a transition of a small state machine: an illegal one is a ``StateConflict``
(409) saying what the request is and when the step is possible. Each runs in a transaction,
locks the case row then the request row (the order evidence intake takes), writes a timeline
event, re-derives who sees the request and writes its audit event last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from agencies.models import TLP, Agency
from agencies.selectors import is_member
from assistance import deadlines
from assistance.legal import either, resolve_basis
from assistance.models import (
    AddresseeRole,
    AssistanceRequest,
    EnforcingDecision,
    Instrument,
    Kind,
    RefusalGrounds,
    RequestAttachment,
    RequestEvent,
    RequestResponse,
    attachment_upload_to,
    response_upload_to,
)
from assistance.notifications import on_transition
from assistance.permissions import sync_assistance_permissions
from audit.services import audit_log
from cases import evidence as evidence_services
from cases.checks import check_handling, full_clean
from cases.files import store_streaming, upload_name
from cases.models import Case
from cases.selectors import acting_agency_for_case
from common.dates import utc_moment
from common.errors import StateConflict

Status = AssistanceRequest.Status

REQUESTER_ONLY = gettext_noop("Only {agency} (the requesting agency) can {verb} this request.")
ADDRESSEE_ONLY = gettext_noop("Only {agency} (the addressee) can {verb} this request.")
REQUESTER_OR_ADDRESSEE = gettext_noop("Only {requester} or {addressee} can {verb} this request.")
ILLEGAL = gettext_noop("This request is {status}: it can be {verb} only when it is {allowed}.")
NOT_PRESERVATION = gettext_noop("Only a preservation request can be {verb}; this one is '{kind}'.")
EPOC_PR_ONCE = gettext_noop(
    "An EPOC-PR preservation is extended once, by 30 days (Regulation (EU) 2023/1543 "
    "Art. 11(1)); send the production request instead."
)
SELF_ADDRESSED = gettext_noop("A request goes to another agency than the requesting one.")
ADDRESSEE_INACTIVE = gettext_noop("{agency} is not active.")
FOLLOW_UP_NOT_PRESERVATION = gettext_noop(
    "Only a preservation request of the same case is followed up."
)
FOLLOW_UP_TAKEN = gettext_noop("That preservation is already followed up by request #{pk}.")
JIT_OF_ANOTHER_CASE = gettext_noop("That JIT belongs to another case.")
REFERENCE_REQUIRED = gettext_noop("Give your reference for the preserved data.")
GROUNDS = gettext_noop("Choose the grounds: {choices}.")
NOT_A_FIELD = gettext_noop("Not a field of a request.")
GROUNDS_TEXT = gettext_noop("Explain the grounds.")
SHARED_NEEDS_JIT = gettext_noop("The case has no JIT to share this request with.")
ENFORCING_REQUIRED = gettext_noop(
    "A European Production Order for traffic or content data is notified to the enforcing "
    "authority of the provider's Member State when it is sent (Regulation (EU) 2023/1543 "
    "Art. 8(1)): name that authority, or tick 'no notification' if Art. 8(2) applies."
)
ENFORCING_NOT_NEEDED = gettext_noop(
    "Only a European Production Order for traffic or content data, without the Art. 8(2) "
    "exception, is notified to an enforcing authority (Regulation (EU) 2023/1543 Art. 8)."
)
ENFORCING_COUNTRY = gettext_noop(
    "The enforcing authority is an authority of {country}, where {provider} is established "
    "(Regulation (EU) 2023/1543 Art. 3(17), 8(1)); {agency} is in {theirs}."
)
ENFORCING_PROVIDER = gettext_noop("A service provider is not an enforcing authority.")
ENFORCING_ONLY = gettext_noop("Only {agency} (the enforcing authority) can {verb} this order.")
ENFORCING_DECIDED = gettext_noop("The enforcing authority has already decided: {decision}.")
ENFORCING_WINDOW_OVER = gettext_noop(
    "The time to raise a ground for refusal ended on {end} (Regulation (EU) "
    "2023/1543 Art. 10(2), 12(1)): the order stands."
)
ENFORCING_PENDING = gettext_noop(
    "{agency}, the enforcing authority, may raise a ground for refusal until {end}: the data "
    "are preserved now and produced once it confirms it "
    "raises none, or after that date (Regulation (EU) 2023/1543 Art. 10(2))."
)
FOLLOW_UP_LAPSED = gettext_noop(
    "Preservation request #{pk} is {status}: the production request that follows it must be "
    "sent within the preservation period (Budapest Convention Art. 29(7); Regulation (EU) "
    "2023/1543 Art. 11(1)). Send a request that is not a follow-up instead."
)

EDITABLE = (
    "kind",
    "addressee",
    "instrument",
    "jit",
    "treaty",
    "urgency",
    "emergency_justification",
    "summary",
    "identifiers",
    "data_categories",
    "period_start",
    "period_end",
    "tlp",
    "handling_code",
    "handling_text",
    "shared_with_jit",
    "enforcing_authority",
    "enforcing_exempt",
)

# The participle of each step, as the messages below say it ("it can be sent only when …"):
# in the reader's language (a context of their own: other apps' 'withdrawn' agrees with a notice).
VERBS = {
    "send": pgettext_lazy("assistance request step", "sent"),
    "acknowledge": pgettext_lazy("assistance request step", "acknowledged"),
    "start": pgettext_lazy("assistance request step", "started"),
    "preserve": pgettext_lazy("assistance request step", "preserved"),
    "extend": pgettext_lazy("assistance request step", "extended"),
    "respond": pgettext_lazy("assistance request step", "answered"),
    "refuse": pgettext_lazy("assistance request step", "refused"),
    "withdraw": pgettext_lazy("assistance request step", "withdrawn"),
    "release": pgettext_lazy("assistance request step", "released"),
    "expire": pgettext_lazy("assistance request step", "expired"),
    "no_grounds": pgettext_lazy("assistance request step", "confirmed"),
    "attach": pgettext_lazy("assistance request step", "given attachments"),
}
# What only one side may do, as its refusal says it ("only … can send this request"), keyed by
# the service's English verb.
ACTS = {
    "change": pgettext_lazy("assistance request action", "change"),
    "send": pgettext_lazy("assistance request action", "send"),
    "acknowledge": pgettext_lazy("assistance request action", "acknowledge"),
    "start": pgettext_lazy("assistance request action", "start"),
    "preserve": pgettext_lazy("assistance request action", "preserve"),
    "extend": pgettext_lazy("assistance request action", "extend"),
    "answer": pgettext_lazy("assistance request action", "answer"),
    "refuse": pgettext_lazy("assistance request action", "refuse"),
    "confirm": pgettext_lazy("assistance request action", "confirm"),
    "withdraw": pgettext_lazy("assistance request action", "withdraw"),
    "release": pgettext_lazy("assistance request action", "release"),
    "add attachments to": pgettext_lazy("assistance request action", "add attachments to"),
    "download responses of": pgettext_lazy("assistance request action", "download responses of"),
}
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "send": (Status.DRAFT,),
    "acknowledge": (Status.SENT,),
    "start": (Status.SENT, Status.ACKNOWLEDGED),
    "preserve": (Status.SENT, Status.ACKNOWLEDGED, Status.IN_PROGRESS),
    "extend": (Status.PRESERVED, Status.EXTENDED),
    "respond": (
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.PRESERVED,
        Status.EXTENDED,
        Status.ANSWERED_PARTIALLY,
    ),
    "refuse": (Status.SENT, Status.ACKNOWLEDGED, Status.IN_PROGRESS),
    "withdraw": (
        Status.DRAFT,
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.ANSWERED_PARTIALLY,
    ),
    "release": (Status.PRESERVED, Status.EXTENDED),
    "expire": (Status.PRESERVED, Status.EXTENDED),
    "no_grounds": (Status.SENT, Status.ACKNOWLEDGED, Status.IN_PROGRESS),
    "attach": (Status.DRAFT, *AssistanceRequest.WAITING),
}
UPDATE_ONLY_DRAFT = gettext_noop("This request is {status}: only a draft can be changed.")


def _or(values: tuple[str, ...]) -> str:
    return either([str(Status(v).label).lower() for v in values])


def check_transition(request: AssistanceRequest, action: str) -> None:
    """``StateConflict`` in words unless ``action`` is possible in the request's status."""
    if request.status not in ALLOWED_FROM[action]:
        raise StateConflict(
            _(ILLEGAL).format(
                status=str(request.get_status_display()).lower(),
                verb=VERBS[action],
                allowed=_or(ALLOWED_FROM[action]),
            )
        )


def _lock(request: AssistanceRequest) -> AssistanceRequest:
    """Case row first, then the request (the order every case write takes)."""
    Case.objects.select_for_update(no_key=True).only("pk").get(pk=request.case_id)
    return (
        AssistanceRequest.objects.select_for_update(of=("self",))
        .select_related("case", "requesting_agency", "addressee", "enforcing_authority")
        .get(pk=request.pk)
    )


def _acting(actor: Any, side: Agency, agency: Agency | None, message: str, verb: str) -> Agency:
    """``side`` if the actor acts for it, else a refusal naming it (the caller sees the request,
    so it knows its parties already) in the reader's language."""
    if not is_member(user=actor, of=side, agency=agency):
        raise PermissionDenied(_(message).format(agency=side.code, verb=ACTS[verb]))
    return side


def _as_requester(
    actor: Any, request: AssistanceRequest, agency: Agency | None, verb: str
) -> Agency:
    return _acting(actor, request.requesting_agency, agency, REQUESTER_ONLY, verb)


def _as_addressee(
    actor: Any, request: AssistanceRequest, agency: Agency | None, verb: str
) -> Agency:
    return _acting(actor, request.addressee, agency, ADDRESSEE_ONLY, verb)


def _as_either(actor: Any, request: AssistanceRequest, agency: Agency | None, verb: str) -> Agency:
    for side in (request.requesting_agency, request.addressee):
        if is_member(user=actor, of=side, agency=agency):
            return side
    raise PermissionDenied(
        _(REQUESTER_OR_ADDRESSEE).format(
            requester=request.requesting_agency.code,
            addressee=request.addressee.code,
            verb=ACTS[verb],
        )
    )


def _record(
    request: AssistanceRequest,
    *,
    actor: Any,
    agency: Agency | None,
    action: str,
    from_status: str,
    note: str = "",
    summary: dict[str, Any] | None = None,
) -> None:
    """Timeline event, permission rows, audit event (last)."""
    RequestEvent.objects.create(
        request=request,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=agency,
        from_status=from_status,
        to_status=request.status,
        note=note,
    )
    sync_assistance_permissions(request)
    on_transition(request, action, actor)
    audit_log(
        actor=actor,
        action=f"assistance.{action}",
        obj=request,
        agency=agency,
        summary={
            "case": request.case.reference,
            "kind": request.kind,
            "from": from_status,
            "to": request.status,
            **(summary or {}),
        },
    )


def _check_editable(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _(NOT_A_FIELD) for name in sorted(unknown)})


def _check_fields(request: AssistanceRequest) -> None:
    check_handling(request.handling_code, request.handling_text)
    if request.addressee_id == request.requesting_agency_id:
        raise ValidationError({"addressee": _(SELF_ADDRESSED)})
    if not request.addressee.active:
        raise ValidationError(
            {"addressee": _(ADDRESSEE_INACTIVE).format(agency=request.addressee.code)}
        )
    if request.jit is not None and request.jit.case_id != request.case_id:
        raise ValidationError({"jit": _(JIT_OF_ANOTHER_CASE)})
    if request.shared_with_jit and not request.case.jits.exists():
        raise ValidationError({"shared_with_jit": _(SHARED_NEEDS_JIT)})
    _check_enforcing(request)
    full_clean(request)


def _check_enforcing(request: AssistanceRequest) -> None:
    authority = request.enforcing_authority
    if authority is None:
        return
    if not request.needs_enforcing_notification:
        raise ValidationError({"enforcing_authority": _(ENFORCING_NOT_NEEDED)})
    if authority.is_service_provider:
        raise ValidationError({"enforcing_authority": _(ENFORCING_PROVIDER)})
    if not authority.active:
        raise ValidationError(
            {"enforcing_authority": _(ADDRESSEE_INACTIVE).format(agency=authority)}
        )
    provider = request.addressee
    if authority.country_id != provider.country_id:
        raise ValidationError(
            {
                "enforcing_authority": _(ENFORCING_COUNTRY).format(
                    country=provider.country.name,
                    provider=provider.code,
                    agency=authority.code,
                    theirs=authority.country.name,
                )
            }
        )


def _check_follow_up(request: AssistanceRequest) -> AssistanceRequest | None:
    """A follow-up goes out while its preservation still holds the data: the preservation
    (locked after the request, as every step locks), else ``StateConflict``."""
    preservation = (
        AssistanceRequest.objects.select_for_update(of=("self",))
        .select_related("case", "requesting_agency", "addressee")
        .filter(follow_up=request)
        .first()
    )
    if preservation is None:
        return None
    lapsed = preservation.preserved_until is not None and preservation.preserved_until < (
        timezone.now()
    )
    if preservation.status not in AssistanceRequest.PRESERVING or lapsed:
        status = "expired" if lapsed else str(preservation.get_status_display()).lower()
        raise StateConflict(_(FOLLOW_UP_LAPSED).format(pk=preservation.pk, status=status))
    return preservation


def _held_for(preservation: AssistanceRequest, follow_up: AssistanceRequest, actor: Any) -> None:
    """The follow-up is sent in time: the data stay preserved pending its answer (Budapest
    Art. 29(7); Reg. 2023/1543 Art. 11(1)), so the preservation waits for no one any more and
    does not expire while the follow-up is open."""
    preservation.due_at = None
    preservation.reminded_at = preservation.overdue_notified_at = None
    preservation.updated_at = timezone.now()
    preservation.save()
    _record(
        preservation,
        actor=actor,
        agency=preservation.requesting_agency,
        action="followed_up",
        from_status=preservation.status,
        # No id: the follow-up may go to another addressee, who alone sees it.
        note="The follow-up request was sent in time: keep the data preserved pending its answer.",
        summary={"follow_up": follow_up.pk},
    )


@transaction.atomic
def request_create(
    *,
    actor: Any,
    case: Case,
    kind: str,
    addressee: Agency,
    agency: Agency | None = None,
    follow_up_of: AssistanceRequest | None = None,
    **fields: Any,
) -> AssistanceRequest:
    """A draft request of ``case`` by the agency the actor acts for in it (lead first)."""
    requester = acting_agency_for_case(user=actor, case=case, agency=agency)
    _check_editable(fields)
    request = AssistanceRequest(
        case=case,
        kind=kind,
        requesting_agency=requester,
        addressee=addressee,
        created_by=actor,
        **fields,
    )
    _check_fields(request)
    Case.objects.select_for_update(no_key=True).only("pk").get(pk=case.pk)
    if follow_up_of is not None:
        follow_up_of = AssistanceRequest.objects.select_for_update().get(pk=follow_up_of.pk)
        if follow_up_of.case_id != case.pk or follow_up_of.kind != Kind.PRESERVATION:
            raise ValidationError({"follow_up_of": _(FOLLOW_UP_NOT_PRESERVATION)})
        if follow_up_of.follow_up_id:
            raise ValidationError(
                {"follow_up_of": _(FOLLOW_UP_TAKEN).format(pk=follow_up_of.follow_up_id)}
            )
        if follow_up_of.status not in AssistanceRequest.FOLLOWABLE:
            raise ValidationError(
                {
                    "follow_up_of": _(FOLLOW_UP_LAPSED).format(
                        pk=follow_up_of.pk, status=str(follow_up_of.get_status_display()).lower()
                    )
                }
            )
    request.save()
    if follow_up_of is not None:
        follow_up_of.follow_up = request
        follow_up_of.save(update_fields=["follow_up"])
    _record(
        request,
        actor=actor,
        agency=requester,
        action="created",
        from_status="",
        summary={"addressee": addressee.code, "follow_up_of": getattr(follow_up_of, "pk", None)},
    )
    return request


@transaction.atomic
def request_update(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None, **fields: Any
) -> AssistanceRequest:
    """Change a draft; a sent request is the addressee's record and never changes."""
    request = _lock(request)
    requester = _as_requester(actor, request, agency, "change")
    if request.status != Status.DRAFT:
        raise StateConflict(
            _(UPDATE_ONLY_DRAFT).format(status=str(request.get_status_display()).lower())
        )
    _check_editable(fields)
    changed = {}
    for name, value in fields.items():
        if getattr(request, name) != value:
            setattr(request, name, value)
            changed[name] = str(value)[:200]
    _check_fields(request)
    request.updated_at = timezone.now()
    request.save()
    _record(
        request,
        actor=actor,
        agency=requester,
        action="updated",
        from_status=request.status,
        summary={"changed": sorted(changed)},
    )
    return request


def route(request: AssistanceRequest) -> tuple[Agency, str]:
    """Where the request goes: a provider answers itself; MLA goes to the addressee's central
    authority (Budapest Art. 27) if it names one; preservation and emergencies to its 24/7
    point (Art. 35)."""
    addressee = request.addressee
    if addressee.is_service_provider:
        return addressee, AddresseeRole.SERVICE_PROVIDER
    urgent = request.kind in (Kind.PRESERVATION, Kind.EMERGENCY_DISCLOSURE) or (
        request.urgency == "emergency"
    )
    if not urgent and request.kind == Kind.PRODUCTION:
        central = addressee.central_authority
        if central is not None and central.active:
            return central, AddresseeRole.CENTRAL_AUTHORITY
        return addressee, AddresseeRole.CENTRAL_AUTHORITY
    return addressee, AddresseeRole.POINT_OF_CONTACT


@transaction.atomic
def request_send(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None
) -> AssistanceRequest:
    """Route, check the legal basis between the two jurisdictions (saying what is missing),
    start the clock."""
    request = _lock(request)
    requester = _as_requester(actor, request, agency, "send")
    check_transition(request, "send")
    request.addressee, request.addressee_role = route(request)
    _check_fields(request)
    basis = resolve_basis(
        case=request.case,
        kind=request.kind,
        instrument=request.instrument,
        requester=requester,
        addressee=request.addressee,
        jit=request.jit,
    )
    if basis.missing:
        raise ValidationError({"instrument": basis.missing})
    if request.needs_enforcing_notification and request.enforcing_authority is None:
        raise ValidationError({"enforcing_authority": _(ENFORCING_REQUIRED)})
    preservation = _check_follow_up(request)
    now = timezone.now()
    if request.enforcing_authority is not None:
        request.enforcing_notified_at = now
    request.agreement, request.jit = basis.agreement, basis.jit or request.jit
    request.status, request.sent_at, request.updated_at = Status.SENT, now, now
    request.due_at = deadlines.due_at(
        start=now, instrument=request.instrument, kind=request.kind, urgency=request.urgency
    )
    request.save()
    _record(
        request,
        actor=actor,
        agency=requester,
        action="sent",
        from_status=Status.DRAFT,
        note=f"Legal basis: {basis.text}",
        summary={
            "addressee": request.addressee.code,
            "addressee_role": request.addressee_role,
            "instrument": request.instrument,
            "basis": basis.text,
            "agreement": getattr(basis.agreement, "pk", None),
            "due_at": request.due_at.isoformat(),
            "enforcing_authority": getattr(request.enforcing_authority, "code", None),
        },
    )
    if preservation is not None:
        _held_for(preservation, request, actor)
    return request


def _step(
    request: AssistanceRequest,
    *,
    actor: Any,
    side: Agency,
    action: str,
    to: str,
    note: str = "",
    summary: dict[str, Any] | None = None,
) -> AssistanceRequest:
    from_status = request.status
    request.status = to
    request.updated_at = timezone.now()
    if to in (
        Status.ANSWERED_FULLY,
        Status.REFUSED,
        Status.WITHDRAWN,
        Status.RELEASED,
        Status.EXPIRED,
    ):
        request.closed_at = request.updated_at
    request.save()
    _record(
        request,
        actor=actor,
        agency=side,
        action=action,
        from_status=from_status,
        note=note,
        summary=summary,
    )
    return request


@transaction.atomic
def request_acknowledge(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None
) -> AssistanceRequest:
    request = _lock(request)
    side = _as_addressee(actor, request, agency, "acknowledge")
    check_transition(request, "acknowledge")
    return _step(request, actor=actor, side=side, action="acknowledged", to=Status.ACKNOWLEDGED)


@transaction.atomic
def request_start(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None
) -> AssistanceRequest:
    request = _lock(request)
    side = _as_addressee(actor, request, agency, "start")
    check_transition(request, "start")
    return _step(request, actor=actor, side=side, action="started", to=Status.IN_PROGRESS)


def _require_preservation(request: AssistanceRequest, action: str) -> None:
    if request.kind != Kind.PRESERVATION:
        raise StateConflict(
            _(NOT_PRESERVATION).format(verb=VERBS[action], kind=request.get_kind_display())
        )


@transaction.atomic
def request_preserve(
    *, actor: Any, request: AssistanceRequest, reference: str, agency: Agency | None = None
) -> AssistanceRequest:
    """The addressee froze the data: the preservation period runs from now."""
    request = _lock(request)
    side = _as_addressee(actor, request, agency, "preserve")
    _require_preservation(request, "preserve")
    check_transition(request, "preserve")
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _(REFERENCE_REQUIRED)})
    now = timezone.now()
    request.preservation_reference = reference[:120]
    request.preserved_at = now
    request.preserved_until = request.due_at = deadlines.due_at(
        start=now, instrument=request.instrument, kind=request.kind, urgency=request.urgency
    )
    request.reminded_at = request.overdue_notified_at = None
    return _step(
        request,
        actor=actor,
        side=side,
        action="preserved",
        to=Status.PRESERVED,
        note=f"Reference {request.preservation_reference}",
        summary={
            "reference": request.preservation_reference,
            "until": _iso(request.preserved_until),
        },
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def request_extend(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None
) -> AssistanceRequest:
    """The requester keeps the data preserved longer (EPOC-PR: once, 30 days); the deadline
    moves with it."""
    request = _lock(request)
    side = _as_requester(actor, request, agency, "extend")
    _require_preservation(request, "extend")
    check_transition(request, "extend")
    if request.instrument == Instrument.EPOC_PR and request.extensions >= 1:
        raise StateConflict(_(EPOC_PR_ONCE))
    assert request.preserved_until is not None  # set whenever the status is preserved
    request.preserved_until = request.due_at = request.preserved_until + deadlines.extension(
        request.instrument
    )
    request.extensions += 1
    request.reminded_at = request.overdue_notified_at = None
    return _step(
        request,
        actor=actor,
        side=side,
        action="extended",
        to=Status.EXTENDED,
        summary={"until": _iso(request.preserved_until), "extensions": request.extensions},
    )


def _evidence_tlp(request: AssistanceRequest) -> str:
    """Produced data stays with the requester unless it shares the request with the JIT."""
    if not request.shared_with_jit:
        return TLP.AMBER_STRICT
    return TLP.AMBER if request.tlp in (TLP.RED, TLP.AMBER_STRICT) else request.tlp


@transaction.atomic
def request_respond(
    *,
    actor: Any,
    request: AssistanceRequest,
    file: Any,
    complete: bool = True,
    note: str = "",
    agency: Agency | None = None,
) -> RequestResponse:
    """The addressee produces data: stored once (SHA-256 on the way), a response of the request
    and evidence of the case (collected by the addressee, received by the requester)."""
    request = _lock(request)
    side = _as_addressee(actor, request, agency, "answer")
    check_transition(request, "respond")
    _check_not_awaiting_enforcing(request)
    original_name = upload_name(file, "response.bin")
    response = RequestResponse(
        request=request,
        agency=side,
        original_name=original_name,
        note=note,
        complete=complete,
        produced_by=actor,
        size=0,
        sha256="0" * 64,
    )
    stored, response.size, response.sha256 = store_streaming(
        file, response_upload_to(response, original_name)
    )
    response.file.name = stored
    try:
        response.evidence = evidence_services.evidence_receive(
            actor=actor,
            case=request.case,
            agency=request.requesting_agency,
            from_agency=side,
            stored_name=stored,
            size=response.size,
            sha256=response.sha256,
            original_name=original_name,
            content_type=(getattr(file, "content_type", "") or ""),
            title=f"Response of {side.code} to request #{request.pk}: {original_name}",
            description=note,
            tlp=_evidence_tlp(request),
            handling_code=request.handling_code,
        )
        response.save()
        _step(
            request,
            actor=actor,
            side=side,
            action="answered",
            to=Status.ANSWERED_FULLY if complete else Status.ANSWERED_PARTIALLY,
            note=note,
            summary={"sha256": response.sha256, "size": response.size, "response": response.pk},
        )
    except BaseException:
        response.file.storage.delete(stored)
        raise
    return response


@transaction.atomic
def request_refuse(
    *,
    actor: Any,
    request: AssistanceRequest,
    grounds: str,
    text: str = "",
    agency: Agency | None = None,
) -> AssistanceRequest:
    request = _lock(request)
    enforcing = request.enforcing_authority
    if enforcing is not None and is_member(user=actor, of=enforcing, agency=agency):
        side = _as_enforcing(actor, request, agency, "refuse")
    else:
        side = _as_addressee(actor, request, agency, "refuse")
    check_transition(request, "refuse")
    if grounds not in RefusalGrounds.values:
        choices = ", ".join(RefusalGrounds.values)
        raise ValidationError({"grounds": _(GROUNDS).format(choices=choices)})
    if grounds == RefusalGrounds.OTHER and not (text or "").strip():
        raise ValidationError({"text": _(GROUNDS_TEXT)})
    if side == enforcing:
        request.enforcing_decision = EnforcingDecision.REFUSED
        request.enforcing_decided_at = timezone.now()
    request.refusal_grounds, request.refusal_text = grounds, text
    return _step(
        request,
        actor=actor,
        side=side,
        action="refused",
        to=Status.REFUSED,
        note=text,
        summary={"grounds": grounds},
    )


def _as_enforcing(
    actor: Any, request: AssistanceRequest, agency: Agency | None, verb: str
) -> Agency:
    """A member of the enforcing authority, while it may still decide (else ``StateConflict``)."""
    authority = request.enforcing_authority
    if authority is None:
        raise PermissionDenied(
            _(ADDRESSEE_ONLY).format(agency=request.addressee.code, verb=ACTS[verb])
        )
    _acting(actor, authority, agency, ENFORCING_ONLY, verb)
    if request.enforcing_decision:
        raise StateConflict(
            _(ENFORCING_DECIDED).format(decision=str(request.get_enforcing_decision_display()))
        )
    end = request.enforcing_window_ends
    if end is not None and end < timezone.now():
        raise StateConflict(_(ENFORCING_WINDOW_OVER).format(end=utc_moment(end)))
    return authority


def _check_not_awaiting_enforcing(request: AssistanceRequest) -> None:
    if request.awaits_enforcing_authority:
        authority, end = request.enforcing_authority, request.enforcing_window_ends
        assert authority is not None and end is not None  # notified, so named and timed
        raise StateConflict(_(ENFORCING_PENDING).format(agency=authority.code, end=utc_moment(end)))


@transaction.atomic
def request_no_grounds(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None
) -> AssistanceRequest:
    """The enforcing authority raises no ground for refusal: the provider may produce now
    (Reg. 2023/1543 Art. 10(2))."""
    request = _lock(request)
    side = _as_enforcing(actor, request, agency, "confirm")
    check_transition(request, "no_grounds")
    request.enforcing_decision = EnforcingDecision.NO_GROUNDS
    request.enforcing_decided_at = request.updated_at = timezone.now()
    request.save()
    _record(
        request,
        actor=actor,
        agency=side,
        action="no_grounds",
        from_status=request.status,
        note="The enforcing authority raises no ground for refusal.",
    )
    return request


@transaction.atomic
def request_withdraw(
    *, actor: Any, request: AssistanceRequest, reason: str = "", agency: Agency | None = None
) -> AssistanceRequest:
    request = _lock(request)
    side = _as_requester(actor, request, agency, "withdraw")
    check_transition(request, "withdraw")
    return _step(
        request, actor=actor, side=side, action="withdrawn", to=Status.WITHDRAWN, note=reason
    )


@transaction.atomic
def request_release(
    *, actor: Any, request: AssistanceRequest, agency: Agency | None = None
) -> AssistanceRequest:
    """The preserved data is no longer needed (either side may say so)."""
    request = _lock(request)
    side = _as_either(actor, request, agency, "release")
    check_transition(request, "release")
    return _step(request, actor=actor, side=side, action="released", to=Status.RELEASED)


@transaction.atomic
def requests_expire(*, now: dt.datetime | None = None) -> int:
    """Preservations whose period ended without release or extension expire (a beat task)."""
    now = now or timezone.now()
    lapsed = (
        AssistanceRequest.objects.filter(status__in=ALLOWED_FROM["expire"], preserved_until__lt=now)
        .exclude(follow_up__status__in=AssistanceRequest.WAITING)
        .order_by("pk")
    )
    count = 0
    for request in lapsed:
        request = _lock(request)
        if request.status in ALLOWED_FROM["expire"]:
            _step(request, actor=None, side=request.addressee, action="expired", to=Status.EXPIRED)
            count += 1
    return count


@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    request: AssistanceRequest,
    file: Any,
    kind: str,
    language: str = "",
    agency: Agency | None = None,
) -> RequestAttachment:
    """A signed order or a translation, stored like evidence (one streaming pass, SHA-256)."""
    request = _lock(request)
    side = _as_requester(actor, request, agency, "add attachments to")
    check_transition(request, "attach")
    original_name = upload_name(file, "attachment.bin")
    attachment = RequestAttachment(
        request=request,
        kind=kind,
        language=language,
        original_name=original_name,
        uploaded_by=actor,
        size=0,
        sha256="0" * 64,
    )
    full_clean(attachment, exclude=["file"])
    stored, attachment.size, attachment.sha256 = store_streaming(
        file, attachment_upload_to(attachment, original_name)
    )
    attachment.file.name = stored
    try:
        attachment.save()
        audit_log(
            actor=actor,
            action="assistance.attachment_added",
            obj=request,
            agency=side,
            summary={"kind": kind, "name": original_name, "sha256": attachment.sha256},
        )
    except BaseException:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def response_record_download(
    *, actor: Any, response: RequestResponse, agency: Agency | None = None
) -> None:
    """Audited; a download by the requester is also a custody event of the evidence."""
    request = response.request
    side = _as_either(actor, request, agency, "download responses of")
    if response.evidence is not None and side.pk == request.requesting_agency_id:
        evidence_services.evidence_record_download(
            actor=actor, evidence=response.evidence, agency=side
        )
    audit_log(
        actor=actor,
        action="assistance.response_downloaded",
        obj=request,
        agency=side,
        summary={"response": response.pk, "sha256": response.sha256},
    )
