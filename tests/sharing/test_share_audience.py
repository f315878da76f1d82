"""Visibility by audience (issue 13 §1): a share carries the grants to its recipients, one
row per recipient, and reaches its indicators through the link table, so sharing N indicators
with R recipients writes N + R rows; withdrawal and JIT changes rewrite the audience only."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from agencies.access import permission
from agencies.models import TLP
from cases import jits as case_services
from sharing import selectors, services
from sharing.models import (
    Indicator,
    IndicatorGroupObjectPermission,
    Share,
    ShareGroupObjectPermission,
    ShareUserObjectPermission,
)
from tests.cases.conftest import join, open_case
from tests.factories import AgencyFactory, make_member
from tests.sharing.conftest import add

Link = Share.indicators.through


def row_counts() -> dict[str, int]:
    return {
        "indicator rows": IndicatorGroupObjectPermission.objects.count(),
        "audience rows": ShareGroupObjectPermission.objects.count()
        + ShareUserObjectPermission.objects.count(),
        "links": Link.objects.count(),
    }


def written(before: dict[str, int]) -> dict[str, int]:
    return {name: count - before[name] for name, count in row_counts().items()}


def partners(world, count: int) -> list:
    """``count`` more NL agencies (the EU agreement covers them), each with one member."""
    nl = world.partner.agency.country
    agencies = [AgencyFactory(code=f"NL-AUD{n}", country=nl) for n in range(count)]
    for n, agency in enumerate(agencies):
        make_member(agency, f"aud{n}")
    return agencies


def owner_indicators(world, count: int, prefix: str = "10.9.0") -> list[Indicator]:
    return add(world.owner, *[("ipv4", f"{prefix}.{n}") for n in range(count)])


def visible(user, indicator) -> bool:
    return selectors.indicators_visible_to(user=user).filter(pk=indicator.pk).exists()


@pytest.mark.parametrize(("n", "r"), [(1, 1), (40, 1), (1, 6), (40, 6)])
def test_sharing_n_indicators_with_r_agencies_writes_n_plus_r_rows(world, eu_agreement, n, r):
    indicators = owner_indicators(world, n)
    recipients = partners(world, r)
    before = row_counts()

    services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        spec=services.ShareSpec(agencies=recipients),
    )

    assert written(before) == {"indicator rows": 0, "audience rows": r, "links": n}
    for agency in recipients:
        assert ShareGroupObjectPermission.objects.filter(group_id=agency.group_id).count() == 1
    user = recipients[-1].group.user_set.get()
    assert selectors.indicators_visible_to(user=user).count() == n


def test_withdrawing_a_share_rewrites_its_audience_and_no_indicator_row(world, eu_agreement):
    indicators = owner_indicators(world, 25)
    recipients = partners(world, 3)
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        spec=services.ShareSpec(agencies=recipients),
    )
    before = row_counts()

    services.share_withdraw(actor=world.owner.investigator, share=share)

    assert written(before) == {"indicator rows": 0, "audience rows": -3, "links": 0}
    user = recipients[0].group.user_set.get()
    assert not selectors.indicators_visible_to(user=user).exists()
    assert selectors.indicators_visible_to(user=world.owner.analyst).count() == 25


def test_revoking_an_indicator_writes_no_row_and_takes_it_from_every_audience(world, eu_agreement):
    first, second = owner_indicators(world, 2)
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[first, second],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    before = row_counts()

    services.indicator_revoke(actor=world.owner.investigator, indicator=first)

    assert written(before) == {"indicator rows": 0, "audience rows": 0, "links": 0}
    assert not visible(world.partner.analyst, first)
    assert visible(world.partner.analyst, second)
    assert visible(world.owner.analyst, first)


def test_a_jit_membership_change_rewrites_the_audience_of_its_shares_only(world):
    case = open_case(world.owner)
    jit = case_services.jit_create(
        actor=world.owner.investigator, case=case, name="JIT Audience", legal_basis="eu_jit"
    )
    indicators = owner_indicators(world, 30)
    share = services.indicator_share(
        actor=world.owner.investigator, indicators=indicators, spec=services.ShareSpec(jit=jit)
    )
    assert set(ShareGroupObjectPermission.objects.values_list("group_id", flat=True)) == {
        world.owner.agency.group_id
    }
    before = row_counts()

    join(jit, world.owner, world.partner)

    assert written(before) == {"indicator rows": 0, "audience rows": 1, "links": 0}
    assert set(
        ShareGroupObjectPermission.objects.filter(content_object=share).values_list(
            "group_id", flat=True
        )
    ) == {world.owner.agency.group_id, world.partner.agency.group_id}
    assert selectors.indicators_visible_to(user=world.partner.analyst).count() == 30


def test_a_red_share_names_its_users_on_the_share_not_on_each_indicator(world, eu_agreement):
    indicators = owner_indicators(world, 12)
    Indicator.objects.filter(pk__in=[i.pk for i in indicators]).update(tlp=TLP.RED)
    indicators = list(Indicator.objects.filter(owner=world.owner.agency).select_related("owner"))
    before = row_counts()

    services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        spec=services.ShareSpec(users=[world.partner.analyst]),
    )

    assert written(before) == {"indicator rows": 0, "audience rows": 1, "links": 12}
    assert selectors.indicators_visible_to(user=world.partner.analyst).count() == 12
    assert not selectors.indicators_visible_to(user=world.partner.investigator).exists()


def test_the_list_of_visible_indicators_starts_from_the_audience_and_link_indexes(
    world, eu_agreement
):
    indexes = {
        tuple(info["columns"])
        for info in connection.introspection.get_constraints(
            connection.cursor(), Link._meta.db_table
        ).values()
        if info["index"] or info["unique"]
    }
    assert ("share_id", "indicator_id") in indexes  # scanned backwards for newest first
    audience = connection.introspection.get_constraints(
        connection.cursor(), ShareGroupObjectPermission._meta.db_table
    ).values()
    assert ["group_id", "permission_id", "content_object_id"] in [i["columns"] for i in audience]


# --- the data migration -----------------------------------------------------------------------


def test_the_migration_moves_per_indicator_grants_to_the_share_audiences(world, eu_agreement):
    """Rows as the code before issue 13 left them (one per indicator × recipient group) become
    one per share × recipient, including a community share's agencies; each indicator keeps its
    owner's row, and what everyone sees is unchanged."""
    migration = importlib.import_module("sharing.migrations.0007_move_grants_to_audiences")
    third = AgencyFactory(code="NL-THIRD", country=world.partner.agency.country)
    make_member(third, "third_user")
    direct = owner_indicators(world, 3, prefix="10.8.1")
    community = owner_indicators(world, 2, prefix="10.8.2")
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=direct,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=community,
        spec=services.ShareSpec(community=True),
    )
    withdrawn = services.indicator_share(
        actor=world.owner.investigator,
        indicators=community,
        spec=services.ShareSpec(agencies=[third]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=withdrawn)
    expected = {
        s.pk: set(
            ShareGroupObjectPermission.objects.filter(content_object=s).values_list(
                "group_id", flat=True
            )
        )
        for s in Share.objects.all()
    }
    assert expected[withdrawn.pk] == set()
    seen = {
        user: set(selectors.indicators_visible_to(user=user).values_list("pk", flat=True))
        for user in (world.partner.analyst, world.outsider.analyst, third.group.user_set.get())
    }
    # Back to the old form: per-indicator rows for every audience row, no audience rows.
    view_indicator = permission(Indicator, "view_indicator")
    old_rows = [
        IndicatorGroupObjectPermission(
            content_object_id=link.indicator_id, group_id=group_id, permission=view_indicator
        )
        for link in Link.objects.all()
        for group_id in expected[link.share_id]
    ]
    IndicatorGroupObjectPermission.objects.bulk_create(old_rows, ignore_conflicts=True)
    ShareGroupObjectPermission.objects.all().delete()
    assert IndicatorGroupObjectPermission.objects.count() > Indicator.objects.count()

    migration.forwards(django_apps, None)

    moved = {
        s.pk: set(
            ShareGroupObjectPermission.objects.filter(content_object=s).values_list(
                "group_id", flat=True
            )
        )
        for s in Share.objects.all()
    }
    assert moved == expected
    assert IndicatorGroupObjectPermission.objects.count() == Indicator.objects.count()
    assert not IndicatorGroupObjectPermission.objects.exclude(
        group_id=world.owner.agency.group_id
    ).exists()
    for user, indicators in seen.items():
        assert set(selectors.indicators_visible_to(user=user).values_list("pk", flat=True)) == (
            indicators
        )


def test_a_community_share_writes_one_audience_row_per_community_agency(world, eu_agreement):
    indicators = owner_indicators(world, 20)
    community = partners(world, 4) + [world.partner.agency]
    before = row_counts()

    services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        spec=services.ShareSpec(community=True),
    )

    grown = written(before)
    assert grown["indicator rows"] == 0 and grown["links"] == 20
    groups = set(ShareGroupObjectPermission.objects.values_list("group_id", flat=True))
    assert {a.group_id for a in community} <= groups
    assert grown["audience rows"] == len(groups) < 20
    assert world.outsider.agency.group_id not in groups


def test_a_withdrawn_jit_share_stays_without_audience_when_the_circle_changes(world):
    case = open_case(world.owner)
    jit = case_services.jit_create(
        actor=world.owner.investigator, case=case, name="JIT Gone", legal_basis="eu_jit"
    )
    (indicator,) = owner_indicators(world, 1)
    share = services.indicator_share(
        actor=world.owner.investigator, indicators=[indicator], spec=services.ShareSpec(jit=jit)
    )
    services.share_withdraw(actor=world.owner.investigator, share=share)

    join(jit, world.owner, world.partner)

    assert not ShareGroupObjectPermission.objects.filter(content_object=share).exists()
    assert not visible(world.partner.analyst, indicator)
