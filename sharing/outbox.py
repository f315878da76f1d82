"""The delivery outbox: ``Delivery`` rows for entitled partner endpoints, tombstones, and
signed checkpoints for the endpoints that take them, written in the caller's transaction and
handed to the worker on commit. A large share writes its first chunk so, and the rest chunk
by chunk in a task (``OutboxFill``)."""

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
from sharing.models import TLP_RANK, Delivery, DeliveryItem, Indicator, OutboxFill, Share
from sharing.permissions import active_shares, indicator_grants, passes_to_groups
from sharing.tasks import enqueue_deliveries, enqueue_fill


def endpoint_accepts(endpoint: PartnerEndpoint, indicator: Indicator) -> bool:
    """The endpoint's filters (types, confidence, highest TLP) let the indicator through."""
    return (
        (not endpoint.types or indicator.type in endpoint.types)
        and indicator.confidence >= endpoint.min_confidence
        and TLP_RANK[indicator.tlp] <= TLP_RANK[endpoint.max_tlp]
        and indicator.tlp not in (TLP.RED, TLP.AMBER_STRICT)
        and not indicator.revoked
    )


def fan_out(share: Share, indicators: Sequence[Indicator], agency_ids: set[int]) -> list[int]:
    """Outbox rows: one Delivery per entitled endpoint (per batch), items not sent before."""
    endpoints = list(
        PartnerEndpoint.objects.filter(agency_id__in=agency_ids, active=True).exclude(
            agency_id=share.owner_id
        )
    )
    if not endpoints:
        return []
    already = set(
        DeliveryItem.objects.filter(
            endpoint__in=endpoints, indicator__in=[i.pk for i in indicators], tombstone=False
        ).values_list("endpoint_id", "indicator_id")
    )
    plan = {
        endpoint: [
            i
            for i in indicators
            if endpoint_accepts(endpoint, i) and (endpoint.pk, i.pk) not in already
        ]
        for endpoint in endpoints
    }
    return _write(plan, share=share, tombstone=False)


def fan_out_first(share: Share, indicators: Sequence[Indicator], agency_ids: set[int]) -> list[int]:
    """``fan_out`` of the first ``SHARING_OUTBOX_CHUNK`` indicators (by id) in the caller's
    transaction; the rest of the share's indicators go to an ``OutboxFill`` that a task works
    through after the commit."""
    chunk = max(1, int(settings.SHARING_OUTBOX_CHUNK))
    ordered = sorted(indicators, key=lambda indicator: indicator.pk)
    delivery_ids = fan_out(share, ordered[:chunk], agency_ids)
    if len(ordered) > chunk:
        fill = OutboxFill.objects.create(
            share=share, agency_ids=sorted(agency_ids), after_indicator=ordered[chunk - 1].pk
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
        chunk: list[Indicator] = []
        if share.withdrawn_at is None:
            chunk = list(
                share.indicators.filter(pk__gt=fill.after_indicator)
                .select_related("owner")
                .order_by("pk")[: max(1, int(settings.SHARING_OUTBOX_CHUNK))]
            )
        fill.updated_at = timezone.now()
        if not chunk:
            fill.done = True
            fill.save(update_fields=["done", "updated_at"])
            return False
        enqueue_on_commit(fan_out(share, chunk, set(fill.agency_ids)))
        fill.after_indicator = chunk[-1].pk
        fill.save(update_fields=["after_indicator", "updated_at"])
        return True


def fills_due_for_sweep() -> list[int]:
    """Fills idle past the grace period: their message was lost or their worker died."""
    idle = timezone.now() - timedelta(seconds=settings.SHARING_SWEEP_GRACE)
    return list(
        OutboxFill.objects.filter(done=False, updated_at__lt=idle).values_list("pk", flat=True)
    )


def _write(
    plan: dict[PartnerEndpoint, list[Indicator]], *, share: Share | None, tombstone: bool
) -> list[int]:
    """Write the plan's deliveries and items; their ids, the deliveries of the same batch of
    items to different endpoints next to each other, so that the tasks which take the ids in
    order build each message once for all of them."""
    batch = max(1, int(settings.SHARING_DELIVERY_BATCH_SIZE))
    audiences: dict[tuple[int, ...], list[PartnerEndpoint]] = defaultdict(list)
    for endpoint, items in plan.items():
        audiences[tuple(i.pk for i in items)].append(endpoint)
    deliveries: list[Delivery] = []
    chunks: list[list[Indicator]] = []
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
        ["delivery", "endpoint", "indicator", "tombstone"],
        (
            (d.pk, d.endpoint_id, i.pk, tombstone)
            for d, chunk in zip(deliveries, chunks, strict=True)
            for i in chunk
        ),
    )
    return [d.pk for d in deliveries]


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
    indicator: Indicator, shares: Sequence[Share], cache: dict[int, set[int]]
) -> set[int]:
    groups, _ = indicator_grants(indicator, shares, cache)
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


