"""Permission-filtered reads for indicators, shares, partner endpoints and deliveries.

Indicator visibility reads the owner's row on each indicator and the audience rows of its
shares, joined through the link table ``Share.indicators`` (see ``indicators_visible_to``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import get_visible_or_404, permission, principal_group_ids, visible_filter
from agencies.models import Agency, PartnerEndpoint
from agencies.selectors import administered_agencies, agencies_of, is_member
from cases.selectors import cases_visible_to
from common import lookups  # noqa: F401  (registers field__any)
from common.keyset import Grants, Window, grant_window
from common.tables import listed
from sharing.models import (
    Delivery,
    DeliveryItem,
    Indicator,
    IndicatorGroupObjectPermission,
    IndicatorType,
    NamedRecipient,
    Share,
    ShareGroupObjectPermission,
    ShareUserObjectPermission,
    StixObject,
    StixObjectGroupObjectPermission,
    StixReference,
)
from sharing.normalize import InvalidValue, detect_type, normalize
from sharing.objects import type_label
from sharing.permissions import (
    OBJECT_CODENAME,
    SHARE_CODENAME,
    passes_to_groups_q,
    passes_to_named_users_q,
)
from sharing.services import NOT_OWNER
from sharing.stix import has_versions


def _named_grants(*, user: Any, agency: Agency | None) -> Q:
    """Which named-user (TLP:RED) audience rows count. In the browser, all of them; with an API
    key, those of shares by the key's agency and of shares that named the user through that
    agency (as named-user grants on cases count only in the agency's cases)."""
    if agency is None:
        return Q()
    named_through = NamedRecipient.objects.filter(user=user, agency=agency).values("share_id")
    return Q(content_object__owner=agency) | Q(content_object_id__in=named_through)


def _audiences(*, user: Any, agency: Agency | None) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """(ids of shares whose audience holds one of the caller's groups, ids of shares that name
    the caller), as subqueries on the audience rows' (principal, permission, share) indexes."""
    perm_id = permission(Share, SHARE_CODENAME).pk
    by_group = ShareGroupObjectPermission.objects.filter(
        permission_id=perm_id, group_id__in=principal_group_ids(user, agency)
    ).values("content_object_id")
    by_user = ShareUserObjectPermission.objects.filter(
        _named_grants(user=user, agency=agency), permission_id=perm_id, user_id=user.pk
    ).values("content_object_id")
    return by_group, by_user


def _visible_q(
    *,
    user: Any,
    agency: Agency | None,
    codename: str,
    group_model: type[Any],
    links: Any,
    link: str,
) -> Q:
    """The owner's row on the object, or a share linking it (``links``, by ``link``) whose
    audience holds the caller, when the object passes to that audience."""
    by_owner = visible_filter(user=user, codename=codename, group_model=group_model, agency=agency)
    by_group, by_user = _audiences(user=user, agency=agency)
    through_groups = links.filter(share_id__in=by_group).values(link)
    through_users = links.filter(share_id__in=by_user).values(link)
    return (
        by_owner
        | (passes_to_groups_q() & Q(pk__in=through_groups))
        | (passes_to_named_users_q() & Q(pk__in=through_users))
    )


def indicators_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Indicator]:
    """The one visibility rule for indicators. Three tables decide it:

    - ``IndicatorGroupObjectPermission``: the owning agency's row on each of its indicators;
    - ``ShareGroupObjectPermission`` (``ShareUserObjectPermission`` for TLP:RED's named users,
      as far as ``_named_grants`` lets them count with an API key): the audience of each
      active share, one row per recipient, written by ``sync_share_permissions``;
    - the link table ``Share.indicators``, from a share to its indicators.

    An indicator is visible to its owner's groups, or through a share whose audience holds the
    caller when the indicator passes to that audience (``permissions.passes_to_groups`` /
    ``passes_to_named_users``: not revoked, never AMBER+STRICT, RED to named users only).
    Grants live on the share, not on every indicator × recipient, so a share writes O(N + R)
    rows and its withdrawal or a JIT's circle changing rewrites only its R audience rows.
    """
    if not getattr(user, "is_authenticated", False):
        return Indicator.objects.none()
    return Indicator.objects.filter(
        _visible_q(
            user=user,
            agency=agency,
            codename="view_indicator",
            group_model=IndicatorGroupObjectPermission,
            links=Share.indicators.through.objects,
            link="indicator_id",
        )
    ).select_related("owner", "case")


