"""One message for every endpoint that gets the same objects: built once per round, signed per
endpoint, with a bundle id that depends on the objects, not on the delivery."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from sharing import delivery, services, stix, webhooks
from sharing.models import Delivery, Indicator
from sharing.tasks import enqueue_deliveries
from tests.sharing.conftest import add


@pytest.fixture
def endpoints(world, scripted):
    """Three endpoints of the partner agency, each with its own secret, one taking domains only."""
    made = []
    for name, types in (("soc", []), ("cert", []), ("dns", ["domain"])):
        endpoint, secret = services.endpoint_create(
            actor=world.partner.admin,
            agency=world.partner.agency,
            name=name,
            url=f"{scripted.url}/{name}",
            types=types,
        )
        made.append((endpoint, secret))
    return made


@pytest.fixture
def builds(monkeypatch):
    """The bundles built, counted."""
    made: list[dict] = []
    real = stix.bundle

    def counting(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(stix, "bundle", counting)
    return made


def _share(world, *values):
    inds = add(world.owner, *values)
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return inds


def test_endpoints_that_get_the_same_objects_share_one_message_built_once_signed_each_its_own(
    world, eu_agreement, endpoints, scripted, builds
):
    _share(world, ("domain", "c2.example"), ("domain", "drop.example"))
    deliveries = {d.endpoint_id: d for d in Delivery.objects.all()}
    results = delivery.attempt(sorted(d.pk for d in deliveries.values()))
    assert {status for _, status, _ in results} == {Delivery.Status.DELIVERED}
    assert len(builds) == 1 and len(scripted.seen) == 3
    assert len({request["body"] for request in scripted.seen}) == 1
    by_id = {r["headers"]["webhook-id"]: r for r in scripted.seen}
    for endpoint, secret in endpoints:
        message_id = deliveries[endpoint.pk].message_id
        request = by_id[message_id]
        assert webhooks.verify(secret, request["headers"], request["body"]) == message_id
        for other, other_secret in endpoints:
            if other != endpoint:
                with pytest.raises(webhooks.InvalidSignature):
                    webhooks.verify(other_secret, request["headers"], request["body"])


def test_endpoints_whose_filters_let_different_objects_through_get_different_messages(
    world, eu_agreement, endpoints, scripted, builds
):
    _share(world, ("domain", "c2.example"), ("ipv4", "192.0.2.70"))
    assert len(delivery.attempt(list(Delivery.objects.values_list("pk", flat=True)))) == 3
    assert len(builds) == 2
    by_id = {r["headers"]["webhook-id"]: json.loads(r["body"]) for r in scripted.seen}
    domains_only = Delivery.objects.get(endpoint=endpoints[2][0]).message_id
    assert [o["pattern"] for o in by_id[domains_only]["objects"]] == [
        "[domain-name:value = 'c2.example']"
    ]


def test_the_bundle_id_follows_the_objects_and_a_retry_sends_the_same_body_under_the_same_id(
    world, eu_agreement, endpoints, scripted
):
    scripted.script.extend([(500, {}), (200, {}), (200, {})])
    _share(world, ("domain", "c2.example"))
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    delivery.attempt(ids)
    failed = Delivery.objects.get(status=Delivery.Status.FAILING)
    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=failed.created_at)
    assert delivery.deliver(failed.pk) == Delivery.Status.DELIVERED
    first, retry = [r for r in scripted.seen if r["headers"]["webhook-id"] == failed.message_id]
    assert first["body"] == retry["body"]
    assert len({json.loads(r["body"])["id"] for r in scripted.seen}) == 1


def test_a_share_enqueues_the_deliveries_of_one_message_in_one_task(
    world, eu_agreement, endpoints, settings, monkeypatch
):
    settings.SHARING_DELIVERY_BATCH_SIZE = 2
    settings.SHARING_DELIVERIES_PER_TASK = 3
    sent: list[list[int]] = []
    monkeypatch.setattr("sharing.tasks.send_deliver", lambda ids, countdown=None: sent.append(ids))
    _share(world, *[("domain", f"c2-{n}.example") for n in range(4)])
    messages = {
        d.pk: tuple(d.items.values_list("indicator_id", flat=True)) for d in Delivery.objects.all()
    }
    enqueue_deliveries(sorted(messages))
    assert [len(ids) for ids in sent] == [3, 3]
    assert all(len({messages[pk] for pk in ids}) == 1 for ids in sent)


def test_a_new_version_of_an_object_gets_a_new_bundle_id(world, eu_agreement, endpoints):
    (ind,) = _share(world, ("domain", "c2.example"))
    sent = Delivery.objects.filter(items__indicator=ind).first()

    def bundle_id() -> str:
        return json.loads(delivery.build_payloads([sent])[sent.pk])["id"]

    first = bundle_id()
    assert bundle_id() == first
    Indicator.objects.filter(pk=ind.pk).update(modified=timezone.now())
    assert bundle_id() != first
