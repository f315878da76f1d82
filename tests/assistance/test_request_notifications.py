"""The addressee hears of a new request, the requester of every status change, and both of a
deadline 48 hours ahead and of an overdue request — in the notification centre and by e-mail."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from assistance import services
from assistance.models import AssistanceRequest
from assistance.tasks import deadline_reminders
from notifications.models import Notification
from tests.assistance.conftest import draft, sent


def shown(moment: dt.datetime) -> str:
    """A date-time as a sentence shows it: the reader's short format, then the time zone."""
    return f"{date_format(moment, 'SHORT_DATETIME_FORMAT')} {moment:%Z}"


def messages_of(user) -> list[str]:
    """The sentences of the user's notifications, oldest first."""
    return [n.sentence for n in Notification.objects.filter(user=user).order_by("pk")]


def test_the_addressee_is_notified_of_a_new_request_in_app_and_by_mail(
    aw, django_capture_on_commit_callbacks
):
    aw.liaison.email = "lert@hosting.example"
    aw.liaison.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = sent(aw)
    assert messages_of(aw.liaison) == [
        f"New expedited preservation of stored data request #{request.pk} from DE-BKA "
        f"(Routine), due {shown(request.due_at)}."
    ]
    assert [m.to for m in mail.outbox] == [["lert@hosting.example"]]
    assert mail.outbox[0].subject == f"CyberCoop: New assistance request – request #{request.pk}"
    assert mail.outbox[0].body == messages_of(aw.liaison)[0]
    assert messages_of(aw.owner.analyst) == []


def test_the_requester_hears_of_every_status_change_but_not_of_its_own(aw):
    request = sent(aw)
    services.request_acknowledge(actor=aw.liaison, request=request)
    services.request_preserve(actor=aw.liaison, request=request, reference="HB-1")
    services.request_extend(actor=aw.owner.investigator, request=request)
    assert messages_of(aw.owner.investigator) == [
        f"Request #{request.pk} to NL-HOST is now acknowledged.",
        f"Request #{request.pk} to NL-HOST is now preserved.",
    ]


def test_the_beat_task_reminds_both_sides_48_hours_ahead_and_when_overdue_once_each(aw, settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["assistance-deadline-reminders"]["task"]
        == deadline_reminders.name
    )
    request = sent(aw)
    draft(aw)
    assert deadline_reminders.apply().get() == 0
    soon = timezone.now() + dt.timedelta(hours=30)
    AssistanceRequest.objects.filter(pk=request.pk).update(due_at=soon)
    assert deadline_reminders.apply().get() == 1
    assert deadline_reminders.apply().get() == 0
    AssistanceRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert deadline_reminders.apply().get() == 1
    assert deadline_reminders.apply().get() == 0
    kinds = list(
        Notification.objects.filter(user=aw.owner.investigator)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["assistance_deadline", "assistance_overdue"]
    assert Notification.objects.filter(user=aw.liaison, kind="assistance_overdue").count() == 1
    due = AssistanceRequest.objects.get(pk=request.pk).due_at
    assert messages_of(aw.owner.investigator)[-1] == (
        f"Request #{request.pk} is overdue since {shown(due)}."
    )


def test_the_inbox_shows_unread_notifications(aw, client_for):
    request = sent(aw)
    page = client_for(aw.liaison).get("/assistance/").content.decode()
    assert f"New expedited preservation of stored data request #{request.pk}" in page


def test_opening_a_request_marks_its_notifications_read(aw, client_for):
    first, second = sent(aw), sent(aw)
    client = client_for(aw.liaison)
    client.get(f"/assistance/{first.pk}/")
    unread = Notification.objects.filter(user=aw.liaison, read_at__isnull=True)
    assert list(unread.values_list("object_id", flat=True)) == [second.pk]
    page = client.get("/assistance/").content.decode()
    assert f"request #{second.pk} from" in page and f"request #{first.pk} from" not in page


def test_mark_all_as_read_empties_the_inbox_notifications_of_that_user_only(aw, client_for):
    request = sent(aw)
    services.request_acknowledge(actor=aw.liaison, request=request)
    client = client_for(aw.liaison)
    page = client.post("/assistance/notifications/read/", follow=True).content.decode()
    assert "1 notification marked as read." in page
    assert 'id="notifications"' not in page
    assert Notification.objects.filter(user=aw.owner.investigator, read_at__isnull=True).exists()
    assert client.get("/assistance/notifications/read/").status_code == 405


def test_a_service_providers_liaison_reads_its_requests_notifications_in_the_centre(
    aw, client_for, api_client_for
):
    request = sent(aw)
    page = client_for(aw.liaison).get("/notifications/")
    assert page.status_code == 200
    assert f"request #{request.pk} from DE-BKA" in page.content.decode()
    api = api_client_for(aw.liaison, aw.liaison.memberships.get().agency)
    (item,) = api.get("/api/v1/notifications/").json()["results"]
    assert item["link"] == f"/assistance/{request.pk}/"
    assert client_for(aw.owner.analyst).get("/notifications/").context["page"].object_list == []
