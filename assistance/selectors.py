"""Permission-filtered reads of assistance requests: lists, the agency inbox, one request."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from agencies.access import get_visible_or_404, visible_filter
from agencies.models import Agency
from agencies.selectors import agencies_of
from assistance.models import (
    AssistanceRequest,
    AssistanceRequestGroupObjectPermission,
    Kind,
    RequestAttachment,
    RequestEvent,
    RequestResponse,
    overdue_q,
    with_overdue,
)


def requests_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[AssistanceRequest]:
    """Requests ``user`` sees (with a key, through ``agency`` only); ``overdue`` annotated."""
    visible = AssistanceRequest.objects.filter(
        visible_filter(
            user=user,
            codename="view_assistancerequest",
            group_model=AssistanceRequestGroupObjectPermission,
            agency=agency,
        )
    ).select_related(
        "case", "requesting_agency", "addressee", "agreement", "jit", "enforcing_authority"
    )
    return with_overdue(visible)


def access_request(*, user: Any, pk: Any, agency: Agency | None = None) -> AssistanceRequest:
    """The request if visible, else 404 (the same answer as for a missing one)."""
    return get_visible_or_404(requests_visible_to(user=user, agency=agency), pk=pk)


def party_agency_ids(*, user: Any, agency: Agency | None = None) -> set[int]:
    """The agencies the caller acts for (with a key: its agency only)."""
    if agency is not None:
        return {agency.pk}
    return set(agencies_of(user=user).values_list("pk", flat=True))


def is_requester_side(request: AssistanceRequest, agency_ids: set[int]) -> bool:
    return request.requesting_agency_id in agency_ids


def responses_visible(request: AssistanceRequest, agency_ids: set[int]) -> bool:
    """Produced data go to the requester and come from the addressee; the JIT sees them when
    the requester shares the request. An enforcing authority sees the order, not the data."""
    parties = {request.requesting_agency_id, request.addressee_id}
    return request.shared_with_jit or bool(parties & agency_ids)


def responses_of(*, request: AssistanceRequest, agency_ids: set[int]) -> QuerySet[RequestResponse]:
    responses = request.responses.select_related("agency")
    return responses if responses_visible(request, agency_ids) else responses.none()


def access_response(
    *, request: AssistanceRequest, pk: Any, agency_ids: set[int]
) -> RequestResponse:
    return get_visible_or_404(responses_of(request=request, agency_ids=agency_ids), pk=pk)


def timeline_for(*, request: AssistanceRequest, requester_side: bool) -> QuerySet[RequestEvent]:
    """The requester sees its drafting too; everyone else the request as sent and after."""
    events = request.events.select_related("actor", "agency")
    if requester_side or request.sent_at is None:
        return events
    return events.filter(at__gte=request.sent_at)


def preservations_to_follow_up(*, user: Any, case: Any) -> QuerySet[AssistanceRequest]:
    """The case's preservations the user sees that still hold data and have no follow-up."""
    return (
        requests_visible_to(user=user)
        .filter(case=case, kind=Kind.PRESERVATION, follow_up__isnull=True)
        .filter(status__in=AssistanceRequest.FOLLOWABLE)
        .order_by("-pk")
    )


def filter_requests(
    requests: QuerySet[AssistanceRequest],
    *,
    kind: str = "",
    status: str = "",
    overdue: bool | None = None,
    case: int | None = None,
) -> QuerySet[AssistanceRequest]:
    """Filters of the list and the inbox (the API checks their values first)."""
    if kind:
        requests = requests.filter(kind=kind)
    if status:
        requests = requests.filter(status=status)
    if overdue is True:
        requests = requests.filter(overdue_q())
    elif overdue is False:
        requests = requests.exclude(overdue_q())
    if case:
        requests = requests.filter(case_id=case)
    return requests


def inbox_for(
    *, user: Any, agency: Agency | None = None, **filters: Any
) -> QuerySet[AssistanceRequest]:
    """Requests addressed or (European Production Orders) notified to the user's agencies (with
    a key: to its agency), soonest due first."""
    mine = (
        [agency.pk]
        if agency is not None
        else list(agencies_of(user=user).values_list("pk", flat=True))
    )
    requests = requests_visible_to(user=user, agency=agency).filter(
        Q(addressee_id__in=mine) | Q(enforcing_authority_id__in=mine)
    )
    return filter_requests(requests, **filters).order_by("due_at", "pk")


def outbox_for(*, user: Any) -> QuerySet[AssistanceRequest]:
    """Requests the user's agencies made (drafts included), of those the user sees."""
    mine = list(agencies_of(user=user).values_list("pk", flat=True))
    return requests_visible_to(user=user).filter(requesting_agency_id__in=mine)


def access_attachment(*, request: AssistanceRequest, pk: Any) -> RequestAttachment:
    return get_visible_or_404(request.attachments.all(), pk=pk)
