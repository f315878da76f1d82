"""The worker's multi-claim: several due deliveries in one statement, never the same row twice,
and no stored message (it is rebuilt from the frozen items at each attempt)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sharing import delivery, services
from sharing.models import Delivery, DeliveryAttempt
from tests.sharing.conftest import add


def _deliveries(world, partner_endpoint, settings, count: int) -> list[int]:
    """``count`` pending deliveries to the partner's endpoint, one indicator each."""
    settings.SHARING_DELIVERY_BATCH_SIZE = 1
    inds = add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(count)])
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def test_a_claim_takes_every_due_delivery_in_one_update_under_one_claim_and_lease(
    world, eu_agreement, partner_endpoint, settings
):
    ids = _deliveries(world, partner_endpoint, settings, 5)
    Delivery.objects.filter(pk=ids[0]).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    Delivery.objects.filter(pk=ids[1]).update(status=Delivery.Status.DELIVERED)
    with CaptureQueriesContext(connection) as queries:
        claimed = delivery.claim(ids)
    updates = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "WITH"))
    ]
    assert len(updates) == 1 and "SKIP LOCKED" in updates[0] and "RETURNING" in updates[0]
    assert [d.pk for d in claimed] == ids[2:]
    rows = Delivery.objects.filter(pk__in=ids[2:])
    assert {(d.status, d.attempts) for d in rows} == {(Delivery.Status.SENDING, 1)}
    assert len({d.claim for d in rows}) == 1 and None not in {d.lease_until for d in rows}
    assert delivery.claim(ids) == []  # held under a lease now


def test_the_portable_claim_of_the_sqlite_demo_takes_the_same_rows(
    world, eu_agreement, partner_endpoint, settings, monkeypatch
):
    ids = _deliveries(world, partner_endpoint, settings, 4)
    Delivery.objects.filter(pk=ids[0]).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    claimed = delivery.claim(ids)
    assert [d.pk for d in claimed] == ids[1:]
    assert {(d.status, d.attempts) for d in claimed} == {(Delivery.Status.SENDING, 1)}
    assert delivery.claim(ids) == []


def test_a_claim_takes_back_rows_whose_lease_expired_and_records_the_lost_attempt(
    world, eu_agreement, partner_endpoint, settings
):
    ids = _deliveries(world, partner_endpoint, settings, 3)
    first = {d.pk: d.claim for d in delivery.claim(ids)}
    Delivery.objects.filter(pk=ids[0]).update(lease_until=timezone.now() - timedelta(seconds=1))
    (again,) = delivery.claim(ids)
    assert again.pk == ids[0] and again.attempts == 2 and again.claim != first[ids[0]]
    (lost,) = DeliveryAttempt.objects.filter(delivery_id=ids[0])
    assert lost.number == 1 and "Worker lost" in lost.error


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claimers_never_take_the_same_delivery(
    world, eu_agreement, partner_endpoint, settings
):
    ids = _deliveries(world, partner_endpoint, settings, 12)
    holding, release = threading.Event(), threading.Event()
    taken: dict[str, list[int]] = {}

    def first() -> None:
        # Holds its rows locked (claimed, not committed) while the second worker claims.
        try:
            with transaction.atomic():
                taken["first"] = [d.pk for d in delivery.claim(ids[:6])]
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    taken["second"] = [d.pk for d in delivery.claim(ids)]
    release.set()
    thread.join(10)
    assert taken["first"] == ids[:6] and taken["second"] == ids[6:]

    # Now racing for real, many rounds: the union is everything, the intersection nothing.
    Delivery.objects.update(status=Delivery.Status.PENDING, claim=None, lease_until=None)
    barrier = threading.Barrier(2)
    rounds: dict[int, list[list[int]]] = {0: [], 1: []}

    def race(n: int) -> None:
        try:
            for _ in range(5):
                barrier.wait(10)
                rounds[n].append([d.pk for d in delivery.claim(ids)])
                barrier.wait(10)
                if n == 0:
                    Delivery.objects.update(status=Delivery.Status.PENDING, lease_until=None)
                barrier.wait(10)
        finally:
            connections.close_all()

    racers = [threading.Thread(target=race, args=(n,)) for n in (0, 1)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    for one, two in zip(rounds[0], rounds[1], strict=True):
        assert not set(one) & set(two) and sorted(one + two) == ids


def test_the_message_is_not_stored_in_the_delivery_row(world, eu_agreement, partner_endpoint):
    assert "payload" not in {field.name for field in Delivery._meta.get_fields()}
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, Delivery._meta.db_table)
    assert "payload" not in {column.name for column in columns}


def test_a_delivery_attempted_once_gets_a_tombstone_and_one_never_attempted_is_cancelled(
    world, eu_agreement, scripted
):
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="ep", url=scripted.url
    )
    scripted.script.append((500, {}))
    tried, untried = add(world.owner, ("ipv4", "192.0.2.41"), ("ipv4", "192.0.2.42"))
    for ind in (tried, untried):
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )
    failed = Delivery.objects.get(items__indicator=tried)
    assert delivery.deliver(failed.pk) == Delivery.Status.FAILING
    for ind in (tried, untried):
        services.indicator_revoke(actor=world.owner.investigator, indicator=ind)
    assert not Delivery.objects.filter(items__indicator=untried).exists()
    tombstone = Delivery.objects.get(items__indicator=tried, items__tombstone=True)
    assert tombstone.status == Delivery.Status.PENDING and tombstone.endpoint == endpoint


@pytest.mark.django_db(transaction=True)
def test_a_round_longer_than_the_lease_keeps_its_claim_while_the_worker_lives(
    world, eu_agreement, partner_endpoint, settings, monkeypatch
):
    ids = _deliveries(world, partner_endpoint, settings, 2)
    settings.SHARING_DELIVERY_LEASE = 1
    real_send = delivery.send

    def slow_send(d, body):
        time.sleep(1.5)  # past the lease: only its renewal keeps the rows from another worker
        try:
            assert delivery.claim(ids) == []
        finally:
            connection.close()  # this sender thread's own connection
        return real_send(d, body)

    monkeypatch.setattr(delivery, "send", slow_send)
    results = delivery.attempt(ids)
    assert [status for _, status, _ in results] == [Delivery.Status.DELIVERED] * 2
    assert DeliveryAttempt.objects.filter(delivery_id__in=ids).count() == 2
