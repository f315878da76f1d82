"""Who may view an indicator: guardian rows on the indicator (its owner) and on its shares
(their audiences). Every write that changes an indicator's audience ends with a ``sync_*`` call.

Two tables of rows, and one link table, decide visibility (issue 13 §1):

- ``IndicatorGroupObjectPermission``: the owning agency's group, one row per indicator;
- ``ShareGroupObjectPermission`` / ``ShareUserObjectPermission``: an active share's audience,
  one row per recipient group (agencies, jurisdictions, the JIT's circle, the community) or,
  for TLP:RED, per named user; none once the share is withdrawn;
- ``Share.indicators`` (``sharing_share_indicators``) links a share to its indicators.

Sharing N indicators with R recipients therefore writes N + R rows, and withdrawing a share or
a JIT's circle changing rewrites the R audience rows only. Whether an indicator passes through
its shares at all is its own state, read at query time (``passes_to_groups``,
``passes_to_named_users``): a revoked indicator goes back to its owner, AMBER+STRICT never
leaves it, RED goes only to named users.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

from agencies.access import (
    permission,
    replace_many_object_permissions,
    replace_object_permissions,
)
from agencies.models import TLP, Agency
from cases.selectors import jit_accepted_agencies
from sharing import legal
from sharing.models import (
    Indicator,
    IndicatorGroupObjectPermission,
    Share,
    ShareGroupObjectPermission,
    ShareUserObjectPermission,
    StixObject,
    StixObjectGroupObjectPermission,
)

CODENAME = "view_indicator"
OBJECT_CODENAME = "view_stixobject"
SHARE_CODENAME = "view_share"
_KEPT_HOME = (TLP.AMBER_STRICT, TLP.RED)


# --- the indicator's side: does it pass through its shares? -----------------------------------
# One rule in two forms, side by side: Python for the outbox, Q objects for the selectors.


def passes_to_groups(indicator: Indicator | StixObject) -> bool:
    """The indicator reaches its shares' recipient groups: not revoked, not AMBER+STRICT/RED."""
    return not indicator.revoked and indicator.tlp not in _KEPT_HOME


def passes_to_named_users(indicator: Indicator | StixObject) -> bool:
    """The indicator reaches its shares' named users: TLP:RED and not revoked."""
    return not indicator.revoked and indicator.tlp == TLP.RED


def passes_to_groups_q(prefix: str = "", *, revoked_too: bool = False) -> Q:
    """``passes_to_groups`` as a filter on indicators (``prefix``: the path to them);
    ``revoked_too``: a revoked indicator still passes (its history, for those who had it)."""
    kept_home = ~Q(**{f"{prefix}tlp__in": list(_KEPT_HOME)})
    return kept_home if revoked_too else Q(**{f"{prefix}revoked": False}) & kept_home


def passes_to_named_users_q(prefix: str = "", *, revoked_too: bool = False) -> Q:
    """``passes_to_named_users`` as a filter on indicators (``prefix``: the path to them)."""
    red = Q(**{f"{prefix}tlp": TLP.RED})
    return red if revoked_too else Q(**{f"{prefix}revoked": False}) & red


# --- the share's side: its audience ------------------------------------------------------------


def _share_groups(share: Share, community_cache: dict[int, set[int]]) -> set[int]:
    """Group ids a share grants to (a RED share names users only, so none)."""
    groups = {a.group_id for a in share.agencies.all()}
    groups |= {j.group_id for j in share.jurisdictions.all()}
    agency_ids: set[int] = set()
    jit = share.jit
    if jit is not None and not jit.is_closed:
        agency_ids |= set(jit_accepted_agencies(jit).values_list("pk", flat=True))
        agency_ids.add(jit.leader_id)
    if share.community:
        if share.owner_id not in community_cache:
            community_cache[share.owner_id] = legal.community_agency_ids(share.owner)
        agency_ids |= community_cache[share.owner_id]
    if agency_ids:
        groups |= set(Agency.objects.filter(pk__in=agency_ids).values_list("group_id", flat=True))
    return groups


def share_grants(share: Share, community_cache: dict[int, set[int]]) -> tuple[set[int], set[int]]:
    """(group ids, user ids) an active share reaches; nothing once it is withdrawn."""
    if share.withdrawn_at is not None:
        return set(), set()
    return _share_groups(share, community_cache), {u.pk for u in share.users.all()}