def indicators_window(*, user: Any, agency: Agency | None = None) -> Window | None:
    """The first pages of ``indicators_visible_to`` (unfiltered, newest first) driven from the
    grant indexes: the caller's groups' owner rows, and each share whose audience holds the
    caller, through its links to indicators that pass to that audience — the same three ways
    as ``indicators_visible_to``, read per holder in id order (``keyset.grant_window``). The
    page is still filtered by ``indicators_visible_to``, so the window can only narrow it."""
    if not getattr(user, "is_authenticated", False):
        return None
    view = permission(Indicator, "view_indicator").pk
    owner_rows = IndicatorGroupObjectPermission.objects.filter(permission_id=view)
    by_group, by_user = _audiences(user=user, agency=agency)
    links = Share.indicators.through.objects
    return grant_window(
        Grants(
            reached=lambda group: owner_rows.filter(group_id=group),
            key="content_object_id",
            holders=principal_group_ids(user, agency),
        ),
        Grants(
            reached=lambda share: links.filter(passes_to_groups_q("indicator__"), share_id=share),
            key="indicator_id",
            holders=by_group,
        ),
        Grants(
            reached=lambda share: links.filter(
                passes_to_named_users_q("indicator__"), share_id=share
            ),
            key="indicator_id",
            holders=by_user,
        ),
    )


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


def endpoint_deactivate_effects(*, endpoint: PartnerEndpoint) -> list[str]:
    """The sentences of the confirmation page that deactivating an endpoint shows."""
    waiting = endpoint.deliveries.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.FAILING]
    ).count()
    return [
        _("Nothing is sent to %(name)s while it is inactive.") % {"name": endpoint.name},
        ngettext(
            "%(count)d delivery waiting for it stays queued and resumes when you activate it "
            "again.",
            "%(count)d deliveries waiting for it stay queued and resume when you activate it "
            "again.",
            waiting,
        )
        % {"count": waiting},
        _(
            "What partners share with your agency while it is inactive is not queued for it "
            "and is not sent later."
        ),
    ]


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


@dataclass(frozen=True)
class DeliveryItemInWords:
    """One item of a delivery as people read it: what it is and its name, not ids."""

    kind: str  # "indicator" or "stix_object"
    type: str
    type_label: str
    name: str
    stix_id: str
    tombstone: bool
    withdrawal: bool = False  # the tombstone of an object without versions: its id only

    def __str__(self) -> str:
        text = f"{self.type_label}: {self.name}" if self.name else self.type_label
        if self.withdrawal:
            return _("%(item)s (withdrawal)") % {"item": text}
        return _("%(item)s (revocation)") % {"item": text} if self.tombstone else text


def delivery_items_in_words(*, delivery_ids: Iterable[int]) -> dict[int, list[DeliveryItemInWords]]:
    """Delivery id -> its items in order (indicators and STIX objects, with their types in
    words and their names), read in one query. Only for deliveries the caller may see
    (``deliveries_visible_to``): their endpoint received or will receive these."""
    found: dict[int, list[DeliveryItemInWords]] = defaultdict(list)
    rows = (
        DeliveryItem.objects.filter(delivery_id__in=list(delivery_ids))
        .order_by("delivery_id", "pk")
        .values_list(
            "delivery_id",
            "tombstone",
            "indicator__type",
            "indicator__normalized",
            "indicator__stix_uuid",
            "stix_object__type",
            "stix_object__name",
            "stix_object__stix_id",
            "stix_object__body__modified",
        )
    )
    for (
        delivery_id,
        tombstone,
        kind,
        value,
        stix_uuid,
        object_type,
        name,
        stix_id,
        modified,
    ) in rows:
        if kind is not None:
            item = DeliveryItemInWords(
                "indicator",
                kind,
                str(IndicatorType(kind).label),
                value,
                f"indicator--{stix_uuid}",
                tombstone,
            )
        elif object_type is not None:
            label = type_label(object_type)
            # A tombstone of what STIX does not version (no ``modified``) is a withdrawal.
            body = {"type": object_type, "modified": modified}
            versioned = modified is not None and has_versions(body)
            item = DeliveryItemInWords(
                "stix_object",
                object_type,
                label,
                name,
                stix_id,
                tombstone,
                tombstone and not versioned,
            )
        else:  # deleted meanwhile
            continue
        found[delivery_id].append(item)
    return found


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