def tombstones(indicators: Sequence[Indicator], *, keep_entitled: bool) -> list[int]:
    """Cancel unsent items and queue tombstones to endpoints that got the object.

    With ``keep_entitled`` (a share withdrawn) endpoints still entitled through another
    share keep the indicator; revocation (``keep_entitled=False``) tombstones everywhere.
    """
    ids = [i.pk for i in indicators]
    # (item, delivery, endpoint, indicator) ids: a withdrawn share may have N × R items, so
    # no model instance per item; the few endpoints are loaded once.
    items = list(
        DeliveryItem.objects.filter(indicator_id__in=ids, tombstone=False).values_list(
            "pk", "delivery_id", "endpoint_id", "indicator_id"
        )
    )
    if not items:
        return []
    endpoints = PartnerEndpoint.objects.in_bulk({endpoint_id for _, _, endpoint_id, _ in items})
    tombstoned = set(
        DeliveryItem.objects.filter(indicator_id__in=ids, tombstone=True).values_list(
            "endpoint_id", "indicator_id"
        )
    )
    shares = active_shares(ids) if keep_entitled else {}
    cache: dict[int, set[int]] = {}
    entitled: dict[int, set[int]] = {}
    # Indicators with the same owner, the same active shares and the same answer to
    # ``passes_to_groups`` have the same entitled agencies: one query per such audience,
    # not per indicator (a withdrawn share's indicators usually share one or two).
    by_audience: dict[tuple[int, bool, frozenset[int]], set[int]] = {}
    by_pk = {i.pk: i for i in indicators}
    # Lock the deliveries involved so a worker cannot claim one under us; in id order, as the
    # worker locks them.
    locked = {
        d.pk: d
        for d in Delivery.objects.select_for_update()
        .filter(pk__in={delivery_id for _, delivery_id, _, _ in items})
        .order_by("pk")
    }
    plan: dict[PartnerEndpoint, list[Indicator]] = defaultdict(list)
    cancel: list[int] = []
    for item_id, delivery_id, endpoint_id, indicator_id in items:
        indicator, endpoint = by_pk[indicator_id], endpoints[endpoint_id]
        if keep_entitled:
            if indicator.pk not in entitled:
                its_shares = shares.get(indicator.pk, [])
                audience = (
                    indicator.owner.group_id,
                    passes_to_groups(indicator),
                    frozenset(s.pk for s in its_shares),
                )
                if audience not in by_audience:
                    by_audience[audience] = _entitled_agency_ids(indicator, its_shares, cache)
                entitled[indicator.pk] = by_audience[audience]
            if endpoint.agency_id in entitled[indicator.pk] and endpoint_accepts(
                endpoint, indicator
            ):
                continue
        if (endpoint_id, indicator.pk) in tombstoned:
            continue
        delivery = locked[delivery_id]
        if delivery.status == Delivery.Status.PENDING and delivery.attempts == 0:
            cancel.append(item_id)  # never left the building: no tombstone needed
        else:
            plan[endpoint].append(indicator)
    if cancel:
        DeliveryItem.objects.filter(pk__in=cancel).delete()
        Delivery.objects.filter(pk__in=locked.keys(), items__isnull=True).delete()
    return _write(dict(plan), share=None, tombstone=True)
