"""Events recorded without the log's lock (correlation lookups): concurrent callers never wait
for each other, and the sequencer appends every committed event to the log, in order, once."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from audit.models import AuditEvent, PendingAuditEvent
from audit.selectors import verify_log
from audit.services import audit_log, audit_log_deferred, sequence_pending
from audit.tasks import sequence_pending_events


def _held_open(record, started: threading.Event, release: threading.Event) -> threading.Thread:
    """A thread that records an event and keeps its transaction open until ``release``."""

    def run() -> None:
        try:
            with transaction.atomic():
                record(actor=None, action="test.held", object_type="t", object_id="held")
                started.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    started.wait(10)
    return thread


def _finishes_within(record, seconds: float, others: list[threading.Thread]) -> bool:
    """Whether another transaction recording an event commits within ``seconds``."""
    done = threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                record(actor=None, action="test.other", object_type="t", object_id="other")
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    others.append(thread)
    return done.wait(seconds)


@pytest.mark.django_db(transaction=True)
def test_a_deferred_event_does_not_wait_for_an_open_transaction_that_logged():
    assert connection.vendor == "postgresql"
    started, release = threading.Event(), threading.Event()
    holder = _held_open(audit_log_deferred, started, release)
    others: list[threading.Thread] = []
    try:
        assert _finishes_within(audit_log_deferred, 3, others)
    finally:
        release.set()
        for thread in [holder, *others]:
            thread.join()
    assert PendingAuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_locked_append_does_wait_for_it_which_is_what_deferral_avoids():
    started, release = threading.Event(), threading.Event()
    holder = _held_open(audit_log, started, release)
    others: list[threading.Thread] = []
    try:
        assert not _finishes_within(audit_log, 1, others)
    finally:
        release.set()
        for thread in [holder, *others]:
            thread.join()
    assert AuditEvent.objects.filter(action__in=["test.held", "test.other"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_pending_events_enter_the_log_in_order_once_and_the_log_verifies():
    audit_log(actor=None, action="test.before", object_type="t", object_id="0")
    for n in range(3):
        audit_log_deferred(actor=None, action="test.lookup", object_type="t", object_id=str(n))
    recorded = list(PendingAuditEvent.objects.values_list("created_at", flat=True))
    assert sequence_pending_events.apply().get() == 3
    assert sequence_pending() == 0
    appended = AuditEvent.objects.filter(action="test.lookup").order_by("leaf_index")
    assert [e.object_id for e in appended] == ["0", "1", "2"]
    assert [e.created_at for e in appended] == recorded
    assert [e.leaf_index for e in appended] == [1, 2, 3]
    assert not PendingAuditEvent.objects.exists()
    assert verify_log() == (None, 0)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_caller_leaves_no_event():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log_deferred(actor=None, action="test.lookup", object_type="t", object_id="x")
        raise RuntimeError("the lookup failed")
    assert sequence_pending() == 0


def test_beat_sequences_pending_events_every_few_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-sequence-pending"]
    assert entry["task"] == sequence_pending_events.name and entry["schedule"] <= 10
