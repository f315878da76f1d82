"""The migration that moves assistance notifications to the centre copies every row: its
text kept, its reader, read state and request."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tests.assistance.conftest import sent
from tests.notifications.migration import old_notifications

pytestmark = pytest.mark.django_db


def test_every_old_assistance_notification_is_copied_with_its_text(aw, client_for):
    request = sent(aw)
    Notification.objects.all().delete()  # only the copied rows from here on
    Old, copy = old_notifications("assistance", "0003_enforcing_authority")
    Old.objects.create(
        user_id=aw.liaison.pk, request_id=request.pk, kind="overdue", message="Late, old text"
    )
    copy()
    (row,) = Notification.objects.all()
    assert (row.user_id, row.kind, row.sentence) == (
        aw.liaison.pk,
        "assistance_overdue",
        "Late, old text",
    )
    assert row.link == f"/assistance/{request.pk}/"
    assert row.object_type == "assistance.assistancerequest" and row.object_id == request.pk
    page = client_for(aw.liaison).get("/assistance/").content.decode()
    assert "Late, old text" in page
