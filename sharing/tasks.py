"""Celery tasks for the delivery pipeline: thin wrappers over ``sharing.delivery``."""

from __future__ import annotations

import logging

from celery import current_app, shared_task
from django.conf import settings

from sharing import delivery

logger = logging.getLogger(__name__)


@shared_task(name="sharing.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_ids: list[int]) -> int:
    """One attempt at each of the deliveries; the failing ones get their retry scheduled."""
    results = delivery.attempt(delivery_ids)
    for delivery_id, _, retry_in in results:
        if retry_in is not None:
            schedule_retry(delivery_id, retry_in)
    return len(results)


@shared_task(
    name="sharing.fill_outbox", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def fill_outbox(fill_id: int) -> int:
    """Write a large share's remaining deliveries, chunk by chunk; the chunks written."""
    from sharing import outbox  # cycle: outbox enqueues through this module

    chunks = 0
    while outbox.fill_step(fill_id):
        chunks += 1
    return chunks


@shared_task(acks_late=True, ignore_result=True)
def sweep_deliveries() -> int:
    """Re-enqueue deliveries left pending past the grace period or held by a lost worker, and
    outbox fills left idle."""
    from sharing import outbox  # cycle: outbox enqueues through this module

    ids = delivery.due_for_sweep()
    enqueue_deliveries(ids)
    fills = outbox.fills_due_for_sweep()
    for fill_id in fills:
        enqueue_fill(fill_id)
    if ids or fills:
        logger.info("sweeper re-enqueued %d deliveries and %d fills", len(ids), len(fills))
    return len(ids) + len(fills)


@shared_task(
    name="sharing.announce_indicators",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def announce_indicators() -> int:
    """Announce a large ingest's pending chunks (any ingest's, oldest first); the chunks done."""
    from sharing import announce  # cycle: announce enqueues through this module

    chunks = 0
    while announce.announce_step():
        chunks += 1
    return chunks


@shared_task(name="sharing.sweep_announcements", acks_late=True, ignore_result=True)
def sweep_announcements() -> bool:
    """Re-enqueue the announcement of chunks a lost message or a killed worker left pending."""
    from sharing import announce  # cycle: announce enqueues through this module

    due = announce.announcements_due_for_sweep()
    if due:
        enqueue_announcements()
    return due


@shared_task(name="sharing.bulk_paste", acks_late=True, ignore_result=True)
def bulk_paste(job_id: str) -> int:
    """Run a large browser paste, storing its progress and report; the lines done."""
    from sharing import bulk  # cycle: bulk enqueues through this module

    return bulk.job_run(job_id)


def _queue() -> str | None:
    """The delivery queue, read when sending (a test or the bench picks its own);
    ``CELERY_TASK_ROUTES`` names the same for these tasks sent by name."""
    return settings.SHARING_DELIVERY_QUEUE or None


def send_deliver(delivery_ids: list[int], countdown: float | None = None) -> None:
    deliver.apply_async((delivery_ids,), countdown=countdown, queue=_queue())


def enqueue_fill(fill_id: int) -> None:
    """Called on commit; a lost message is healed by the sweeper (the fill row is the truth)."""
    try:
        fill_outbox.apply_async((fill_id,), queue=_queue())
    except Exception:  # broker down: the fill stays for the sweeper
        logger.exception("could not enqueue outbox fill %s; the sweeper will", fill_id)


def enqueue_announcements() -> None:
    """Called on commit; a lost message is healed by the sweeper (the pending rows are the
    truth)."""
    try:
        announce_indicators.apply_async()
    except Exception:  # broker down: the chunks stay pending for the sweeper
        logger.exception("could not enqueue pending announcements; the sweeper will")


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Called on commit: one task per ``SHARING_DELIVERIES_PER_TASK`` ids, in the given order
    (the outbox writes the deliveries of one message next to each other). A failure here is
    healed by the sweeper (the rows are the truth)."""
    size = max(1, int(settings.SHARING_DELIVERIES_PER_TASK))
    try:
        for start in range(0, len(delivery_ids), size):
            send_deliver(delivery_ids[start : start + size])
    except Exception:  # broker down: the outbox rows stay pending for the sweeper
        logger.exception("could not enqueue %d deliveries; the sweeper will", len(delivery_ids))


def schedule_retry(delivery_id: int, delay: float) -> None:
    # Eager mode (the embedded demo) would run the retry at once, inside this one;
    # there the sweeper or the retry-now button takes over.
    if current_app.conf.task_always_eager:
        return
    try:
        send_deliver([delivery_id], countdown=delay)
    except Exception:
        logger.exception("could not schedule retry of delivery %s; the sweeper will", delivery_id)
