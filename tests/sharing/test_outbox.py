"""The outbox a share writes: one delivery per entitled endpoint (filters honoured, batched,
nothing sent twice); a withdrawal before sending cancels instead of tombstoning."""

from __future__ import annotations

from agencies.models import TLP
from sharing import services
from sharing.models import Delivery, DeliveryItem
from tests.sharing.conftest import add


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


def test_outbox_items_go_with_their_indicator_delivery_or_endpoint_without_db_constraints(
    world, eu_agreement
):
    """The items' foreign keys have no database constraint (fan-out speed): Django's
    cascades still remove them with whatever they point to."""
    from sharing.services import endpoint_create

    endpoint, _ = endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="e", url="http://127.0.0.1:9/"
    )

    def share(*values):
        inds = add(world.owner, *[("ipv4", v) for v in values])
        spec = services.ShareSpec(agencies=[world.partner.agency])
        services.indicator_share(actor=world.owner.investigator, indicators=inds, spec=spec)
        return inds

    first, second = share("192.0.2.31", "192.0.2.32")
    first.delete()
    items = DeliveryItem.objects.filter(endpoint=endpoint)
    assert list(items.values_list("indicator_id", flat=True)) == [second.pk]
    Delivery.objects.get(items__indicator=second).delete()
    assert not items.exists()
    share("192.0.2.33")
    endpoint_id = endpoint.pk
    assert DeliveryItem.objects.filter(endpoint_id=endpoint_id).exists()
    endpoint.delete()
    assert not DeliveryItem.objects.filter(endpoint_id=endpoint_id).exists()
