"""Shares: visibility matrix, legal basis, TLP rules, withdrawal, revocation and the outbox."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import TLP
from audit.models import AuditEvent
from sharing import selectors, services
from sharing.models import Delivery, DeliveryItem
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
    with pytest.raises(ValidationError) as info:
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
    with pytest.raises(ValidationError):
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
    with pytest.raises(ValidationError) as info:
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )
    assert "AMBER+STRICT" in str(info.value)
    assert not visible(world.partner.investigator, ind)


def test_red_goes_only_to_named_users(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.17"), tlp=TLP.RED)
    with pytest.raises(ValidationError) as info:
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
    with pytest.raises(ValidationError) as info:
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
    with pytest.raises(PermissionDenied):
        services.indicator_share(
            actor=world.partner.admin, indicators=[ind], spec=services.ShareSpec(community=True)
        )


def test_withdrawing_a_share_removes_access_at_once(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.20"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=share)
    assert not visible(world.partner.investigator, ind)
    assert visible(world.owner.investigator, ind)


def test_access_survives_withdrawal_when_another_share_still_grants_it(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.21"))
    first = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=first)
    assert visible(world.partner.investigator, ind)


def test_revoking_removes_access_of_every_recipient(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.22"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.indicator_revoke(actor=world.owner.investigator, indicator=ind)
    assert not visible(world.partner.investigator, ind)
    with pytest.raises(PermissionDenied):
        services.indicator_revoke(actor=world.partner.admin, indicator=ind)


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


def test_a_share_writes_one_delivery_per_entitled_endpoint_honouring_its_filters(
    world, eu_agreement
):
    from sharing.services import endpoint_create

    def endpoint(side, name, **filters):
        return endpoint_create(
            actor=side.admin, agency=side.agency, name=name, url="http://127.0.0.1:9/", **filters
        )[0]

    all_types = endpoint(world.partner, "all")
    only_domains = endpoint(world.partner, "domains", types=["domain"])
    high_conf = endpoint(world.partner, "confident", min_confidence=90)
    green_only = endpoint(world.partner, "green", max_tlp=TLP.GREEN)
    outsider = endpoint(world.outsider, "outsider")
    owners = endpoint(world.owner, "own")
    inds = add(world.owner, ("ipv4", "192.0.2.30"), ("domain", "x.example"), confidence=60)
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    items = set(
        DeliveryItem.objects.filter(delivery__share=share).values_list(
            "endpoint_id", "indicator_id"
        )
    )
    assert items == {
        (all_types.pk, inds[0].pk),
        (all_types.pk, inds[1].pk),
        (only_domains.pk, inds[1].pk),
    }
    assert not Delivery.objects.filter(
        endpoint__in=[high_conf, green_only, outsider, owners]
    ).exists()
    # sharing again does not send the same indicator to the same endpoint twice
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    assert DeliveryItem.objects.count() == 3


def test_deliveries_are_batched(world, eu_agreement, settings, partner_endpoint):
    settings.SHARING_DELIVERY_BATCH_SIZE = 2
    inds = add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(5)])
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    sizes = sorted(d.items.count() for d in Delivery.objects.filter(endpoint=partner_endpoint))
    assert sizes == [1, 2, 2]


def test_withdrawing_before_anything_was_sent_cancels_instead_of_tombstoning(
    world, eu_agreement, partner_endpoint
):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.40"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=share)
    assert not Delivery.objects.exists()