def case_shares_ids(*, user: Any, case: Any, agency: Agency | None = None) -> QuerySet[Any]:
    """Shares of the case's indicators made by the user's agencies (for the case timeline):
    who got them is the sharer's to know."""
    return (
        Share.objects.filter(
            owner__in=managing_agencies(user=user, agency=agency), indicators__case=case
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def delivery_counts_per_day(
    *, user: Any, agency: Agency | None = None, since: datetime
) -> list[dict[str, Any]]:
    """Deliveries queued since ``since`` to the endpoints the user administers, counted per
    endpoint, day (of queueing) and current status: one aggregate query."""
    return list(
        Delivery.objects.filter(
            endpoint__in=endpoints_administered_by(user=user, agency=agency).values("pk"),
            created_at__gte=since,
        )
        .annotate(day=TruncDate("created_at"))
        .values("endpoint_id", "day", "status")
        .annotate(n=Count("pk"))
        .order_by("endpoint_id", "day", "status")
    )


def latest_delivery_errors(*, agency: Agency, limit: int = 10) -> list[Delivery]:
    """The agency's most recent deliveries that ended their last attempt with an error."""
    return list(
        Delivery.objects.filter(endpoint__agency=agency)
        .exclude(last_error="")
        .select_related("endpoint")
        .order_by("-pk")[:limit]
    )


def shares_made_count(*, user: Any, agency: Agency | None = None, since: datetime) -> int:
    """Shares made since ``since`` by the agencies whose indicators the user manages."""
    return Share.objects.filter(
        owner__in=managing_agencies(user=user, agency=agency), created_at__gte=since
    ).count()


# --- indicator visibility for other apps' hot paths -------------------------------------------
# The rule is ``indicators_visible_to``'s (the owner's row on the indicator, or an audience row
# of one of its shares that holds the caller); these two forms probe from the candidates' side,
# so their cost follows the rows asked about rather than everything the caller may see.


def _view_indicator_id() -> int:
    return permission(Indicator, "view_indicator").pk


def indicator_visible_exists(
    *, user: Any, agency: Agency | None, ref: str, per_row: bool = False, history: bool = False
) -> Q:
    """A Q true where the indicator whose id is in the outer row's ``ref`` column is visible.

    ``history`` (TAXII's object versions): a revoked indicator stays visible, as what it was,
    to the audiences of its shares that are still active — those who had it see its revoked
    version; a withdrawn share has no audience rows left, so the indicator is gone for them.

    Correlated EXISTS: the owner's row on the (group, permission, object) index, the
    indicator's links on the link table's indicator index, their shares' audience rows on the
    (principal, permission, share) index. ``per_row`` (a page that stops after ``limit`` rows)
    keeps PostgreSQL from hashing everything the caller may see first (``RowExists``).
    """
    return _visible_exists(
        user=user,
        agency=agency,
        ref=ref,
        per_row=per_row,
        history=history,
        rows=IndicatorGroupObjectPermission.objects.filter(permission_id=_view_indicator_id()),
        links=Share.indicators.through.objects.all(),
        link="indicator",
    )


def _visible_exists(
    *,
    user: Any,
    agency: Agency | None,
    ref: str,
    per_row: bool,
    history: bool,
    rows: QuerySet[Any],
    links: QuerySet[Any],
    link: str,
) -> Q:
    """The rule of ``indicator_visible_exists`` for any object with owner ``rows`` (of the
    view permission) and share ``links`` (whose ``link`` column points to it)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    group_ids = list(principal_group_ids(user, agency).values_list("pk", flat=True))
    by_owner = rows.filter(content_object_id=OuterRef(ref), group_id__in=group_ids)
    by_group, by_user = _audiences(user=user, agency=agency)
    linked = links.filter(**{f"{link}_id": OuterRef(ref)})
    through_groups = linked.filter(
        passes_to_groups_q(f"{link}__", revoked_too=history), share_id__in=by_group
    )
    through_users = linked.filter(
        passes_to_named_users_q(f"{link}__", revoked_too=history), share_id__in=by_user
    )
    exists = lookups.RowExists if per_row else Exists
    return Q(exists(by_owner)) | Q(exists(through_groups)) | Q(exists(through_users))


def _visible_id_sets(
    *,
    user: Any,
    agency: Agency | None,
    history: bool,
    rows: QuerySet[Any],
    links: QuerySet[Any],
    link: str,
) -> list[QuerySet[Any]]:
    """``_visible_exists``'s three ways as uncorrelated id subqueries, each read from the
    caller's side of the grant indexes: its groups' owner rows, and the links of the shares
    whose audience holds it (``history``: revoked objects too)."""
    if not getattr(user, "is_authenticated", False):
        return []
    group_ids = list(principal_group_ids(user, agency).values_list("pk", flat=True))
    by_owner = rows.filter(group_id__in=group_ids).values("content_object_id")
    by_group, by_user = _audiences(user=user, agency=agency)
    through_groups = links.filter(
        passes_to_groups_q(f"{link}__", revoked_too=history), share_id__in=by_group
    ).values(f"{link}_id")
    through_users = links.filter(
        passes_to_named_users_q(f"{link}__", revoked_too=history), share_id__in=by_user
    ).values(f"{link}_id")
    return [by_owner, through_groups, through_users]


def indicator_visible_id_sets(
    *, user: Any, agency: Agency | None, history: bool = False
) -> list[QuerySet[Any]]:
    """``indicator_visible_exists``'s rule as subqueries of indicator ids (owner rows, shares
    to the caller's groups, shares naming it), for a caller who wants everything visible
    rather than to probe candidates: their cost follows what the caller may see, not the
    size of the table asked about. An indicator is visible iff its id is in one of them."""
    return _visible_id_sets(
        user=user,
        agency=agency,
        history=history,
        rows=IndicatorGroupObjectPermission.objects.filter(permission_id=_view_indicator_id()),
        links=Share.indicators.through.objects.all(),
        link="indicator",
    )


def visible_indicator_ids(*, user: Any, agency: Agency | None, ids: list[int]) -> set[int]:
    """Which of ``ids`` the caller may see, probed through the candidates' rows and links (the
    ids travel as one array parameter: ``common.lookups``)."""
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    by_owner = IndicatorGroupObjectPermission.objects.filter(
        content_object_id__any=ids,
        permission_id=_view_indicator_id(),
        group_id__in=principal_group_ids(user, agency),
    ).values_list("content_object_id", flat=True)
    by_group, by_user = _audiences(user=user, agency=agency)
    links = Share.indicators.through.objects.filter(indicator_id__any=ids)
    through_groups = links.filter(
        passes_to_groups_q("indicator__"), share_id__in=by_group
    ).values_list("indicator_id", flat=True)
    through_users = links.filter(
        passes_to_named_users_q("indicator__"), share_id__in=by_user
    ).values_list("indicator_id", flat=True)
    return set(by_owner.union(through_groups, through_users))


# --- every other STIX object: the same rule on its own rows and links --------------------------


def stix_objects_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[StixObject]:
    """STIX objects (other than typed indicators) the caller may see: the owner's row on each,
    or an active share linking it (``Share.stix_objects``) whose audience holds the caller,
    when it passes to that audience — ``indicators_visible_to``'s rule."""
    if not getattr(user, "is_authenticated", False):
        return StixObject.objects.none()
    return StixObject.objects.filter(
        _visible_q(
            user=user,
            agency=agency,
            codename=OBJECT_CODENAME,
            group_model=StixObjectGroupObjectPermission,
            links=Share.stix_objects.through.objects,
            link="stixobject_id",
        )
    ).select_related("owner")


def stix_object_visible_exists(
    *, user: Any, agency: Agency | None, ref: str, per_row: bool = False, history: bool = False
) -> Q:
    """``indicator_visible_exists`` for STIX objects: true where the object whose id is in
    the outer row's ``ref`` column is visible (``history``: revoked ones too, to those whose
    share is still active)."""
    return _visible_exists(
        user=user,
        agency=agency,
        ref=ref,
        per_row=per_row,
        history=history,
        rows=StixObjectGroupObjectPermission.objects.filter(
            permission_id=permission(StixObject, OBJECT_CODENAME).pk
        ),
        links=Share.stix_objects.through.objects.all(),
        link="stixobject",
    )


def stix_object_visible_id_sets(
    *, user: Any, agency: Agency | None, history: bool = False
) -> list[QuerySet[Any]]:
    """``indicator_visible_id_sets`` for STIX objects (``stix_object_visible_exists``'s rule)."""
    return _visible_id_sets(
        user=user,
        agency=agency,
        history=history,
        rows=StixObjectGroupObjectPermission.objects.filter(
            permission_id=permission(StixObject, OBJECT_CODENAME).pk
        ),
        links=Share.stix_objects.through.objects.all(),
        link="stixobject",
    )


def access_stix_object(*, user: Any, pk: Any, agency: Agency | None = None) -> StixObject:
    return get_visible_or_404(stix_objects_visible_to(user=user, agency=agency), pk=pk)


def stix_object_search(
    *, user: Any, agency: Agency | None = None, type: str = "", q: str = ""
) -> QuerySet[StixObject]:
    """Visible STIX objects of a type, or whose name or id contains ``q``."""
    qs = stix_objects_visible_to(user=user, agency=agency)
    if type:
        qs = qs.filter(type=type)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(stix_id=q.lower()))
    return qs


