"""``appends_at_end``: a long bulk write's audit events join the log when the write ends (so
the log's lock is held for its last moments only), in order, or not at all when it fails."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.models import AuditEvent
from audit.selectors import verify_log
from audit.services import appends_at_end, audit_log


def test_events_logged_inside_the_block_join_the_log_when_it_ends_in_order(world):
    before = AuditEvent.objects.count()
    with transaction.atomic(), appends_at_end():
        first = audit_log(actor=None, action="bulk.first", agency=world.owner.agency)
        second = audit_log(actor=None, action="bulk.second", agency=world.owner.agency)
        assert AuditEvent.objects.count() == before and first.pk is None
    actions = list(AuditEvent.objects.order_by("-id").values_list("action", flat=True)[:2])
    assert actions == ["bulk.second", "bulk.first"]
    assert second.leaf_index == first.leaf_index + 1 and second.created_at >= first.created_at
    assert verify_log() == (None, 0)


def test_a_block_that_raises_appends_nothing(world):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="write failed"), appends_at_end():
        audit_log(actor=None, action="bulk.lost", agency=world.owner.agency)
        raise RuntimeError("write failed")
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action="bulk.lost").exists()


def test_outside_a_block_an_event_is_appended_at_once(world):
    event = audit_log(actor=None, action="single", agency=world.owner.agency)
    assert AuditEvent.objects.filter(pk=event.pk, action="single").exists()
