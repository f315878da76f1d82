"""Permission-filtered reads for interop: TAXII object versions, collections, matches and
access requests. Visibility of indicators is sharing's (``indicators_visible_to``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.access import get_visible_or_404, principal_group_ids
from agencies.models import Agency
from agencies.selectors import active_memberships, agencies_of
from interop.models import AccessRequest, AccessRequestTarget, Match, ObjectVersion, TaxiiStatus
from sharing.models import IndicatorGroupObjectPermission, IndicatorUserObjectPermission
from sharing.selectors import indicators_visible_to

COLLECTION_NAMESPACE = uuid.UUID("0c9b8f4e-2f5d-4a8e-9a57-7d8f1f0e6b3a")
SHARED, SUBMISSIONS = "shared", "submissions"


def versions_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[ObjectVersion]:
    """Object versions of indicators the caller may see (pattern-only: its own agency's).

    The same grants as ``indicators_visible_to`` (sharing's permission rows through the
    caller's principal groups, or named-user rows), written as correlated EXISTS probes
    on the (group, permission, object) index: a TAXII page stops after ``limit`` rows
    instead of first hashing every visible indicator id.
    """
    if not getattr(user, "is_authenticated", False):
        return ObjectVersion.objects.none()
    perm_id = Permission.objects.get_by_natural_key("view_indicator", "sharing", "indicator").pk
    group_ids = list(principal_group_ids(user, agency).values_list("pk", flat=True))
    by_group = IndicatorGroupObjectPermission.objects.filter(
        content_object_id=OuterRef("indicator_id"), permission_id=perm_id, group_id__in=group_ids
    )
    by_user = IndicatorUserObjectPermission.objects.filter(
        content_object_id=OuterRef("indicator_id"), permission_id=perm_id, user_id=user.pk
    )
    owners = list(Agency.objects.filter(group_id__in=group_ids).values_list("pk", flat=True))
    return ObjectVersion.objects.filter(
        Q(Exists(by_group))
        | Q(Exists(by_user))
        | Q(pattern_indicator__isnull=False, owner_id__in=owners)
    )


def visible_indicator_ids(*, user: Any, agency: Agency | None, ids: list[int]) -> set[int]:
    """Which of ``ids`` the caller may see: the grants of ``indicators_visible_to``, probed
    from the candidates' side (their permission rows) rather than hashing every indicator
    the caller may see, so the cost follows the candidates, not the caller's holdings."""
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    perm_id = Permission.objects.get_by_natural_key("view_indicator", "sharing", "indicator").pk
    by_group = IndicatorGroupObjectPermission.objects.filter(
        content_object_id__in=ids,
        permission_id=perm_id,
        group_id__in=principal_group_ids(user, agency),
    ).values_list("content_object_id", flat=True)
    by_user = IndicatorUserObjectPermission.objects.filter(
        content_object_id__in=ids, permission_id=perm_id, user_id=user.pk
    ).values_list("content_object_id", flat=True)
    return set(by_group.union(by_user))


def export_versions(
    *,
    user: Any,
    agency: Agency | None = None,
    type: str = "",
    case: int | None = None,
    since: Any = None,
    until: Any = None,
) -> QuerySet[ObjectVersion]:
    """The latest version of everything the caller may see, filtered for a STIX export."""
    qs = versions_visible_to(user=user, agency=agency).filter(is_latest=True)
    if type == "pattern":
        qs = qs.filter(pattern_indicator__isnull=False)
    elif type:
        qs = qs.filter(indicator__type=type)
    if case is not None:  # only a case the caller sees: no probing of invisible cases' links
        from cases.selectors import cases_visible_to

        visible = cases_visible_to(user=user, agency=agency).filter(pk=case).values("pk")
        qs = qs.filter(indicator__case_id__in=visible)
    if since is not None:
        qs = qs.filter(modified__gte=since)
    if until is not None:
        qs = qs.filter(modified__lte=until)
    return qs.order_by("date_added", "id")


@dataclass(frozen=True)
class Collection:
    id: str
    agency: Agency
    kind: str

    @property
    def title(self) -> str:
        prefix = "Shared with" if self.kind == SHARED else "Submissions from"
        return f"{prefix} {self.agency.code}"

    @property
    def can_read(self) -> bool:
        return self.kind == SHARED

    @property
    def can_write(self) -> bool:
        return self.kind == SUBMISSIONS


def collection_id(agency: Agency, kind: str) -> str:
    return str(uuid.uuid5(COLLECTION_NAMESPACE, f"{agency.code}:{kind}"))


def collections_for(*, agency: Agency) -> list[Collection]:
    """The two collections of an agency: what it may see, and where it submits."""
    return [Collection(collection_id(agency, k), agency, k) for k in (SHARED, SUBMISSIONS)]


def access_collection(*, agency: Agency, pk: str) -> Collection | None:
    return next((c for c in collections_for(agency=agency) if c.id == pk), None)


def access_status(*, agency: Agency, pk: str) -> TaxiiStatus | None:
    try:
        return TaxiiStatus.objects.filter(agency=agency, uuid=uuid.UUID(pk)).first()
    except ValueError:
        return None


# --- correlation --------------------------------------------------------------------------------


def acting_agencies(*, user: Any, agency: Agency | None = None) -> QuerySet[Agency]:
    qs = agencies_of(user=user)
    return qs.filter(pk=agency.pk) if agency is not None else qs


def matches_of(*, user: Any, agency: Agency | None = None) -> list[dict[str, Any]]:
    """Per own indicator with matches: the visible matching indicators, and whether
    another (unnamed) agency holds a match the user cannot see."""
    mine = acting_agencies(user=user, agency=agency)
    matches = list(
        Match.objects.filter(
            indicator__owner__in=mine, indicator__revoked=False, other__revoked=False
        )
        .select_related("indicator__owner")
        .order_by("-found_at", "-id")[:500]
    )
    other_ids = {m.other_id for m in matches}
    visible = {
        i.pk: i for i in indicators_visible_to(user=user, agency=agency).filter(pk__in=other_ids)
    }
    rows: dict[int, dict[str, Any]] = {}
    for match in matches:
        row = rows.setdefault(
            match.indicator_id,
            {
                "indicator": match.indicator,
                "visible": [],
                "hidden": False,
                "found_at": match.found_at,
            },
        )
        if match.other_id in visible:
            row["visible"].append(visible[match.other_id])
        else:
            row["hidden"] = True
    return list(rows.values())


def requests_sent(*, user: Any, agency: Agency | None = None) -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(requester__in=acting_agencies(user=user, agency=agency))
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
    from interop.services import DECIDERS

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
