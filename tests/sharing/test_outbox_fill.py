"""A large share commits its first chunk of deliveries with itself, so pushes leave at once;
the rest is written chunk by chunk after the commit, each chunk with its cursor, and nothing is
lost or written twice when the task crashes, its message is lost or the share is withdrawn."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sharing import outbox, services
from sharing.models import DeliveryItem, OutboxFill
from sharing.tasks import fill_outbox, sweep_deliveries
from tests.sharing.conftest import add


@pytest.fixture
def chunked(settings):
    settings.SHARING_OUTBOX_CHUNK = 4
    settings.SHARING_DELIVERY_BATCH_SIZE = 2


def _share(world, count: int):
    indicators = add(world.owner, *[("ipv4", f"203.0.113.{n}") for n in range(count)])
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return share, indicators


def _sent(endpoint) -> list[int]:
    items = DeliveryItem.objects.filter(endpoint=endpoint, tombstone=False)
    return sorted(items.values_list("indicator_id", flat=True))


def test_the_share_commits_its_first_chunk_and_the_task_writes_the_rest(
    world, eu_agreement, partner_endpoint, chunked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        share, indicators = _share(world, 10)
    ids = sorted(i.pk for i in indicators)
    assert _sent(partner_endpoint) == ids[:4]
    fill = OutboxFill.objects.get(share=share)
    assert (fill.after_indicator, fill.done) == (ids[3], False)
    assert len(callbacks) >= 2  # the first deliveries, and the fill
    assert fill_outbox.apply(args=(fill.pk,)).get() == 2  # two more chunks: 4 + 2
    assert _sent(partner_endpoint) == ids
    fill.refresh_from_db()
    assert fill.done
    assert partner_endpoint.deliveries.count() == 5  # batches of 2 per chunk


def test_a_small_share_writes_everything_at_once(world, eu_agreement, partner_endpoint, chunked):
    share, indicators = _share(world, 4)
    assert _sent(partner_endpoint) == sorted(i.pk for i in indicators)
    assert not OutboxFill.objects.filter(share=share).exists()


def test_a_crashed_fill_keeps_its_committed_chunks_and_resumes_without_duplicates(
    world, eu_agreement, partner_endpoint, chunked, monkeypatch
):
    share, indicators = _share(world, 12)
    fill = OutboxFill.objects.get(share=share)
    real_fan_out, calls = outbox.fan_out, []

    def crash_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_fan_out(*args, **kwargs)

    monkeypatch.setattr(outbox, "fan_out", crash_on_the_second_chunk)
    with pytest.raises(RuntimeError, match="worker lost"):
        fill_outbox.apply(args=(fill.pk,)).get()
    ids = sorted(i.pk for i in indicators)
    assert _sent(partner_endpoint) == ids[:8]  # the first chunk and the fill's first one
    OutboxFill.objects.filter(pk=fill.pk).update(updated_at=timezone.now().replace(year=2000))
    assert fill.pk in outbox.fills_due_for_sweep()
    assert sweep_deliveries.apply().get() >= 1  # re-enqueued; a worker would run it:
    fill_outbox.apply(args=(fill.pk,)).get()
    assert _sent(partner_endpoint) == ids
    fill.refresh_from_db()
    assert fill.done and fill.pk not in outbox.fills_due_for_sweep()


def test_a_share_withdrawn_before_its_fill_gets_no_more_deliveries(
    world, eu_agreement, partner_endpoint, chunked
):
    share, indicators = _share(world, 10)
    services.share_withdraw(actor=world.owner.investigator, share=share)
    fill = OutboxFill.objects.get(share=share)
    assert fill_outbox.apply(args=(fill.pk,)).get() == 0
    fill.refresh_from_db()
    assert fill.done
    # The withdrawal cancelled the first chunk's unsent items; the fill wrote none after it.
    assert _sent(partner_endpoint) == []
    assert len(indicators) == 10
