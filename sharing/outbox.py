"""The delivery outbox: ``Delivery`` rows for entitled partner endpoints, tombstones, and
signed checkpoints for the endpoints that take them, written in the caller's transaction and
handed to the worker on commit. A large share writes its first chunk so, and the rest chunk
by chunk in a task (``OutboxFill``). A share's STIX objects travel like its indicators, after
them: same rules of entitlement, dedup and tombstones, each in its own ``DeliveryItem``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import TLP, Agency, PartnerEndpoint
from audit.models import SignedCheckpoint
from common.bulk import copy_rows
from sharing import stix
from sharing.models import (
    TLP_RANK,
    Delivery,
    DeliveryItem,
    Indicator,
    OutboxFill,
    Share,
    StixObject,
)
from sharing.permissions import (
    active_object_shares,
    active_shares,
    indicator_grants,
    passes_to_groups,
)
from sharing.tasks import enqueue_deliveries, enqueue_fill

Item = Indicator | StixObject


def _key(item: Item) -> tuple[bool, int]:
    """An item's identity in a plan: (is a STIX object, its id)."""
    return isinstance(item, StixObject), item.pk


def endpoint_accepts(endpoint: PartnerEndpoint, item: Item) -> bool:
    """The endpoint's filters let the item through: for an indicator its types, confidence and
    highest TLP; for a STIX object its object types and highest TLP (the indicator filters do
    not apply to objects)."""
    if isinstance(item, StixObject):
        wanted = not endpoint.object_types or item.type in endpoint.object_types
    else:
        wanted = (
            not endpoint.types or item.type in endpoint.types
        ) and item.confidence >= endpoint.min_confidence
    return (
        wanted
        and TLP_RANK[item.tlp] <= TLP_RANK[endpoint.max_tlp]
        and item.tlp not in (TLP.RED, TLP.AMBER_STRICT)
        and not item.revoked
    )


def fan_out(
    share: Share,
    indicators: Sequence[Indicator],
    agency_ids: set[int],
    objects: Sequence[StixObject] = (),
) -> list[int]:
    """Outbox rows: one Delivery per entitled endpoint (per batch), items not sent before;
    the indicators first, then the STIX objects."""
    endpoints = list(
        PartnerEndpoint.objects.filter(agency_id__in=agency_ids, active=True).exclude(
            agency_id=share.owner_id
        )
    )
    if not endpoints:
        return []
    already = set()
    if indicators:
        already |= {
            (endpoint_id, False, pk)
            for endpoint_id, pk in DeliveryItem.objects.filter(
                endpoint__in=endpoints, indicator__in=[i.pk for i in indicators], tombstone=False
            ).values_list("endpoint_id", "indicator_id")
        }
    if objects:
        already |= {
            (endpoint_id, True, pk)
            for endpoint_id, pk in DeliveryItem.objects.filter(
                endpoint__in=endpoints, stix_object__in=[o.pk for o in objects], tombstone=False
            ).values_list("endpoint_id", "stix_object_id")
        }
    items: list[Item] = [*indicators, *objects]
    plan = {
        endpoint: [
            i
            for i in items
            if endpoint_accepts(endpoint, i) and (endpoint.pk, *_key(i)) not in already
        ]
        for endpoint in endpoints
    }
    return _write(plan, share=share, tombstone=False)


def fan_out_first(
    share: Share,
    indicators: Sequence[Indicator],
    agency_ids: set[int],
    objects: Sequence[StixObject] = (),
) -> list[int]:
    """``fan_out`` of the first ``SHARING_OUTBOX_CHUNK`` items (indicators by id, then STIX
    objects by id) in the caller's transaction; the rest of the share's items go to an
    ``OutboxFill`` that a task works through after the commit."""
    chunk = max(1, int(settings.SHARING_OUTBOX_CHUNK))
    ordered = sorted(indicators, key=lambda indicator: indicator.pk)
    ordered_objects = sorted(objects, key=lambda stix_object: stix_object.pk)
    first_objects = ordered_objects[: max(0, chunk - len(ordered))]
    delivery_ids = fan_out(share, ordered[:chunk], agency_ids, first_objects)
    if len(ordered) + len(ordered_objects) > chunk:
        fill = OutboxFill.objects.create(
            share=share,
            agency_ids=sorted(agency_ids),
            after_indicator=ordered[min(chunk, len(ordered)) - 1].pk if ordered else 0,
            after_object=first_objects[-1].pk if first_objects else 0,
        )
        transaction.on_commit(lambda: enqueue_fill(fill.pk))
    return delivery_ids