def stix_references_to(
    *, user: Any, stix_id: str, agency: Agency | None = None
) -> QuerySet[StixReference]:
    """References to ``stix_id`` from objects the caller may see (the other direction of a
    relationship graph); references from invisible objects are not there at all."""
    visible = stix_objects_visible_to(user=user, agency=agency).values("pk")
    return (
        StixReference.objects.filter(target=stix_id, source_id__in=visible)
        .select_related("source__owner")
        .order_by("source_id", "property")
    )


def shared_with_exists(*, user: Any, agency: Agency | None, ref: str) -> Q:
    """True where the agency whose id is in the outer row's ``ref`` column is the caller's own
    or has an active share whose audience holds the caller (whose identity the caller may
    know: TAXII serves it beside the objects it shared)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    own = Q(**{f"{ref}__in": Agency.objects.filter(group__in=principal_group_ids(user, agency))})
    by_group, by_user = _audiences(user=user, agency=agency)
    shares = Share.objects.filter(owner_id=OuterRef(ref), withdrawn_at__isnull=True)
    return (
        own | Q(Exists(shares.filter(pk__in=by_group))) | Q(Exists(shares.filter(pk__in=by_user)))
    )


def can_manage_stix_object(
    *, user: Any, stix_object: StixObject, agency: Agency | None = None
) -> bool:
    """Members of the owning agency (through its key, with a key) share and revoke it."""
    return is_member(user=user, of=stix_object.owner, agency=agency)


def access_owned_stix_object(*, user: Any, pk: Any, agency: Agency | None = None) -> StixObject:
    """404 if invisible, 403 if visible but not the owner's."""
    stix_object = access_stix_object(user=user, pk=pk, agency=agency)
    if not can_manage_stix_object(user=user, stix_object=stix_object, agency=agency):
        raise PermissionDenied(NOT_OWNER)
    return stix_object


