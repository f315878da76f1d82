"""Groups follow memberships: agency and jurisdiction groups, at once, both ways."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from agencies import services
from agencies.models import COUNTRY_CODE, Jurisdiction, Membership
from tests.factories import AgencyFactory, JurisdictionFactory, RegimeFactory, make_member


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_every_agency_and_jurisdiction_has_its_own_group(world):
    assert world.owner.agency.group.name == "agency:DE-BKA"
    assert world.owner.agency.country.group.name == "jurisdiction:DE"
    assert Jurisdiction.objects.get(code="EU").group.name == "jurisdiction:EU"


def test_an_active_member_is_in_the_agency_country_and_regime_groups(world):
    assert group_names(world.owner.investigator) == {
        "agency:DE-BKA",
        "jurisdiction:DE",
        "jurisdiction:EU",
    }
    assert group_names(world.outsider.investigator) == {"agency:IN-CBI", "jurisdiction:IN"}


def test_suspension_removes_the_groups_at_once_and_reactivation_restores_them(world):
    user = world.owner.investigator
    membership = Membership.objects.get(user=user, agency=world.owner.agency)
    services.membership_update(actor=world.owner.admin, membership=membership, status="suspended")
    assert group_names(user) == set()
    services.membership_update(actor=world.owner.admin, membership=membership, status="active")
    assert group_names(user) == {"agency:DE-BKA", "jurisdiction:DE", "jurisdiction:EU"}


def test_removal_takes_the_user_out(world):
    user = world.owner.analyst
    membership = Membership.objects.get(user=user, agency=world.owner.agency)
    services.membership_remove(actor=world.owner.admin, membership=membership)
    assert group_names(user) == set()


def test_deactivating_an_agency_takes_all_its_members_out(world):
    services.agency_upsert(code=world.partner.agency.code, active=False)
    for user in (world.partner.admin, world.partner.investigator, world.partner.analyst):
        assert group_names(user) == set()
    services.agency_upsert(code=world.partner.agency.code, active=True)
    assert "agency:NL-NHTCU" in group_names(world.partner.investigator)


def test_a_member_of_two_agencies_keeps_the_groups_of_the_one_still_active(world):
    user = world.owner.investigator
    services.membership_set(
        actor=None, agency=world.outsider.agency, user=user, role="analyst", seconded=True
    )
    assert group_names(user) == {
        "agency:DE-BKA",
        "jurisdiction:DE",
        "jurisdiction:EU",
        "agency:IN-CBI",
        "jurisdiction:IN",
    }
    membership = Membership.objects.get(user=user, agency=world.owner.agency)
    services.membership_update(actor=None, membership=membership, status="suspended")
    assert group_names(user) == {"agency:IN-CBI", "jurisdiction:IN"}


def test_two_agencies_in_one_country_share_the_country_group_until_both_are_gone(db):
    country = JurisdictionFactory(code="FR")
    first, second = (
        AgencyFactory(code="FR-A", country=country),
        AgencyFactory(code="FR-B", country=country),
    )
    user = make_member(first, "dual")
    services.membership_set(actor=None, agency=second, user=user, role="analyst")
    services.membership_remove(
        actor=None, membership=Membership.objects.get(user=user, agency=first)
    )
    assert group_names(user) == {"agency:FR-B", "jurisdiction:FR"}


def test_a_regime_change_resyncs_the_members_of_the_countrys_agencies(world):
    budapest = RegimeFactory(code="BUDAPEST", name="Budapest Convention")
    india = world.outsider.agency.country
    services.jurisdiction_upsert(
        code=india.code, name=india.name, kind=Jurisdiction.Kind.COUNTRY, regimes=[budapest]
    )
    assert group_names(world.outsider.admin) == {
        "agency:IN-CBI",
        "jurisdiction:IN",
        "jurisdiction:BUDAPEST",
    }
    services.jurisdiction_upsert(
        code=india.code, name=india.name, kind=Jurisdiction.Kind.COUNTRY, regimes=[]
    )
    assert "jurisdiction:BUDAPEST" not in group_names(world.outsider.admin)


def test_groups_the_sync_does_not_manage_are_left_alone(world):
    staff = Group.objects.create(name="site-staff")
    user = world.owner.analyst
    user.groups.add(staff)
    membership = Membership.objects.get(user=user, agency=world.owner.agency)
    services.membership_update(actor=None, membership=membership, status="suspended")
    assert group_names(user) == {"site-staff"}


def test_an_invited_membership_gives_no_groups(world):
    user = make_member(world.partner.agency, "newcomer")
    services.invitation_create(
        actor=world.owner.admin, agency=world.owner.agency, email=user.email, role="analyst"
    )
    assert Membership.objects.get(user=user, agency=world.owner.agency).status == "invited"
    assert "agency:DE-BKA" not in group_names(user)


def test_an_agencys_country_must_be_a_country_not_a_regime(world):
    eu = Jurisdiction.objects.get(code="EU")
    message = services.REGIME_NOT_COUNTRY.format(code="EU")
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        services.agency_upsert(code="EU-X", name="X", country=eu, kind="police")
    assert list(info.value.message_dict) == ["country"]
    with pytest.raises(ValidationError, match=re.escape(COUNTRY_CODE)) as info:
        services.jurisdiction_upsert(code="DEU", name="Germany", kind=Jurisdiction.Kind.COUNTRY)
    assert list(info.value.message_dict) == ["code"]
    assert not Jurisdiction.objects.filter(code="DEU").exists()
