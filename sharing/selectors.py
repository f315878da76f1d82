"""Permission-filtered reads for indicators, shares, partner endpoints and deliveries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from agencies.access import get_visible_or_404, permission, principal_group_ids, visible_filter
from agencies.models import Agency, PartnerEndpoint
from agencies.selectors import administered_agencies, agencies_of, is_member
from cases.selectors import cases_visible_to
from sharing.models import (
    Delivery,
    Indicator,
    IndicatorGroupObjectPermission,
    IndicatorUserObjectPermission,
    Share,
)
from sharing.normalize import InvalidValue, detect_type, normalize
from sharing.services import NOT_OWNER


def _named_grants(*, user: Any, agency: Agency | None) -> Q:
    """Which named-user (TLP:RED) grant rows count. In the browser, all of them; with an API
    key, those on the key's agency's own indicators and on indicators the user was named for
    through that agency (as named-user grants on cases count only in the agency's cases)."""
    if agency is None:
        return Q()
    named_through = Share.indicators.through.objects.filter(
        share__named__user=user, share__named__agency=agency, share__withdrawn_at__isnull=True
    ).values("indicator_id")
    return Q(content_object__owner=agency) | Q(content_object_id__in=named_through)


def indicators_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Indicator]:
    """The one visibility rule for indicators: a grant to one of the caller's groups, or a
    named-user grant that counts for the agency acted for (``_named_grants``)."""
    if not getattr(user, "is_authenticated", False):
        return Indicator.objects.none()
    by_group = visible_filter(
        user=user,
        codename="view_indicator",
        group_model=IndicatorGroupObjectPermission,
        agency=agency,
    )
    by_user = IndicatorUserObjectPermission.objects.filter(
        _named_grants(user=user, agency=agency), permission_id=_view_indicator_id(), user=user
    ).values("content_object")
    return Indicator.objects.filter(by_group | Q(pk__in=by_user)).select_related("owner", "case")


def indicator_search(
    *,
    user: Any,
    agency: Agency | None = None,
    q: str = "",
    type: str = "",
    tlp: str = "",
    owner: str = "",
    include_revoked: bool = True,
) -> QuerySet[Indicator]:
    """Exact lookup on (type, normalised value) when ``q`` parses as a value, else contains."""
    qs = indicators_visible_to(user=user, agency=agency)
    if type:
        qs = qs.filter(type=type)
    if tlp:
        qs = qs.filter(tlp=tlp)
    if owner:
        qs = qs.filter(owner__code=owner)
    if not include_revoked:
        qs = qs.filter(revoked=False)
    q = q.strip()
    if q:
        guessed = type or detect_type(q)
        try:
            exact = normalize(guessed, q) if guessed else None
        except InvalidValue:
            exact = None
        if exact:
            qs = qs.filter(type=guessed, normalized=exact)
        else:
            qs = qs.filter(Q(normalized__icontains=q.lower()) | Q(description__icontains=q))
    return qs


def access_indicator(*, user: Any, pk: Any, agency: Agency | None = None) -> Indicator:
    return get_visible_or_404(indicators_visible_to(user=user, agency=agency), pk=pk)


def visible_case_ids(
    *, user: Any, indicators: Iterable[Indicator], agency: Agency | None = None
) -> set[int]:
    """Of the cases these indicators are linked to, the ones the caller may see (one query)."""
    ids = {i.case_id for i in indicators if i.case_id is not None}
    if not ids:
        return set()
    visible = cases_visible_to(user=user, agency=agency).filter(pk__in=ids)
    return set(visible.values_list("pk", flat=True))


def can_manage_indicator(*, user: Any, indicator: Indicator, agency: Agency | None = None) -> bool:
    """Members of the owning agency (through its key, with a key) share, widen and revoke."""
    return is_member(user=user, of=indicator.owner, agency=agency)


def access_owned_indicator(*, user: Any, pk: Any, agency: Agency | None = None) -> Indicator:
    """404 if invisible, 403 if visible but not the owner's."""
    indicator = access_indicator(user=user, pk=pk, agency=agency)
    if not can_manage_indicator(user=user, indicator=indicator, agency=agency):
        raise PermissionDenied(NOT_OWNER)
    return indicator


def indicator_shares(*, indicator: Indicator) -> QuerySet[Share]:
    return (
        Share.objects.filter(indicators=indicator)
        .select_related("created_by", "jit", "withdrawn_by")
        .prefetch_related("agencies", "jurisdictions", "users")
    )