def stix_object_shares(*, stix_object: StixObject) -> QuerySet[Share]:
    """The shares linking the object (for its owner: who it went to, withdrawn or not)."""
    return (
        Share.objects.filter(stix_objects=stix_object)
        .select_related("created_by", "jit", "withdrawn_by")
        .prefetch_related("agencies", "jurisdictions", "users")
    )


def access_stix_object_share(*, stix_object: StixObject, pk: Any) -> Share:
    return get_visible_or_404(stix_object_shares(stix_object=stix_object), pk=pk)


def visible_targets(
    *, user: Any, stix_ids: Iterable[str], agency: Agency | None = None
) -> dict[str, str]:
    """Of these STIX ids, those the caller may see as an indicator or a STIX object, each with
    the page of one visible copy (the caller's own first). Ids that are not visible and ids
    that exist nowhere are alike absent."""
    ids = sorted({i for i in stix_ids if isinstance(i, str)})
    if not ids:
        return {}
    found: dict[str, str] = {}
    uuids = {}
    for stix_id in ids:
        kind, _, raw = stix_id.partition("--")
        if kind == "indicator":
            try:
                uuids[uuid.UUID(raw)] = stix_id
            except ValueError:
                continue
    if uuids:
        indicators = indicators_visible_to(user=user, agency=agency).filter(stix_uuid__in=uuids)
        for indicator in indicators.order_by("-id"):
            found[uuids[indicator.stix_uuid]] = indicator.get_absolute_url()
    own = agencies_of(user=user).values("pk") if agency is None else [agency.pk]
    objects = (
        stix_objects_visible_to(user=user, agency=agency)
        .filter(stix_id__in=ids)
        .annotate(own=Exists(Agency.objects.filter(pk=OuterRef("owner_id"), pk__in=own)))
        .order_by("own", "-id")
    )
    for stix_object in objects:
        found[stix_object.stix_id] = stix_object.get_absolute_url()
    return found


