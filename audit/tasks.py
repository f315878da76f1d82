"""Celery task: sign a checkpoint when the log grew (beat, TRANSPARENCY_CHECKPOINT_INTERVAL)."""

from __future__ import annotations

import logging

from celery import shared_task

from audit import checkpoints, log, services

logger = logging.getLogger(__name__)


@shared_task(name="audit.sign_checkpoint", ignore_result=True)
def sign_checkpoint() -> int | None:
    """The signed tree size; None when there is nothing new or no key. A refusal (the log
    does not extend the last signed checkpoint) is logged as critical: someone rewrote it."""
    if not checkpoints.key_path().exists():
        logger.warning("transparency log: no signing key yet, no checkpoint signed")
        return None
    last = checkpoints.last_signed()
    if last is not None and log.tree_size() == last.size:
        return None
    try:
        return checkpoints.checkpoint_sign().tree_size
    except checkpoints.CheckpointRefused as refusal:
        logger.critical("transparency log: %s", refusal)
        return None


@shared_task(name="audit.sequence_pending_events", ignore_result=True)
def sequence_pending_events() -> int:
    """Append the events recorded without the lock (queued on their commit; beat as a net)."""
    total = 0
    while appended := services.sequence_pending():
        total += appended
    return total