def fill_step(fill_id: int) -> bool:
    """Write the deliveries of the fill's next chunk, and advance it, in one transaction;
    whether there is more. The share's row is locked (as a withdrawal locks it), so a share
    withdrawn meanwhile gets no more deliveries."""
    with transaction.atomic():
        fill = (
            OutboxFill.objects.select_for_update(skip_locked=True)
            .filter(pk=fill_id, done=False)
            .first()
        )
        if fill is None:
            return False
        share = Share.objects.select_for_update().get(pk=fill.share_id)
        size = max(1, int(settings.SHARING_OUTBOX_CHUNK))
        chunk: list[Indicator] = []
        objects: list[StixObject] = []
        if share.withdrawn_at is None:
            chunk = list(
                share.indicators.filter(pk__gt=fill.after_indicator)
                .select_related("owner")
                .order_by("pk")[:size]
            )
            if not chunk:  # the indicators are done: the STIX objects follow
                objects = list(
                    share.stix_objects.filter(pk__gt=fill.after_object)
                    .select_related("owner")
                    .order_by("pk")[:size]
                )
        fill.updated_at = timezone.now()
        if not chunk and not objects:
            fill.done = True
            fill.save(update_fields=["done", "updated_at"])
            return False
        enqueue_on_commit(fan_out(share, chunk, set(fill.agency_ids), objects))
        if chunk:
            fill.after_indicator = chunk[-1].pk
            fill.save(update_fields=["after_indicator", "updated_at"])
        else:
            fill.after_object = objects[-1].pk
            fill.save(update_fields=["after_object", "updated_at"])
        return True


def fills_due_for_sweep() -> list[int]:
    """Fills idle past the grace period: their message was lost or their worker died."""
    idle = timezone.now() - timedelta(seconds=settings.SHARING_SWEEP_GRACE)
    return list(
        OutboxFill.objects.filter(done=False, updated_at__lt=idle).values_list("pk", flat=True)
    )


def _write(
    plan: dict[PartnerEndpoint, list[Item]], *, share: Share | None, tombstone: bool
) -> list[int]:
    """Write the plan's deliveries and items; their ids, the deliveries of the same batch of
    items to different endpoints next to each other, so that the tasks which take the ids in
    order build each message once for all of them."""
    batch = max(1, int(settings.SHARING_DELIVERY_BATCH_SIZE))
    audiences: dict[tuple[tuple[bool, int], ...], list[PartnerEndpoint]] = defaultdict(list)
    for endpoint, items in plan.items():
        audiences[tuple(_key(i) for i in items)].append(endpoint)
    deliveries: list[Delivery] = []
    chunks: list[list[Item]] = []
    for endpoints in audiences.values():
        items = plan[endpoints[0]]
        for start in range(0, len(items), batch):
            for endpoint in endpoints:
                deliveries.append(Delivery(endpoint=endpoint, share=share))
                chunks.append(items[start : start + batch])
    if not deliveries:
        return []
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    copy_rows(
        DeliveryItem,
        ["delivery", "endpoint", "indicator", "stix_object", "tombstone"],
        (
            (d.pk, d.endpoint_id, *_columns(i), tombstone)
            for d, chunk in zip(deliveries, chunks, strict=True)
            for i in chunk
        ),
    )
    return [d.pk for d in deliveries]


def _columns(item: Item) -> tuple[int | None, int | None]:
    """An item's (indicator, stix_object) columns: exactly one is set."""
    return (None, item.pk) if isinstance(item, StixObject) else (item.pk, None)


def checkpoint_fan_out(checkpoint: SignedCheckpoint) -> list[int]:
    """One Delivery of the checkpoint per active endpoint that receives checkpoints (the
    indicator filters do not apply), unless it already has one."""
    endpoints = PartnerEndpoint.objects.filter(active=True, receives_checkpoints=True).exclude(
        deliveries__checkpoint=checkpoint
    )
    deliveries = Delivery.objects.bulk_create(
        [Delivery(endpoint=endpoint, checkpoint=checkpoint) for endpoint in endpoints]
    )
    return [d.pk for d in deliveries]


def push_checkpoint(sender: object, *, checkpoint: SignedCheckpoint, **kwargs: object) -> None:
    """Receiver of ``audit.signals.checkpoint_signed``: write the outbox rows, send on commit."""
    enqueue_on_commit(checkpoint_fan_out(checkpoint))


def enqueue_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda: enqueue_deliveries(delivery_ids))


def _entitled_agency_ids(
    item: Item, shares: Sequence[Share], cache: dict[int, set[int]]
) -> set[int]:
    groups, _ = indicator_grants(item, shares, cache)
    # A jurisdiction's grant reaches its agencies but not its service providers (whose members
    # are in no jurisdiction group), so neither do the pushes.
    through_jurisdiction = (
        Q(country__group_id__in=groups) | Q(country__regimes__group_id__in=groups)
    ) & ~Q(kind=Agency.Kind.SERVICE_PROVIDER)
    return set(
        Agency.objects.filter(Q(group_id__in=groups) | through_jurisdiction).values_list(
            "pk", flat=True
        )
    )


