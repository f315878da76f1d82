"""The migration that moves notice notifications to the centre copies every row: its text
kept, its reader, read state and notice, the notice's visibility still applied."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notices import services
from notifications.models import Notification
from tests.notices.conftest import RED_DATA
from tests.notifications.migration import old_notifications

pytestmark = pytest.mark.django_db


def test_every_old_notice_notification_is_copied_with_its_text(world, client_for):
    Old, copy = old_notifications("notices", "0002_search_extensions")
    notice = services.notice_create(
        actor=world.owner.investigator, agency=world.owner.agency, notice_type="RED", data=RED_DATA
    )
    read_at = timezone.now()
    Old.objects.create(
        user_id=world.owner.investigator.pk,
        notice_id=notice.pk,
        kind="review",
        message="Your Red notice was refused: too thin",
    )
    Old.objects.create(
        user_id=world.owner.investigator.pk,
        notice_id=notice.pk,
        kind="expiry_reminder",
        message="Expires soon",
        read_at=read_at,
    )
    copy()
    review, reminder = Notification.objects.order_by("pk")
    assert (review.kind, review.sentence, review.read_at) == (
        "notice_review",
        "Your Red notice was refused: too thin",
        None,
    )
    assert (reminder.kind, reminder.read_at) == ("notice_expiry_reminder", read_at)
    assert review.link == f"/notices/{notice.pk}/" and review.subject == f"#{notice.pk} John SMITH"
    assert review.digested_at is not None  # the digest does not mail history
    page = client_for(world.owner.investigator).get("/notifications/").content.decode()
    assert "too thin" in page
    page = client_for(world.partner.investigator).get("/notifications/").content.decode()
    assert "too thin" not in page