# --- what a withdrawal or revocation reaches, for its confirmation page ------------------------


def _live_items(indicator_ids: list[int]) -> QuerySet[DeliveryItem]:
    tombstoned = DeliveryItem.objects.filter(
        indicator_id=OuterRef("indicator_id"), endpoint_id=OuterRef("endpoint_id"), tombstone=True
    )
    return DeliveryItem.objects.filter(indicator_id__in=indicator_ids, tombstone=False).exclude(
        Exists(tombstoned)
    )


def _live_object_items(object_ids: list[int]) -> QuerySet[DeliveryItem]:
    tombstoned = DeliveryItem.objects.filter(
        stix_object_id=OuterRef("stix_object_id"),
        endpoint_id=OuterRef("endpoint_id"),
        tombstone=True,
    )
    return DeliveryItem.objects.filter(stix_object_id__in=object_ids, tombstone=False).exclude(
        Exists(tombstoned)
    )


def _unsent() -> Q:
    return Q(delivery__status=Delivery.Status.PENDING, delivery__attempts=0)


def _endpoint_count(indicator_ids: list[int], object_ids: list[int], *, unsent: bool) -> int:
    """Distinct endpoints among the live items of these indicators and STIX objects whose
    delivery has (``unsent``: has not) left."""

    def pick(items: QuerySet[DeliveryItem]) -> QuerySet[DeliveryItem]:
        return items.filter(_unsent()) if unsent else items.exclude(_unsent())

    if not object_ids:
        if not indicator_ids:
            return 0
        return pick(_live_items(indicator_ids)).values("endpoint_id").distinct().count()
    endpoints = set(pick(_live_object_items(object_ids)).values_list("endpoint_id", flat=True))
    if indicator_ids:
        endpoints |= set(pick(_live_items(indicator_ids)).values_list("endpoint_id", flat=True))
    return len(endpoints)


def endpoints_that_received(*, indicator_ids: Iterable[int], object_ids: Iterable[int] = ()) -> int:
    """Partner endpoints that got (or were tried with) one of these indicators or STIX objects
    and no tombstone for it yet: the most a withdrawal or revocation sends a revocation to."""
    return _endpoint_count(list(indicator_ids), list(object_ids), unsent=False)


