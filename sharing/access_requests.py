"""Access requests: asking the unnamed holders of a hidden match to share it, and the holders'
answer (a normal share, or a reasoned decline). Reads first, then writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop

from agencies.access import get_visible_or_404
from agencies.models import TLP, Agency, HandlingCode, Membership
from agencies.selectors import active_members, active_memberships, is_member
from audit.services import audit_log
from notifications.models import Notification
from notifications.services import notifications_settle, notify
from sharing import services as sharing_services
from sharing.correlation import hidden_matches
from sharing.legal import ShareSpec
from sharing.models import AccessRequest, AccessRequestTarget, Indicator
from sharing.selectors import managing_agencies

DECIDERS: set[str] = {Membership.Role.INVESTIGATOR, Membership.Role.AGENCY_ADMIN}
NOT_REQUESTER = gettext_noop("Only members of the agency holding this indicator may ask.")
NOT_HOLDER = gettext_noop("Only investigators of the holding agency may answer this request.")
NO_REASON = gettext_noop("Say why you need the matching indicator.")
NO_LEGAL_BASIS = gettext_noop("Name the legal basis of the request.")
NO_HIDDEN_MATCH = gettext_noop("No other agency holds a match hidden from you.")
ALREADY_ANSWERED = gettext_noop("This request was already answered.")
NO_DECLINE_REASON = gettext_noop("Give the requester a reason for declining.")


# --- reads ------------------------------------------------------------------------------------


def requests_sent(*, user: Any, agency: Agency | None = None) -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(requester__in=managing_agencies(user=user, agency=agency))
        .select_related("requester", "requested_by", "indicator")
        .prefetch_related("targets")
    )


def request_outcome(request: AccessRequest) -> dict[str, Any]:
    """What the requester may learn: pending / shared / declined, and decline reasons
    (deduplicated; never who answered or how many holders there are)."""
    statuses = {t.status for t in request.targets.all()}
    S = AccessRequestTarget.Status
    if S.GRANTED in statuses:
        status = "shared"
    elif statuses == {S.DECLINED}:
        status = "declined"
    else:
        status = "pending"
    reasons = sorted({t.decision_reason for t in request.targets.all() if t.status == S.DECLINED})
    return {"status": status, "decline_reasons": reasons if status == "declined" else []}


def deciding_agencies(*, user: Any, agency: Agency | None = None) -> QuerySet[Agency]:
    ids = active_memberships(user=user).filter(role__in=DECIDERS).values("agency_id")
    qs = Agency.objects.filter(pk__in=ids)
    return qs.filter(pk=agency.pk) if agency is not None else qs


def inbox_for(*, user: Any, agency: Agency | None = None) -> QuerySet[AccessRequestTarget]:
    """Access requests reaching the holder agencies where the user is an investigator."""
    return AccessRequestTarget.objects.filter(
        holder__in=deciding_agencies(user=user, agency=agency)
    ).select_related(
        "request__requester", "request__requested_by", "request__indicator", "indicator", "holder"
    )


def access_target(*, user: Any, pk: Any, agency: Agency | None = None) -> AccessRequestTarget:
    return get_visible_or_404(inbox_for(user=user, agency=agency), pk=pk)


def access_sent_request(*, user: Any, pk: Any, agency: Agency | None = None) -> AccessRequest:
    return get_visible_or_404(requests_sent(user=user, agency=agency), pk=pk)


# --- writes -----------------------------------------------------------------------------------


def _check_request(reason: str, legal_basis: str, handling_code: str) -> None:
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = gettext(NO_REASON)
    if not (legal_basis or "").strip():
        errors["legal_basis"] = gettext(NO_LEGAL_BASIS)
    if handling_code not in HandlingCode.values:
        errors["handling_code"] = f"Choose one of {', '.join(HandlingCode.values)}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def access_request_create(
    *,
    actor: Any,
    indicator: Indicator,
    reason: str,
    legal_basis: str,
    handling_code: str,
    agency: Agency | None = None,
) -> AccessRequest:
    """Ask the unnamed holders of a hidden match to share it."""
    if not is_member(user=actor, of=indicator.owner, agency=agency):
        raise PermissionDenied(gettext(NOT_REQUESTER))
    _check_request(reason, legal_basis, handling_code)
    hidden = hidden_matches(user=actor, agency=indicator.owner, indicator=indicator)
    if not hidden:
        raise ValidationError({"indicator": gettext(NO_HIDDEN_MATCH)})
    request = AccessRequest.objects.create(
        requester=indicator.owner,
        requested_by=actor,
        indicator=indicator,
        reason=reason.strip(),
        legal_basis=legal_basis.strip()[:300],
        handling_code=handling_code,
    )
    targets = AccessRequestTarget.objects.bulk_create(
        [AccessRequestTarget(request=request, indicator=h, holder_id=h.owner_id) for h in hidden]
    )
    for target, held in zip(targets, hidden, strict=True):
        _tell_holder(target, held, request)
    audit_log(
        actor=actor,
        action="correlation.access_requested",
        obj=request,
        agency=indicator.owner,
        summary={
            "indicator": indicator.pk,
            "legal_basis": request.legal_basis,
            "handling_code": handling_code,
            "targets": [t.pk for t in request.targets.all()],
        },
    )
    return request


# --- who is told ---------------------------------------------------------------------------


def _tell_holder(target: AccessRequestTarget, held: Indicator, request: AccessRequest) -> None:
    """The holder's deciders hear of the request (they see it in their inbox)."""
    notify(
        users=active_members(agency=held.owner, roles=DECIDERS),
        kind=Notification.Kind.ACCESS_REQUEST,
        about=target,
        link=reverse("access_inbox_detail", args=[target.pk]),
        subject=Truncator(held.normalized).chars(80),
        params={
            "requester": request.requester.code,
            "holder": held.owner.code,
            "value": Truncator(held.normalized).chars(80),
        },
    )


