"""Indicator writes announced to their listeners (``signals.indicators_changed``: interop's
TAXII versions, correlation's matches): inside the writing transaction when they are few, else
after the commit from a task, chunk by chunk (``PendingAnnouncement``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common import lookups  # noqa: F401  (registers field__any)
from common.bulk import copy_rows
from sharing import signals
from sharing.models import Indicator, PendingAnnouncement
from sharing.tasks import enqueue_announcements


def indicators_announce(indicators: Sequence[Indicator], *, action: str) -> None:
    """Tell the listeners about ``action`` (created or updated) on these indicators.

    Up to ``INGEST_ANNOUNCE_INLINE_MAX`` indicators are announced at once, in the caller's
    transaction. More are written as ``PendingAnnouncement`` rows of ``INGEST_ANNOUNCE_CHUNK``
    ids, committed with the indicators, and announced by ``announce_step`` after the commit:
    their TAXII versions and correlation matches appear moments after the write.
    """
    if len(indicators) <= settings.INGEST_ANNOUNCE_INLINE_MAX:
        signals.indicators_changed.send(Indicator, indicators=list(indicators), action=action)
        return
    ids = [i.pk for i in indicators]
    chunk = max(1, int(settings.INGEST_ANNOUNCE_CHUNK))
    now = timezone.now()
    copy_rows(  # a COPY: inside an import it is sent while the import goes on
        PendingAnnouncement,
        ["action", "indicator_ids", "created_at"],
        [(action, ids[start : start + chunk], now) for start in range(0, len(ids), chunk)],
    )
    transaction.on_commit(enqueue_announcements)


def announce_step() -> bool:
    """Announce the oldest pending chunk no other worker holds and delete it, in one
    transaction; whether there was one.

    The chunk's indicators are read as they are now and locked (in id order) while their
    listeners run, so a concurrent update of one of them waits for this chunk, or this chunk
    for it; a crash rolls the listeners' writes back with the deletion, so each chunk is
    announced exactly once. Indicators deleted meanwhile are skipped.
    """
    with transaction.atomic():
        pending = (
            PendingAnnouncement.objects.select_for_update(skip_locked=True).order_by("pk").first()
        )
        if pending is None:
            return False
        indicators = list(
            Indicator.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk__any=pending.indicator_ids)
            .order_by("pk")
        )
        if indicators:
            signals.indicators_changed.send(Indicator, indicators=indicators, action=pending.action)
        pending.delete()
        return True


def announcements_due_for_sweep() -> bool:
    """Some chunk has waited past ``SHARING_SWEEP_GRACE``: its message was lost or its worker
    died."""
    idle = timezone.now() - timedelta(seconds=settings.SHARING_SWEEP_GRACE)
    return PendingAnnouncement.objects.filter(created_at__lt=idle).exists()
