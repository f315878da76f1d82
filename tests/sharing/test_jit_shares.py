"""Indicators shared with a JIT follow the JIT's membership as it changes."""

from __future__ import annotations

import pytest

from cases import jits as case_services
from cases.models import JointInvestigationTeam
from sharing import selectors, services
from tests.cases.conftest import join, open_case
from tests.sharing.conftest import add


def visible(user, indicator) -> bool:
    return selectors.indicators_visible_to(user=user).filter(pk=indicator.pk).exists()


@pytest.fixture
def jit(world) -> JointInvestigationTeam:
    case = open_case(world.owner)
    return case_services.jit_create(
        actor=world.owner.investigator, case=case, name="JIT Nightjar", legal_basis="eu_jit"
    )


def test_an_agency_that_leaves_the_jit_loses_the_jit_shared_indicators_at_once(world, jit):
    join(jit, world.owner, world.partner)
    (indicator,) = add(world.owner, ("domain", "c2.nightjar.example"))
    services.indicator_share(
        actor=world.owner.investigator, indicators=[indicator], spec=services.ShareSpec(jit=jit)
    )
    assert visible(world.partner.investigator, indicator)

    membership = jit.memberships.get(agency=world.partner.agency)
    case_services.jit_leave(actor=world.partner.admin, membership=membership)

    assert not visible(world.partner.investigator, indicator)
    assert visible(world.owner.investigator, indicator)


def test_an_agency_that_joins_later_gains_the_jit_shared_indicators(world, jit):
    (indicator,) = add(world.owner, ("domain", "panel.nightjar.example"))
    services.indicator_share(
        actor=world.owner.investigator, indicators=[indicator], spec=services.ShareSpec(jit=jit)
    )
    assert not visible(world.partner.investigator, indicator)

    join(jit, world.owner, world.partner)

    assert visible(world.partner.investigator, indicator)


def test_closing_the_jit_ends_the_members_access_to_its_shares(world, jit):
    join(jit, world.owner, world.partner)
    (indicator,) = add(world.owner, ("domain", "drop.nightjar.example"))
    services.indicator_share(
        actor=world.owner.investigator, indicators=[indicator], spec=services.ShareSpec(jit=jit)
    )

    case_services.jit_update(
        actor=world.owner.investigator, jit=jit, status=JointInvestigationTeam.Status.CLOSED
    )

    assert not visible(world.partner.investigator, indicator)


def test_endpoints_of_an_agency_that_joins_later_get_the_jit_shared_indicators_once(
    world, jit, partner_endpoint
):
    from sharing.models import DeliveryItem

    (indicator,) = add(world.owner, ("domain", "loader.nightjar.example"))
    services.indicator_share(
        actor=world.owner.investigator, indicators=[indicator], spec=services.ShareSpec(jit=jit)
    )
    assert not DeliveryItem.objects.filter(endpoint=partner_endpoint).exists()

    join(jit, world.owner, world.partner)
    join_again = jit.memberships.get(agency=world.partner.agency)
    case_services.jit_leave(actor=world.partner.admin, membership=join_again)
    join(jit, world.owner, world.partner)

    items = DeliveryItem.objects.filter(endpoint=partner_endpoint, indicator=indicator)
    assert items.count() == 1 and not items.get().tombstone
