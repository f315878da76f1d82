"""Who may view an indicator: its guardian rows, derived from TLP, revocation and active
shares. Every write that changes an indicator's audience ends with a ``sync_*`` call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agencies.access import replace_many_object_permissions, replace_object_permissions
from agencies.models import TLP, Agency
from cases.selectors import jit_accepted_agencies
from sharing import legal
from sharing.models import (
    Indicator,
    IndicatorGroupObjectPermission,
    IndicatorUserObjectPermission,
    Share,
)

CODENAME = "view_indicator"


def _share_groups(share: Share, community_cache: dict[int, set[int]]) -> set[int]:
    """Group ids a (non-RED) share grants to."""
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


def active_shares(indicator_ids: Iterable[int]) -> dict[int, list[Share]]:
    """Indicator id -> its shares not withdrawn, with what ``indicator_grants`` reads loaded."""
    through = Share.indicators.through
    rows = through.objects.filter(
        indicator_id__in=list(indicator_ids), share__withdrawn_at__isnull=True
    ).values_list("indicator_id", "share_id")
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
    indicator: Indicator, shares: Sequence[Share], community_cache: dict[int, set[int]]
) -> tuple[set[int], set[int]]:
    """(group ids, user ids) that may view the indicator, from TLP, revocation and shares.

    The owning agency always sees its indicator. AMBER+STRICT never leaves it; RED goes
    only to the named users of active shares; a revoked indicator goes back to the owner.
    """
    groups = {indicator.owner.group_id}
    users: set[int] = set()
    if indicator.revoked or indicator.tlp == TLP.AMBER_STRICT:
        return groups, users
    for share in shares:
        if indicator.tlp == TLP.RED:
            users |= {u.pk for u in share.users.all()}
        else:
            groups |= _share_groups(share, community_cache)
    return groups, users


def sync_indicator_permissions(indicator: Indicator) -> None:
    """Recompute the indicator's guardian rows from its own state."""
    groups, users = indicator_grants(indicator, active_shares([indicator.pk])[indicator.pk], {})
    replace_object_permissions(
        indicator,
        group_model=IndicatorGroupObjectPermission,
        user_model=IndicatorUserObjectPermission,
        groups={CODENAME: Group.objects.filter(pk__in=groups)},
        users={CODENAME: get_user_model().objects.filter(pk__in=users)},
    )


def sync_indicators_permissions(indicators: Sequence[Indicator], *, fresh: bool = False) -> None:
    """The bulk form of ``sync_indicator_permissions``: a few queries for any number.

    ``fresh``: the indicators were just created (ingest), so they have no shares and no
    rows yet; nothing is read and only the owner's rows are written.
    """
    if not indicators:
        return
    if fresh:
        grants = {i.pk: indicator_grants(i, (), {}) for i in indicators}
    elif len(indicators) == 1:
        sync_indicator_permissions(indicators[0])
        return
    else:
        shares = active_shares([i.pk for i in indicators])
        cache: dict[int, set[int]] = {}
        grants = {i.pk: indicator_grants(i, shares.get(i.pk, []), cache) for i in indicators}
    replace_many_object_permissions(
        grants,
        codename=CODENAME,
        group_model=IndicatorGroupObjectPermission,
        user_model=IndicatorUserObjectPermission,
        fresh=fresh,
    )
