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
    RequestAttachment,
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
    ).select_related("case", "requesting_agency", "addressee", "agreement", "jit")
    return with_overdue(visible)


def access_request(*, user: Any, pk: Any, agency: Agency | None = None) -> AssistanceRequest:
    """The request if visible, else 404 (the same answer as for a missing one)."""
    return get_visible_or_404(requests_visible_to(user=user, agency=agency), pk=pk)


def access_response(*, request: AssistanceRequest, pk: Any) -> RequestResponse:
    return get_visible_or_404(request.responses.all(), pk=pk)


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
    """Requests addressed to the user's agencies (with a key: to its agency), soonest due first."""
    mine = (
        [agency.pk]
        if agency is not None
        else list(agencies_of(user=user).values_list("pk", flat=True))
    )
    requests = requests_visible_to(user=user, agency=agency).filter(Q(addressee_id__in=mine))
    return filter_requests(requests, **filters).order_by("due_at", "pk")


def access_attachment(*, request: AssistanceRequest, pk: Any) -> RequestAttachment:
    return get_visible_or_404(request.attachments.all(), pk=pk)
