"""The home dashboard: what waits for the signed-in member in one of their agencies, read
through every app's own selectors (so a tile never counts what the member may not see), in a
few aggregate queries whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Membership
from agencies.selectors import active_memberships
from assistance import selectors as assistance_selectors
from assistance.models import AssistanceRequest, overdue_q
from cases import selectors as case_selectors
from cases.models import Case
from common import charts
from notices.models import Notice
from notices.selectors import notices_visible_to
from sharing import access_requests, correlation, delivery
from sharing import selectors as sharing_selectors
from sharing.models import AccessRequestTarget

CHART_DAYS = 30
DUE_SOON = timedelta(days=7)
HITS_SINCE = timedelta(days=7)
SOONEST = 5


@dataclass
class Line:
    """One number of a tile, with the list it comes from."""

    label: Any
    count: int
    url: str
    tone: str = ""


@dataclass
class Tile:
    key: str
    title: Any
    lines: list[Line]
    url: str
    empty: Any = ""
    items: list[Any] = field(default_factory=list)


def choose_membership(*, user: Any, code: str | None) -> tuple[Membership | None, list[Membership]]:
    """The member's active memberships and the one the dashboard is for (``code``, or the
    first). A code of an agency the member is not in is a 404, as for one that does not
    exist."""
    memberships = list(active_memberships(user=user).order_by("agency__code"))
    if not code:
        return (memberships[0] if memberships else None), memberships
    for membership in memberships:
        if membership.agency.code == code:
            return membership, memberships
    raise Http404


def _url(name: str, query: str = "", *args: Any) -> str:
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _cases(user: Any, agency: Any) -> Tile:
    counts = dict(
        case_selectors.cases_visible_to(user=user, agency=agency)
        .exclude(status=Case.Status.CLOSED)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    lines = [
        Line(label, counts.get(value, 0), _url("cases:list", f"status={value}"))
        for value, label in Case.Status.choices
        if value != Case.Status.CLOSED
    ]
    return Tile(
        "cases",
        _("Open cases by status"),
        lines,
        _url("cases:list"),
        empty=_("No open case. Open one from the case list."),
    )


def _waiting(user: Any, agency: Any, is_admin: bool) -> Tile:
    lines = []
    if is_admin:
        invitations = case_selectors.jit_invitations_for_admin(user=user, agency=agency).count()
        lines.append(Line(_("JIT invitations to answer"), invitations, _url("cases:inbox"), "warn"))
    requests = (
        access_requests.inbox_for(user=user, agency=agency)
        .filter(status=AccessRequestTarget.Status.PENDING)
        .count()
    )
    lines.append(Line(_("Access requests to decide"), requests, _url("access_requests"), "warn"))
    return Tile(
        "waiting",
        _("Waiting for me"),
        lines,
        _url("cases:inbox") if is_admin else _url("access_requests"),
        empty=_("Nothing waits for you."),
    )


def _assistance(user: Any, agency: Any) -> Tile:
    now = timezone.now()
    waiting = assistance_selectors.inbox_for(user=user, agency=agency).filter(
        status__in=AssistanceRequest.WAITING, due_at__isnull=False
    )
    counts = waiting.aggregate(
        overdue=Count("pk", filter=overdue_q()),
        soon=Count("pk", filter=Q(due_at__gte=now, due_at__lte=now + DUE_SOON)),
    )
    soonest = list(waiting.filter(due_at__lte=now + DUE_SOON).order_by("due_at", "pk")[:SOONEST])
    return Tile(
        "assistance",
        _("Assistance requests due soon"),
        [
            Line(_("Overdue"), counts["overdue"], _url("assistance:inbox", "overdue=true"), "bad"),
            Line(
                _("Due within 7 days"),
                counts["soon"],
                _url("assistance:inbox", "overdue=false"),
                "warn",
            ),
        ],
        _url("assistance:inbox"),
        empty=_("No request addressed to you is due this week."),
        items=soonest,
    )


def _notices(user: Any, agency: Any) -> Tile:
    status = Notice.Status
    recent = timezone.now() - timedelta(days=CHART_DAYS)
    counts = notices_visible_to(user=user, agency=agency).aggregate(
        submitted=Count("pk", filter=Q(status=status.SUBMITTED)),
        under_review=Count("pk", filter=Q(status=status.UNDER_REVIEW)),
        info_requested=Count("pk", filter=Q(status=status.INFO_REQUESTED)),
        published=Count("pk", filter=Q(status=status.PUBLISHED, published_at__gte=recent)),
    )
    lines = [
        Line(status.SUBMITTED.label, counts["submitted"], _url("notice_list", "status=submitted")),
        Line(
            status.UNDER_REVIEW.label,
            counts["under_review"],
            _url("notice_list", "status=under_review"),
        ),
        Line(
            status.INFO_REQUESTED.label,
            counts["info_requested"],
            _url("notice_list", "status=info_requested"),
            "warn",
        ),
        Line(
            _("Published in the last 30 days"),
            counts["published"],
            _url("notice_list", "status=published"),
            "ok",
        ),
    ]
    return Tile("notices", _("Notices"), lines, _url("notice_list"))


def _correlation(user: Any, agency: Any) -> Tile:
    since = timezone.now() - HITS_SINCE
    hits = correlation.indicators_hit_since(user=user, agency=agency, since=since)
    return Tile(
        "correlation",
        _("Correlation hits this week"),
        [
            Line(
                _("Of your indicators, already held by another agency"),
                hits,
                _url("correlations"),
                "info",
            )
        ],
        _url("correlations"),
    )


def _sharing(user: Any, agency: Any, is_admin: bool) -> dict[str, Any]:
    days = charts.last_days(today=timezone.localdate(), days=CHART_DAYS)
    since = charts.day_start(days[0])
    shares = sharing_selectors.shares_made_count(user=user, agency=agency, since=since)
    chart = None
    if is_admin:
        rows = sharing_selectors.delivery_counts_per_day(user=user, agency=agency, since=since)
        chart = charts.stacked_per_day(rows, days=days, series=delivery.DELIVERY_SERIES)
    return {
        "shares": shares,
        "shares_url": _url("indicator_list"),
        "chart": chart,
        "deliveries_url": _url("sharing_dashboard", "", agency.code) if is_admin else "",
    }


def dashboard(*, user: Any, membership: Membership) -> dict[str, Any]:
    """The tiles of ``membership``'s agency as ``user`` sees them through it."""
    agency = membership.agency
    is_admin = membership.role == Membership.Role.AGENCY_ADMIN
    tiles = [
        _cases(user, agency),
        _waiting(user, agency, is_admin),
        _assistance(user, agency),
        _notices(user, agency),
        _correlation(user, agency),
    ]
    return {"tiles": tiles, "sharing": _sharing(user, agency, is_admin), "days": CHART_DAYS}