def access_share(*, indicator: Indicator, pk: Any) -> Share:
    return get_visible_or_404(indicator_shares(indicator=indicator), pk=pk)


def managing_agencies(*, user: Any, agency: Agency | None = None) -> QuerySet[Agency]:
    """Agencies for which the user may add indicators (with a key: the key's agency)."""
    qs = agencies_of(user=user)
    return qs.filter(pk=agency.pk) if agency is not None else qs


# --- endpoints and deliveries (agency admins) -------------------------------------------------


def endpoints_administered_by(
    *, user: Any, agency: Agency | None = None
) -> QuerySet[PartnerEndpoint]:
    return PartnerEndpoint.objects.filter(
        agency__in=administered_agencies(user=user, agency=agency)
    ).select_related("agency")


def access_endpoint(*, user: Any, pk: Any, agency: Agency | None = None) -> PartnerEndpoint:
    return get_visible_or_404(endpoints_administered_by(user=user, agency=agency), pk=pk)


def deliveries_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Delivery]:
    """Deliveries to the endpoints the user administers."""
    return (
        Delivery.objects.filter(
            endpoint__in=endpoints_administered_by(user=user, agency=agency).values("pk")
        )
        .select_related("endpoint__agency", "checkpoint")
        # "objects" (the API's field) shadows the manager on instances; the stubs object.
        .annotate(objects=Count("items"))  # type: ignore[no-redef]
    )


def endpoint_dashboard(*, agency: Agency) -> list[dict[str, Any]]:
    """Per endpoint: pending, delivered, failing and dead counts, and the last error."""
    status = Delivery.Status
    endpoints = PartnerEndpoint.objects.filter(agency=agency).annotate(
        pending=Count(
            "deliveries", filter=Q(deliveries__status__in=[status.PENDING, status.SENDING])
        ),
        delivered=Count("deliveries", filter=Q(deliveries__status=status.DELIVERED)),
        failing=Count("deliveries", filter=Q(deliveries__status=status.FAILING)),
        dead=Count("deliveries", filter=Q(deliveries__status=status.DEAD)),
        last_delivered=Max("deliveries__delivered_at"),
    )
    rows = []
    for endpoint in endpoints:
        last_failure = (
            Delivery.objects.filter(endpoint=endpoint)
            .exclude(last_error="")
            .order_by("-pk")
            .values("last_error", "last_status_code", "next_attempt_at", "status")
            .first()
        )
        rows.append({"endpoint": endpoint, "last_failure": last_failure})
    return rows


# --- indicator visibility for other apps' hot paths -------------------------------------------
# The rule is ``indicators_visible_to``'s (the caller's principal groups, or named-user rows on
# ``view_indicator``); these two forms probe from the candidates' side, so their cost follows the
# rows asked about rather than everything the caller may see.


def _view_indicator_id() -> int:
    return permission(Indicator, "view_indicator").pk


def indicator_visible_exists(*, user: Any, agency: Agency | None, ref: str) -> Q:
    """A Q true where the indicator whose id is in the outer row's ``ref`` column is visible.

    Correlated EXISTS probes on the (group, permission, object) index: a TAXII page stops
    after ``limit`` rows instead of first hashing every visible indicator id.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    perm_id = _view_indicator_id()
    group_ids = list(principal_group_ids(user, agency).values_list("pk", flat=True))
    by_group = IndicatorGroupObjectPermission.objects.filter(
        content_object_id=OuterRef(ref), permission_id=perm_id, group_id__in=group_ids
    )
    by_user = IndicatorUserObjectPermission.objects.filter(
        _named_grants(user=user, agency=agency),
        content_object_id=OuterRef(ref),
        permission_id=perm_id,
        user_id=user.pk,
    )
    return Q(Exists(by_group)) | Q(Exists(by_user))


def visible_indicator_ids(*, user: Any, agency: Agency | None, ids: list[int]) -> set[int]:
    """Which of ``ids`` the caller may see, probed through the candidates' permission rows."""
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    perm_id = _view_indicator_id()
    by_group = IndicatorGroupObjectPermission.objects.filter(
        content_object_id__in=ids,
        permission_id=perm_id,
        group_id__in=principal_group_ids(user, agency),
    ).values_list("content_object_id", flat=True)
    by_user = IndicatorUserObjectPermission.objects.filter(
        _named_grants(user=user, agency=agency),
        content_object_id__in=ids,
        permission_id=perm_id,
        user_id=user.pk,
    ).values_list("content_object_id", flat=True)
    return set(by_group.union(by_user))
