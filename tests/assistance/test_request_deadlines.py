"""Deadlines come from the kind, the instrument and the urgency; extensions move them; a late
request is flagged overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assistance import deadlines, selectors, services
from assistance.models import AssistanceRequest, Instrument, Kind, Urgency
from assistance.tasks import expire_preservations
from tests.assistance.conftest import sent

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("instrument", "kind", "urgency", "expected"),
    [
        (Instrument.EPOC, Kind.PRODUCTION, Urgency.ROUTINE, 10 * DAY),
        (Instrument.EPOC, Kind.SUBSCRIBER, Urgency.URGENT, 10 * DAY),
        (Instrument.EPOC, Kind.PRODUCTION, Urgency.EMERGENCY, 8 * HOUR),
        (Instrument.EPOC_PR, Kind.PRESERVATION, Urgency.ROUTINE, 60 * DAY),
        (Instrument.EPOC_PR, Kind.PRESERVATION, Urgency.EMERGENCY, 60 * DAY),
        (Instrument.BUDAPEST_29, Kind.PRESERVATION, Urgency.ROUTINE, 60 * DAY),
        (Instrument.BILATERAL, Kind.PRESERVATION, Urgency.URGENT, 60 * DAY),
        (Instrument.BUDAPEST_31, Kind.PRODUCTION, Urgency.ROUTINE, 30 * DAY),
        (Instrument.BUDAPEST_31, Kind.PRODUCTION, Urgency.URGENT, 7 * DAY),
        (Instrument.PROTOCOL_9, Kind.EMERGENCY_DISCLOSURE, Urgency.EMERGENCY, 24 * HOUR),
        (Instrument.PROTOCOL_7, Kind.SUBSCRIBER, Urgency.ROUTINE, 30 * DAY),
        (Instrument.PROTOCOL_6, Kind.DOMAIN_REGISTRATION, Urgency.EMERGENCY, 24 * HOUR),
        (Instrument.BUDAPEST_30, Kind.TRAFFIC, Urgency.URGENT, 7 * DAY),
        (Instrument.JIT, Kind.OTHER, Urgency.ROUTINE, 30 * DAY),
    ],
)
def test_each_kind_instrument_and_urgency_has_its_deadline(instrument, kind, urgency, expected):
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    due = deadlines.due_at(start=start, instrument=instrument, kind=kind, urgency=urgency)
    assert due - start == expected


def test_the_settings_table_decides(settings):
    settings.ASSISTANCE_DEADLINES = {"*:*:*": 5, "epoc:*:*": 3}
    assert deadlines.deadline_hours(instrument="epoc", kind="production", urgency="routine") == 3
    assert deadlines.deadline_hours(instrument="jit", kind="other", urgency="urgent") == 5


def test_sending_an_epoc_in_an_emergency_gives_eight_hours(aw):
    request = sent(
        aw,
        kind=Kind.PRODUCTION,
        instrument=Instrument.EPOC,
        urgency=Urgency.EMERGENCY,
        emergency_justification="Threat to a child's life",
    )
    assert request.due_at - request.sent_at == 8 * HOUR


def test_preserving_starts_the_sixty_days_and_extending_an_epoc_pr_adds_thirty_once(aw):
    request = sent(aw, instrument=Instrument.EPOC_PR)
    request = services.request_preserve(actor=aw.liaison, request=request, reference="HB-1")
    assert request.preserved_until - request.preserved_at == 60 * DAY
    assert request.due_at == request.preserved_until
    request = services.request_extend(actor=aw.owner.investigator, request=request)
    assert request.preserved_until - request.preserved_at == 90 * DAY
    assert request.due_at == request.preserved_until
    assert request.extensions == 1


def test_a_budapest_preservation_is_extended_by_the_settings_period(aw):
    request = sent(aw)
    request = services.request_preserve(actor=aw.liaison, request=request, reference="HB-1")
    services.request_extend(actor=aw.owner.investigator, request=request)
    request = services.request_extend(actor=aw.owner.investigator, request=request)
    assert request.preserved_until - request.preserved_at == 180 * DAY
    assert request.extensions == 2


def test_a_request_past_its_deadline_is_overdue_and_an_answered_one_is_not(aw):
    late = sent(aw)
    AssistanceRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - HOUR)
    on_time = sent(aw)
    late.refresh_from_db()
    assert late.is_overdue and not on_time.is_overdue
    visible = selectors.requests_visible_to(user=aw.owner.investigator)
    assert {r.pk: r.overdue for r in visible} == {late.pk: True, on_time.pk: False}
    overdue = selectors.filter_requests(visible, overdue=True)
    assert list(overdue) == [late]
    services.request_refuse(actor=aw.liaison, request=late, grounds="data_unavailable")
    late.refresh_from_db()
    assert not late.is_overdue


def test_a_lapsed_preservation_expires(aw):
    request = sent(aw)
    request = services.request_preserve(actor=aw.liaison, request=request, reference="HB-1")
    assert services.requests_expire(now=timezone.now() + 61 * DAY) == 1
    request.refresh_from_db()
    assert request.status == "expired"
    assert request.closed_at is not None


def test_the_beat_schedule_runs_the_expiry_task_which_expires_lapsed_preservations(aw, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["assistance-expire-preservations"]
    assert entry["task"] == expire_preservations.name
    request = sent(aw)
    services.request_preserve(actor=aw.liaison, request=request, reference="HB-1")
    AssistanceRequest.objects.filter(pk=request.pk).update(preserved_until=timezone.now() - HOUR)
    assert expire_preservations.apply().get() == 1
    request.refresh_from_db()
    assert request.status == "expired"
    assert request.events.last().to_status == "expired"