def _sent_items(
    indicators: Sequence[Indicator], objects: Sequence[StixObject], *, tombstone: bool
) -> list[tuple[int, int, int, bool, int]]:
    """(item, delivery, endpoint, is a STIX object, its id) of the items (or tombstones) of
    these indicators and objects: a withdrawn share may have N × R items, so no model instance
    per item."""
    rows: list[tuple[int, int, int, bool, int]] = []
    if indicators:
        rows += [
            (pk, delivery_id, endpoint_id, False, indicator_id)
            for pk, delivery_id, endpoint_id, indicator_id in DeliveryItem.objects.filter(
                indicator_id__in=[i.pk for i in indicators], tombstone=tombstone
            ).values_list("pk", "delivery_id", "endpoint_id", "indicator_id")
        ]
    if objects:
        rows += [
            (pk, delivery_id, endpoint_id, True, object_id)
            for pk, delivery_id, endpoint_id, object_id in DeliveryItem.objects.filter(
                stix_object_id__in=[o.pk for o in objects], tombstone=tombstone
            ).values_list("pk", "delivery_id", "endpoint_id", "stix_object_id")
        ]
    return rows


def tombstones(
    indicators: Sequence[Indicator], *, keep_entitled: bool, objects: Sequence[StixObject] = ()
) -> list[int]:
    """Cancel unsent items and queue tombstones to endpoints that got the indicator or STIX
    object: a version with ``revoked: true`` of what STIX versions, and for a cyber observable
    or a marking definition, which STIX gives no versions, a withdrawal of its id
    (``delivery.withdrawal_payload``), in deliveries of their own.

    With ``keep_entitled`` (a share withdrawn) endpoints still entitled through another
    share keep the item; revocation (``keep_entitled=False``) tombstones everywhere.
    """
    items = _sent_items(indicators, objects, tombstone=False)
    if not items:
        return []
    endpoints = PartnerEndpoint.objects.in_bulk({endpoint_id for _, _, endpoint_id, _, _ in items})
    tombstoned = {
        (endpoint_id, is_object, pk)
        for _, _, endpoint_id, is_object, pk in _sent_items(indicators, objects, tombstone=True)
    }
    shares: dict[tuple[bool, int], list[Share]] = {}
    if keep_entitled:
        for pk, found in active_shares([i.pk for i in indicators]).items():
            shares[False, pk] = found
        for pk, found in active_object_shares([o.pk for o in objects]).items():
            shares[True, pk] = found
    cache: dict[int, set[int]] = {}
    entitled: dict[tuple[bool, int], set[int]] = {}
    # Items with the same owner, the same active shares and the same answer to
    # ``passes_to_groups`` have the same entitled agencies: one query per such audience,
    # not per item (a withdrawn share's items usually share one or two).
    by_audience: dict[tuple[int, bool, frozenset[int]], set[int]] = {}
    everything: list[Item] = [*indicators, *objects]
    by_key = {_key(i): i for i in everything}
    # Lock the deliveries involved so a worker cannot claim one under us; in id order, as the
    # worker locks them.
    locked = {
        d.pk: d
        for d in Delivery.objects.select_for_update()
        .filter(pk__in={delivery_id for _, delivery_id, _, _, _ in items})
        .order_by("pk")
    }
    plan: dict[PartnerEndpoint, list[Item]] = defaultdict(list)
    withdrawn: dict[PartnerEndpoint, list[Item]] = defaultdict(list)
    cancel: list[int] = []
    for item_id, delivery_id, endpoint_id, is_object, pk in items:
        key = (is_object, pk)
        item, endpoint = by_key[key], endpoints[endpoint_id]
        if keep_entitled:
            if key not in entitled:
                its_shares = shares.get(key, [])
                audience = (
                    item.owner.group_id,
                    passes_to_groups(item),
                    frozenset(s.pk for s in its_shares),
                )
                if audience not in by_audience:
                    by_audience[audience] = _entitled_agency_ids(item, its_shares, cache)
                entitled[key] = by_audience[audience]
            if endpoint.agency_id in entitled[key] and endpoint_accepts(endpoint, item):
                continue
        if (endpoint_id, *key) in tombstoned:
            continue
        delivery = locked[delivery_id]
        if delivery.status == Delivery.Status.PENDING and delivery.attempts == 0:
            cancel.append(item_id)  # never left the building: no tombstone needed
        elif isinstance(item, StixObject) and not stix.has_versions(item.body):
            withdrawn[endpoint].append(item)
        else:
            plan[endpoint].append(item)
    if cancel:
        DeliveryItem.objects.filter(pk__in=cancel).delete()
        Delivery.objects.filter(pk__in=locked.keys(), items__isnull=True).delete()
    # A revoked version and a withdrawal by id are different messages: never one delivery.
    return _write(dict(plan), share=None, tombstone=True) + _write(
        dict(withdrawn), share=None, tombstone=True
    )
