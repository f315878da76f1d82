"""Sharing: who may receive an indicator (agencies, jurisdictions, the community, a JIT,
named users) under which legal basis and TLP rule, as a service and over the API."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import TLP
from audit.models import AuditEvent
from sharing import selectors, services
from sharing.legal import NO_BASIS
from tests.factories import AgencyFactory, make_member
from tests.sharing.conftest import add


def visible(user, indicator) -> bool:
    return selectors.indicators_visible_to(user=user).filter(pk=indicator.pk).exists()


def test_an_indicator_is_seen_by_its_owner_only_until_shared(world):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.10"))
    assert visible(world.owner.analyst, ind)
    assert not visible(world.partner.investigator, ind)
    assert not visible(world.outsider.investigator, ind)


def test_sharing_with_a_partner_agency_on_an_agreement_grants_it_and_only_it(world, eu_agreement):
    (ind,) = add(world.owner, ("domain", "c2.example"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    assert visible(world.partner.analyst, ind)
    assert not visible(world.outsider.investigator, ind)
    assert share.legal_basis[0]["recipient"] == "NL-NHTCU"
    assert "EU law enforcement exchange" in share.legal_basis[0]["basis"]
    assert AuditEvent.objects.filter(action="indicator.shared", object_id=str(share.pk)).exists()


def test_sharing_across_jurisdictions_without_an_agreement_is_refused_saying_what_is_missing(
    world, eu_agreement
):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.11"))
    missing = NO_BASIS.format(owner="DE-BKA", country="DE", target="IN-CBI (IN)")
    with pytest.raises(ValidationError, match=re.escape(missing)) as info:
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(agencies=[world.outsider.agency]),
        )
    message = " ".join(info.value.message_dict["legal_basis"])
    assert "No legal basis on record" in message
    assert "IN-CBI (IN)" in message and "sharing agreement" in message
    assert not visible(world.outsider.investigator, ind)


def test_without_any_agreement_even_the_eu_partner_is_refused(world):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.12"))
    missing = NO_BASIS.format(owner="DE-BKA", country="DE", target="NL-NHTCU (NL)")
    with pytest.raises(ValidationError, match=re.escape(missing)):
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )


def test_an_agency_of_the_same_country_needs_no_agreement(world):
    other_de = AgencyFactory(code="DE-LKA", country=world.owner.agency.country)
    member = make_member(other_de, "lka_user")
    (ind,) = add(world.owner, ("ipv4", "192.0.2.13"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[other_de]),
    )
    assert visible(member, ind)


def test_sharing_with_a_jurisdiction_reaches_its_agencies(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.14"))
    eu = world.owner.agency.country.regimes.get(code="EU")
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(jurisdictions=[eu]),
    )
    assert visible(world.partner.investigator, ind)
    assert not visible(world.outsider.investigator, ind)


def test_the_community_is_every_agency_with_an_agreement_with_the_owner(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.15"), tlp=TLP.GREEN)
    services.indicator_share(
        actor=world.owner.investigator, indicators=[ind], spec=services.ShareSpec(community=True)
    )
    assert visible(world.partner.investigator, ind)
    assert not visible(world.outsider.investigator, ind)


def test_amber_strict_never_leaves_the_owning_agency(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.16"), tlp=TLP.AMBER_STRICT)
    refused = services.STRICT_STAYS.format(codes="192.0.2.16")
    with pytest.raises(ValidationError, match=re.escape(refused)) as info:
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )
    assert "AMBER+STRICT" in str(info.value)
    assert not visible(world.partner.investigator, ind)


def test_red_goes_only_to_named_users(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.17"), tlp=TLP.RED)
    refused = services.RED_NAMED_ONLY.format(codes="192.0.2.17")
    with pytest.raises(ValidationError, match=re.escape(refused)) as info:
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )
    assert "only to named users" in str(info.value)
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(users=[world.partner.analyst]),
    )
    assert visible(world.partner.analyst, ind)
    assert not visible(world.partner.investigator, ind)


def test_named_users_need_a_legal_basis_too(world):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.18"), tlp=TLP.RED)
    missing = NO_BASIS.format(owner="DE-BKA", country="DE", target="user outsider_analyst (IN-CBI)")
    with pytest.raises(ValidationError, match=re.escape(missing)) as info:
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(users=[world.outsider.analyst]),
        )
    assert "outsider_analyst" in str(info.value)


def test_only_the_owning_agency_may_share_or_widen(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.19"), tlp=TLP.GREEN)
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    with pytest.raises(PermissionDenied, match=re.escape(services.NOT_OWNER)):
        services.indicator_share(
            actor=world.partner.admin, indicators=[ind], spec=services.ShareSpec(community=True)
        )


def test_a_jit_share_reaches_accepted_members_on_the_jit_agreement(world):
    from cases.models import Case, JITMembership, JointInvestigationTeam

    case = Case.objects.create(
        reference="DE-BKA-2026-9", title="Botnet", lead_agency=world.owner.agency
    )
    jit = JointInvestigationTeam.objects.create(
        case=case,
        name="JIT Botnet",
        leader=world.owner.agency,
        legal_basis="eu_jit",
        status="active",
    )
    JITMembership.objects.create(jit=jit, agency=world.owner.agency, status="accepted")
    JITMembership.objects.create(jit=jit, agency=world.outsider.agency, status="accepted")
    (ind,) = add(world.owner, ("ipv4", "192.0.2.23"))
    share = services.indicator_share(
        actor=world.owner.investigator, indicators=[ind], spec=services.ShareSpec(jit=jit)
    )
    assert visible(world.outsider.investigator, ind)
    assert not visible(world.partner.investigator, ind)
    assert share.legal_basis[0]["basis"].startswith("JIT agreement")


def test_the_owner_shares_and_the_partner_then_sees_it(world, clients, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.84"))
    url = f"/api/v1/indicators/{ind.pk}/shares/"
    response = clients["owner"].post(url, {"agencies": ["NL-NHTCU"]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["legal_basis"][0]["recipient"] == "NL-NHTCU"
    assert clients["owner"].get(url).json()["results"][0]["agencies"] == ["NL-NHTCU"]
    assert clients["partner"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 200
    # the partner may see but not widen
    assert clients["partner"].post(url, {"community": True}, format="json").status_code == 403
    assert clients["partner"].get(url).status_code == 403
    assert clients["outsider"].post(url, {"agencies": ["IN-CBI"]}, format="json").status_code == 404
    assert (
        clients["anonymous"].post(url, {"agencies": ["NL-NHTCU"]}, format="json").status_code == 401
    )


def test_a_share_without_legal_basis_is_refused_with_what_is_missing(world, clients, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.85"))
    response = clients["owner"].post(
        f"/api/v1/indicators/{ind.pk}/shares/", {"agencies": ["IN-CBI"]}, format="json"
    )
    assert response.status_code == 400
    assert "No legal basis on record" in response.json()["legal_basis"][0]
    assert "IN-CBI" in response.json()["legal_basis"][0]


def test_an_unknown_agency_is_a_400_naming_the_field(world, clients, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.86"))
    response = clients["owner"].post(
        f"/api/v1/indicators/{ind.pk}/shares/", {"agencies": ["XX-NONE"]}, format="json"
    )
    assert response.status_code == 400 and "agencies" in response.json()


def test_bulk_share_of_several_indicators(world, clients, eu_agreement):
    inds = add(world.owner, ("ipv4", "192.0.2.87"), ("ipv4", "192.0.2.88"))
    response = clients["owner"].post(
        "/api/v1/shares/",
        {"indicators": [i.pk for i in inds], "jurisdictions": ["EU"]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["indicators"] == 2
    assert (
        clients["outsider"]
        .post(
            "/api/v1/shares/", {"indicators": [inds[0].pk], "agencies": ["IN-CBI"]}, format="json"
        )
        .status_code
        == 400
    )