def endpoints_not_sent_yet(*, indicator_ids: Iterable[int], object_ids: Iterable[int] = ()) -> int:
    """Partner endpoints whose delivery of these items has not left yet: it is cancelled."""
    return _endpoint_count(list(indicator_ids), list(object_ids), unsent=True)


def share_reach(*, share: Share) -> dict[str, Any]:
    """Who a share reaches: agency and jurisdiction codes, the JIT, named users, and the
    partner endpoints that received its items: those with versions (indicators, most STIX
    objects) get a revocation (``revocations``), cyber observables and marking definitions a
    withdrawal by id (``withdrawals``); None when the share holds no item of that kind."""
    indicator_ids = list(share.indicators.values_list("pk", flat=True))
    objects = list(share.stix_objects.values_list("pk", "body"))
    object_ids = [pk for pk, _body in objects]
    versioned = [pk for pk, body in objects if has_versions(body)]
    unversioned = [pk for pk, body in objects if not has_versions(body)]
    return {
        "agencies": sorted(a.code for a in share.agencies.all()),
        "jurisdictions": sorted(j.code for j in share.jurisdictions.all()),
        "jit": share.jit.name if share.jit is not None else "",
        "community": share.community,
        "users": share.users.count(),
        "items": len(indicator_ids) + len(object_ids),
        "revocations": endpoints_that_received(indicator_ids=indicator_ids, object_ids=versioned)
        if indicator_ids or versioned
        else None,
        "withdrawals": endpoints_that_received(indicator_ids=(), object_ids=unversioned)
        if unversioned
        else None,
        "unsent": endpoints_not_sent_yet(indicator_ids=indicator_ids, object_ids=object_ids),
    }


def revocation_reach(*, indicator: Indicator) -> dict[str, Any]:
    """What revoking an indicator reaches: its active shares, the agencies they name and the
    endpoints that received it."""
    active = Share.objects.filter(indicators=indicator, withdrawn_at__isnull=True)
    return {
        "shares": active.count(),
        "agencies": sorted(
            set(Agency.objects.filter(shares_received__in=active).values_list("code", flat=True))
        ),
        "users": active.filter(users__isnull=False).values("users").distinct().count(),
        "endpoints": endpoints_that_received(indicator_ids=[indicator.pk]),
        "unsent": endpoints_not_sent_yet(indicator_ids=[indicator.pk]),
    }


def _named_users_effect(count: int) -> list[str]:
    if not count:
        return []
    return [
        ngettext(
            "%(count)d named user loses access.",
            "%(count)d named users lose access.",
            count,
        )
        % {"count": count}
    ]


def _unsent_effect(count: int) -> list[str]:
    if not count:
        return []
    return [
        ngettext(
            "The delivery to %(count)d partner endpoint that has not left yet is cancelled.",
            "The deliveries to %(count)d partner endpoints that have not left yet are cancelled.",
            count,
        )
        % {"count": count}
    ]


def _tombstone_effects(revocations: int | None, withdrawals: int | None) -> list[str]:
    """What a withdrawal sends: revocations of the items with versions, a withdrawal notice
    of the cyber observables and marking definitions (which STIX never revokes), or both."""
    if withdrawals is None:
        return [
            ngettext(
                "This sends a revocation to up to %(count)d partner endpoint "
                "(those still entitled through another share keep the data).",
                "This sends a revocation to up to %(count)d partner endpoints "
                "(those still entitled through another share keep the data).",
                revocations or 0,
            )
            % {"count": revocations or 0}
        ]
    if revocations is None:
        return [
            ngettext(
                "This sends a withdrawal notice to up to %(count)d partner endpoint "
                "(those still entitled through another share keep the data).",
                "This sends a withdrawal notice to up to %(count)d partner endpoints "
                "(those still entitled through another share keep the data).",
                withdrawals,
            )
            % {"count": withdrawals}
        ]
    return [
        ngettext(
            "This sends a revocation of the indicators and versioned STIX objects to up to "
            "%(count)d partner endpoint.",
            "This sends a revocation of the indicators and versioned STIX objects to up to "
            "%(count)d partner endpoints.",
            revocations,
        )
        % {"count": revocations},
        ngettext(
            "This sends a withdrawal notice of the cyber observables and marking definitions "
            "to up to %(count)d partner endpoint.",
            "This sends a withdrawal notice of the cyber observables and marking definitions "
            "to up to %(count)d partner endpoints.",
            withdrawals,
        )
        % {"count": withdrawals},
        _("Partner endpoints still entitled through another share keep the data."),
    ]


