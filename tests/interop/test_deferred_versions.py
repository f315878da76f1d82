"""A large ingest commits its indicators with a pending marker and nothing else; a task then
writes their TAXII versions and correlation matches chunk by chunk, exactly once each, through
crashes, lost messages, later updates, revocations and shares."""

from __future__ import annotations

import pytest
from celery import current_app
from django.utils import timezone

from interop import versions
from interop.models import ObjectVersion
from sharing import announce, services
from sharing.ingest import indicators_ingest
from sharing.models import Indicator, Match, PendingAnnouncement
from sharing.tasks import announce_indicators, sweep_announcements


@pytest.fixture(autouse=True)
def small_lists_are_large(settings):
    settings.INGEST_ANNOUNCE_INLINE_MAX = 3
    settings.INGEST_ANNOUNCE_CHUNK = 2


def _items(count: int, **extra) -> list[dict]:
    return [{"type": "ipv4", "value": f"198.51.100.{n}", **extra} for n in range(count)]


def _ingest(side, items: list[dict]):
    report = indicators_ingest(actor=side.investigator, agency=side.agency, items=items)
    assert not report.errors, report.errors
    return report


def _versions(indicators) -> list[tuple[int, str, bool]]:
    rows = ObjectVersion.objects.filter(indicator__in=indicators).order_by("date_added", "id")
    return list(rows.values_list("indicator_id", "modified", "is_latest"))


def test_a_large_ingest_leaves_pending_chunks_and_no_versions_until_the_task_runs(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        created = _ingest(world.owner, _items(5)).created
    assert len(callbacks) == 1  # the task, enqueued on commit
    assert sorted(PendingAnnouncement.objects.values_list("action", flat=True)) == ["created"] * 3
    assert not ObjectVersion.objects.exists()

    assert announce_indicators.apply().get() == 3

    assert not PendingAnnouncement.objects.exists()
    stored = {i.pk: i.modified for i in created}
    rows = _versions(created)
    assert sorted(r[0] for r in rows) == sorted(stored)  # exactly one each
    assert all(is_latest and modified == stored[pk] for pk, modified, is_latest in rows)
    added = list(ObjectVersion.objects.order_by("id").values_list("date_added", flat=True))
    assert added == sorted(added) and len(set(added)) == len(added)


@pytest.fixture
def eager_celery():
    """Celery as in the embedded demo: a task enqueued runs at once, in-process."""
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = eager


def test_with_eager_celery_the_versions_are_there_when_the_commit_returns(
    world, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = _ingest(world.owner, _items(5)).created
    assert not PendingAnnouncement.objects.exists()
    assert len(_versions(created)) == 5


def test_a_small_ingest_still_records_its_versions_in_its_own_transaction(world):
    created = _ingest(world.owner, _items(3)).created
    assert not PendingAnnouncement.objects.exists()
    assert len(_versions(created)) == 3


def test_running_the_task_twice_writes_nothing_more(world):
    created = _ingest(world.owner, _items(5)).created
    assert announce_indicators.apply().get() == 3
    assert announce_indicators.apply().get() == 0
    assert len(_versions(created)) == 5


def test_a_crash_between_chunks_keeps_the_committed_ones_and_resumes_exactly_once(
    world, monkeypatch
):
    created = _ingest(world.owner, _items(5)).created
    real, calls = versions.versions_record, []

    def crash_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(versions, "versions_record", crash_on_the_second_chunk)
    with pytest.raises(RuntimeError, match="worker lost"):
        announce_indicators.apply().get()
    assert len(_versions(created)) == 2  # the first chunk, committed with its deletion
    assert PendingAnnouncement.objects.count() == 2

    assert announce_indicators.apply().get() == 2
    assert sorted(r[0] for r in _versions(created)) == sorted(i.pk for i in created)


def test_the_sweeper_re_enqueues_chunks_left_idle(world, monkeypatch):
    _ingest(world.owner, _items(5))
    enqueued: list[int] = []
    monkeypatch.setattr(announce_indicators, "apply_async", lambda: enqueued.append(1))
    assert sweep_announcements.apply().get() is False  # not idle yet
    PendingAnnouncement.objects.update(created_at=timezone.now().replace(year=2000))
    assert announce.announcements_due_for_sweep()
    assert sweep_announcements.apply().get() is True
    assert enqueued == [1]


def test_matches_with_other_agencies_are_found_by_the_task(world):
    theirs = _ingest(world.partner, _items(1)).created[0]
    mine = _ingest(world.owner, _items(5)).created
    assert not Match.objects.exists()
    announce_indicators.apply().get()
    ours = next(i for i in mine if i.normalized == theirs.normalized)
    assert list(Match.objects.values_list("indicator_id", "other_id")) == [(ours.pk, theirs.pk)]


def test_an_update_before_the_task_leaves_one_latest_version(world):
    created = _ingest(world.owner, _items(5)).created
    first = created[0]
    newer = (first.modified + timezone.timedelta(hours=1)).isoformat()
    _ingest(
        world.owner,
        [{"id": first.stix_id, "type": "ipv4", "value": first.value, "modified": newer}],
    )
    assert announce_indicators.apply().get() == 3
    first.refresh_from_db()
    assert _versions([first]) == [(first.pk, first.modified, True)]  # the current one, once
    assert len(_versions(created)) == 5


def test_a_large_update_is_recorded_as_new_latest_versions(world):
    created = _ingest(world.owner, _items(5)).created
    announce_indicators.apply().get()
    newer = (max(i.modified for i in created) + timezone.timedelta(hours=1)).isoformat()
    items = [
        {"id": i.stix_id, "type": "ipv4", "value": i.value, "modified": newer} for i in created
    ]
    assert len(_ingest(world.owner, items).updated) == 5
    assert PendingAnnouncement.objects.filter(action="updated").count() == 3
    announce_indicators.apply().get()
    rows = _versions(created)
    assert len(rows) == 10
    assert sorted(str(m) for _, m, latest in rows if latest) == sorted(
        str(i.modified) for i in Indicator.objects.filter(pk__in=[i.pk for i in created])
    )


def test_revoking_and_sharing_still_produce_versions(world, eu_agreement):
    created = _ingest(world.owner, _items(5)).created
    revoked = services.indicator_revoke(actor=world.owner.investigator, indicator=created[0])
    assert _versions([revoked]) == [(revoked.pk, revoked.modified, True)]  # before the task
    announce_indicators.apply().get()
    assert _versions([revoked]) == [(revoked.pk, revoked.modified, True)]  # not overwritten

    before = dict(
        ObjectVersion.objects.filter(indicator=created[1]).values_list("id", "date_added")
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=created[1:],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    after = dict(ObjectVersion.objects.filter(indicator=created[1]).values_list("id", "date_added"))
    assert before.keys() == after.keys()
    assert all(after[pk] > added for pk, added in before.items())  # republished
