"""Expiry and renewal: the beat task, run with controlled time, reminds once and expires."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils.formats import date_format

from audit.models import AuditEvent
from notices import services
from notices.models import Notice
from notices.tasks import notices_expiry_sweep
from notifications.models import Notification


def test_the_sweep_is_scheduled_by_celery_beat():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notices.expiry_sweep" in schedule


def test_a_red_notice_is_valid_five_years_then_the_beat_task_expires_it(
    world, make_notice, api_client_for, client_for
):
    notice = make_notice("published", public_extract_consent=True)
    published = notice.published_at
    assert notice.expires_at.date() >= (published + timedelta(days=5 * 365)).date()
    partner = api_client_for(world.partner.investigator, world.partner.agency)

    # Four years in: nothing happens.
    result = notices_expiry_sweep.apply(
        kwargs={"now": (published + timedelta(days=4 * 365)).isoformat()}
    ).get()
    assert result == {"reminded": [], "expired": []}
    assert not Notification.objects.filter(kind="notice_expiry_reminder").exists()

    # Six months before expiry: the requester is notified, once.
    six_months_before = notice.expires_at - timedelta(days=180)
    result = notices_expiry_sweep(now=six_months_before.isoformat())
    assert result == {"reminded": [notice.pk], "expired": []}
    assert notices_expiry_sweep(now=(six_months_before + timedelta(days=1)).isoformat()) == {
        "reminded": [],
        "expired": [],
    }
    reminders = Notification.objects.filter(
        user=world.owner.investigator, kind="notice_expiry_reminder"
    )
    assert reminders.count() == 1
    page = client_for(world.owner.investigator).get("/notifications/").content.decode()
    expires_on = date_format(notice.expires_at, "SHORT_DATE_FORMAT")
    assert f"Red notice #{notice.pk} (John SMITH) expires on {expires_on}." in page
    assert "Renew it to keep it in force" in page

    # Still in force the day before it expires.
    notices_expiry_sweep(now=(notice.expires_at - timedelta(days=1)).isoformat())
    assert partner.get(f"/api/v1/notices/{notice.pk}/").status_code == 200

    result = notices_expiry_sweep(now=(notice.expires_at + timedelta(minutes=1)).isoformat())
    assert result == {"reminded": [], "expired": [notice.pk]}
    notice.refresh_from_db()
    assert notice.status == Notice.Status.EXPIRED
    assert partner.get(f"/api/v1/notices/{notice.pk}/").status_code == 404
    assert (
        api_client_for(world.owner.investigator, world.owner.agency)
        .get(f"/api/v1/notices/{notice.pk}/")
        .status_code
        == 200
    )
    assert AuditEvent.objects.filter(action="notice.expired", object_id=str(notice.pk)).exists()
    assert (
        Notification.objects.filter(
            object_type="notices.notice", object_id=notice.pk, kind="notice_expired"
        ).count()
        == 1
    )


def test_renewal_sends_the_notice_through_review_again(world, make_notice, api_client_for):
    notice = make_notice("published")
    requester = api_client_for(world.owner.investigator, world.owner.agency)
    # Too early to renew.
    response = requester.post(f"/api/v1/notices/{notice.pk}/renew/")
    assert response.status_code == 409

    notices_expiry_sweep(now=(notice.expires_at + timedelta(days=1)).isoformat())
    response = requester.post(f"/api/v1/notices/{notice.pk}/renew/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted" and body["is_renewal"] is True

    reviewer = api_client_for(world.reviewer, world.secretariat)
    queue = reviewer.get("/api/v1/notices/?status=submitted").json()["results"]
    assert [n["id"] for n in queue] == [notice.pk]
    response = reviewer.post(
        f"/api/v1/notices/{notice.pk}/review/",
        {
            "decision": "publish",
            "art3_neutrality": True,
            "art2_human_rights": True,
            "minimum_data": True,
        },
        format="json",
    )
    body = response.json()
    assert body["status"] == "published" and body["is_renewal"] is False
    notice.refresh_from_db()
    assert notice.reminder_sent_at is None
    assert notice.expires_at > notice.published_at + timedelta(days=5 * 365 - 1)


def test_a_published_notice_near_expiry_can_be_renewed(world, make_notice):
    notice = make_notice("published")
    with pytest.raises(services.NoticeStateError, match=re.escape(services.NOT_RENEWABLE)):
        services.notice_renew(actor=world.owner.investigator, notice=notice)
    near = notice.expires_at - timedelta(days=30)
    renewed = services.notice_renew(actor=world.owner.investigator, notice=notice, now=near)
    assert renewed.status == Notice.Status.SUBMITTED
    assert AuditEvent.objects.filter(
        action="notice.renewal_requested", object_id=str(notice.pk)
    ).exists()


def test_notices_without_expiry_are_left_alone(world, make_notice):
    notice = make_notice(
        "published",
        notice_type="YELLOW",
        languages=["EN"],
        family_name="Lost",
        forenames="Ann",
        date_of_birth="2012-01-01",
        sex="F",
        facts_summary="Missing",
        facts_place="Lyon",
        facts_date="2025-01-01",
    )
    assert notice.expires_at is None
    now = notice.published_at + timedelta(days=20 * 365)
    assert notices_expiry_sweep(now=now.isoformat()) == {"reminded": [], "expired": []}