def sync_share_permissions(
    share: Share, community_cache: dict[int, set[int]] | None = None
) -> None:
    """Recompute the share's audience rows (one per recipient group or named user)."""
    groups, users = share_grants(share, {} if community_cache is None else community_cache)
    replace_object_permissions(
        share,
        group_model=ShareGroupObjectPermission,
        user_model=ShareUserObjectPermission,
        groups={SHARE_CODENAME: Group.objects.filter(pk__in=groups)},
        users={SHARE_CODENAME: get_user_model().objects.filter(pk__in=users)},
    )


def sync_shares_permissions(shares: Iterable[Share]) -> None:
    """``sync_share_permissions`` for several shares (a JIT's), with one community cache."""
    cache: dict[int, set[int]] = {}
    for share in shares:
        sync_share_permissions(share, cache)


# --- the outbox's view: who is entitled to an indicator or STIX object ----------------------


def active_shares(indicator_ids: Iterable[int]) -> dict[int, list[Share]]:
    """Indicator id -> its shares not withdrawn, with what ``indicator_grants`` reads loaded."""
    return _active_shares(Share.indicators.through, "indicator_id", indicator_ids)


def active_object_shares(object_ids: Iterable[int]) -> dict[int, list[Share]]:
    """``active_shares`` for STIX objects (``Share.stix_objects``)."""
    return _active_shares(Share.stix_objects.through, "stixobject_id", object_ids)


def _active_shares(through: Any, column: str, ids: Iterable[int]) -> dict[int, list[Share]]:
    rows = through.objects.filter(
        **{f"{column}__in": list(ids)}, share__withdrawn_at__isnull=True
    ).values_list(column, "share_id")
    share_ids = {s for _, s in rows}
    shares = {
        s.pk: s
        for s in Share.objects.filter(pk__in=share_ids)
        .select_related("owner__country", "jit")
        .prefetch_related("agencies", "jurisdictions", "users")
    }
    by_indicator: dict[int, list[Share]] = defaultdict(list)
    for indicator_id, share_id in rows:
        by_indicator[indicator_id].append(shares[share_id])
    return by_indicator


def indicator_grants(
    indicator: Indicator | StixObject, shares: Sequence[Share], community_cache: dict[int, set[int]]
) -> tuple[set[int], set[int]]:
    """(group ids, user ids) that may view the indicator (or STIX object, by the same rule):
    what the rows above give it.

    The owning agency always sees its indicator; the audiences of its active shares see it
    when it passes to them (``passes_to_groups``, ``passes_to_named_users``).
    """
    groups = {indicator.owner.group_id}
    users: set[int] = set()
    to_groups, to_users = passes_to_groups(indicator), passes_to_named_users(indicator)
    if not (to_groups or to_users):
        return groups, users
    for share in shares:
        share_groups, share_users = share_grants(share, community_cache)
        if to_groups:
            groups |= share_groups
        if to_users:
            users |= share_users
    return groups, users


# --- the indicator's own row: its owner ----------------------------------------------------------


def sync_indicator_permissions(indicator: Indicator) -> None:
    """Recompute the indicator's own guardian rows: its owning agency's group."""
    replace_object_permissions(
        indicator,
        group_model=IndicatorGroupObjectPermission,
        groups={CODENAME: Group.objects.filter(pk=indicator.owner.group_id)},
    )


def sync_indicators_permissions(indicators: Sequence[Indicator], *, fresh: bool = False) -> None:
    """The bulk form of ``sync_indicator_permissions``: a few queries for any number.

    ``fresh``: the indicators were just created (ingest), so they have no rows yet; nothing
    is read and only the owner's rows are written.
    """
    if not indicators:
        return
    replace_many_object_permissions(
        {i.pk: ({i.owner.group_id}, ()) for i in indicators},
        codename=CODENAME,
        group_model=IndicatorGroupObjectPermission,
        fresh=fresh,
    )


def bulk_permissions_read() -> None:
    """Read the permission rows the bulk syncs here write (once per process), so that a bulk
    import can do it before its writes, which then need no reply from the database first
    (``common.bulk.copies_in_background``)."""
    permission(Indicator, CODENAME)
    permission(StixObject, OBJECT_CODENAME)


def sync_stix_objects_permissions(objects: Sequence[StixObject], *, fresh: bool = False) -> None:
    """The owning agency's row on each STIX object (one per object, whatever its versions);
    ``fresh`` as for indicators. Shares reach them through ``Share.stix_objects``."""
    if not objects:
        return
    replace_many_object_permissions(
        {o.pk: ({o.owner.group_id}, ()) for o in objects},
        codename=OBJECT_CODENAME,
        group_model=StixObjectGroupObjectPermission,
        fresh=fresh,
    )