def share_withdraw_effects(*, share: Share) -> list[str]:
    """The sentences of a withdrawal's confirmation page."""
    reach = share_reach(share=share)
    who = [
        *reach["agencies"],
        *(f"[{code}]" for code in reach["jurisdictions"]),
        *([_("JIT %(name)s") % {"name": reach["jit"]}] if reach["jit"] else []),
        *([_("the community")] if reach["community"] else []),
    ]
    effects = []
    if who:
        effects.append(
            ngettext(
                "%(count)d recipient loses access at once: %(who)s.",
                "%(count)d recipients lose access at once: %(who)s.",
                len(who),
            )
            % {"count": len(who), "who": listed(who)}
        )
    effects += _named_users_effect(reach["users"])
    effects += _tombstone_effects(reach["revocations"], reach["withdrawals"])
    effects += _unsent_effect(reach["unsent"])
    effects.append(_("A withdrawn share cannot be restored: sharing again makes a new share."))
    return effects


def indicator_revoke_effects(*, indicator: Indicator) -> list[str]:
    """The sentences of a revocation's confirmation page."""
    reach = revocation_reach(indicator=indicator)
    agencies = reach["agencies"]
    effects = [
        ngettext(
            "This sends a revocation to %(count)d partner endpoint.",
            "This sends a revocation to %(count)d partner endpoints.",
            reach["endpoints"],
        )
        % {"count": reach["endpoints"]},
        ngettext(
            "%(count)d partner agency loses access%(who)s; ",
            "%(count)d partner agencies lose access%(who)s; ",
            len(agencies),
        )
        % {"count": len(agencies), "who": f" ({listed(agencies)})" if agencies else ""}
        + ngettext(
            "%(count)d active share ends.",
            "%(count)d active shares end.",
            reach["shares"],
        )
        % {"count": reach["shares"]},
    ]
    effects += _named_users_effect(reach["users"])
    effects += _unsent_effect(reach["unsent"])
    effects.append(_("A revoked indicator cannot be shared again."))
    return effects


def stix_object_revoke_effects(*, stix_object: StixObject) -> list[str]:
    """The sentences of a STIX object revocation's confirmation page."""
    active = Share.objects.filter(stix_objects=stix_object, withdrawn_at__isnull=True)
    agencies = sorted(
        set(Agency.objects.filter(shares_received__in=active).values_list("code", flat=True))
    )
    endpoints = endpoints_that_received(indicator_ids=(), object_ids=[stix_object.pk])
    unsent = endpoints_not_sent_yet(indicator_ids=(), object_ids=[stix_object.pk])
    return [
        _(
            "A new version of %(stix_id)s is recorded with revoked: true; partners polling "
            "TAXII see it revoked."
        )
        % {"stix_id": stix_object.stix_id},
        ngettext(
            "This sends the revoked version to %(count)d partner endpoint.",
            "This sends the revoked version to %(count)d partner endpoints.",
            endpoints,
        )
        % {"count": endpoints},
        *_unsent_effect(unsent),
        ngettext(
            "%(count)d partner agency sees only the revoked version from now on%(who)s.",
            "%(count)d partner agencies see only the revoked version from now on%(who)s.",
            len(agencies),
        )
        % {"count": len(agencies), "who": f" ({listed(agencies)})" if agencies else ""},
        _("A revoked object cannot be shared again."),
    ]