def _tell_requester(request: AccessRequest, before: str) -> None:
    """The requester's author hears of the outcome once it changes (pending to shared or
    declined): one notification per outcome, never one per holder, so it tells neither who
    answered nor how many holders there are."""
    outcome = request_outcome(request)
    if outcome["status"] == before or outcome["status"] == "pending":
        return
    notify(
        users=[request.requested_by],
        kind=Notification.Kind.ACCESS_DECISION,
        about=request,
        link=reverse("access_requests"),
        subject=Truncator(request.indicator.normalized).chars(80),
        params={
            "variant": outcome["status"],
            "request": request.pk,
            "requester": request.requester.code,
            "value": Truncator(request.indicator.normalized).chars(80),
            "reasons": "; ".join(outcome["decline_reasons"])[:400],
        },
    )


def _lock_request(target: AccessRequestTarget) -> tuple[AccessRequest, str]:
    """The target's request, locked (holders' answers to one request are taken one at a time,
    so the outcome each sees is final), and its outcome before this answer."""
    request = (
        AccessRequest.objects.select_for_update()
        .select_related("requester__country", "requested_by", "indicator")
        .get(pk=target.request_id)
    )
    return request, request_outcome(request)["status"]


def _check_decider(actor: Any, target: AccessRequestTarget, agency: Agency | None) -> None:
    if not is_member(user=actor, of=target.holder, roles=DECIDERS, agency=agency):
        raise PermissionDenied(gettext(NOT_HOLDER))
    if target.status != AccessRequestTarget.Status.PENDING:
        raise ValidationError({"status": gettext(ALREADY_ANSWERED)})


@transaction.atomic
def access_request_grant(
    *,
    actor: Any,
    target: AccessRequestTarget,
    legal_basis: int | None = None,
    agency: Agency | None = None,
) -> AccessRequestTarget:
    """Share the matched indicator with the requester through sharing's normal share."""
    target = (
        AccessRequestTarget.objects.select_for_update()
        .select_related(
            "request__requester__country", "request__requested_by", "indicator__owner", "holder"
        )
        .get(pk=target.pk)
    )
    _check_decider(actor, target, agency)
    request, before = _lock_request(target)
    red = target.indicator.tlp == TLP.RED
    share = sharing_services.indicator_share(
        actor=actor,
        indicators=[target.indicator],
        spec=ShareSpec(
            agencies=[] if red else [request.requester],
            users=[request.requested_by] if red else [],
            legal_basis=legal_basis,
        ),
        agency=agency,
    )
    target.status = AccessRequestTarget.Status.GRANTED
    target.decided_by, target.decided_at, target.share = actor, timezone.now(), share
    target.save(update_fields=["status", "decided_by", "decided_at", "share"])
    audit_log(
        actor=actor,
        action="correlation.access_granted",
        obj=target,
        agency=target.holder,
        summary={"request": request.pk, "indicator": target.indicator_id, "share": share.pk},
    )
    _tell_requester(request, before)
    notifications_settle(about=target, kind=Notification.Kind.ACCESS_REQUEST)
    return target


@transaction.atomic
def access_request_decline(
    *, actor: Any, target: AccessRequestTarget, reason: str, agency: Agency | None = None
) -> AccessRequestTarget:
    target = (
        AccessRequestTarget.objects.select_for_update().select_related("holder").get(pk=target.pk)
    )
    _check_decider(actor, target, agency)
    if not (reason or "").strip():
        raise ValidationError({"reason": gettext(NO_DECLINE_REASON)})
    request, before = _lock_request(target)
    target.status = AccessRequestTarget.Status.DECLINED
    target.decided_by, target.decided_at = actor, timezone.now()
    target.decision_reason = reason.strip()
    target.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_log(
        actor=actor,
        action="correlation.access_declined",
        obj=target,
        agency=target.holder,
        summary={"request": target.request_id, "reason": target.decision_reason[:500]},
    )
    _tell_requester(request, before)
    notifications_settle(about=target, kind=Notification.Kind.ACCESS_REQUEST)
    return target
