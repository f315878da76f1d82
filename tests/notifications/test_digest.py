"""The e-mail digest: a preference on the account's digest page (none / daily), a beat task and
``manage.py send_notification_digest`` that mail each opted-in user, once a day, the unread
notifications no earlier digest listed (plain text and HTML), and record what they sent."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format

from notifications import digest, services
from notifications.models import DigestPreference, Notification
from notifications.tasks import send_digests

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://cybercoop.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def tell(user, text: str) -> Notification:
    (row,) = services.notify(
        users=[user],
        kind=Kind.ASSISTANCE_STATUS,
        params={"message": text},
        link="/assistance/",
        subject="#1 DE-BKA → NL-NHTCU",
    )
    return row


def opt_in(user) -> DigestPreference:
    return services.digest_preference_set(actor=user, frequency="daily", language="en")


def test_an_opted_in_user_gets_one_mail_with_every_unread_notification_once(world):
    user = world.owner.investigator
    opt_in(user)
    tell(user, "First news")
    tell(user, "Second news")
    read = tell(user, "Old news")
    services.notification_mark_read(actor=user, notification=read)
    tell(world.partner.investigator, "Not for the owner")  # not opted in
    assert digest.digests_send() == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "CyberCoop: 2 unread notifications"
    assert "First news" in message.body and "Second news" in message.body
    assert "Old news" not in message.body and "Not for the owner" not in message.body
    assert "https://cybercoop.example/assistance/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and '<a href="https://cybercoop.example/assistance/">' in html
    # Nothing twice: not the same day, and not the same notifications the next day either.
    assert digest.digests_send() == 0
    later = timezone.now() + dt.timedelta(days=1)
    assert digest.digests_send(now=later) == 0
    tell(user, "Third news")
    assert digest.digests_send(now=later) == 1
    assert "Third news" in mail.outbox[1].body and "First news" not in mail.outbox[1].body
    assert mail.outbox[1].subject == "CyberCoop: 1 unread notification"


def test_no_mail_without_news_without_an_address_or_after_opting_out(world):
    user = world.owner.investigator
    opt_in(user)
    assert digest.digests_send() == 0
    user.email = ""
    user.save(update_fields=["email"])
    tell(user, "News")
    assert digest.digests_send() == 0
    user.email = "owner@example.org"
    user.save(update_fields=["email"])
    services.digest_preference_set(actor=user, frequency="none")
    assert digest.digests_send() == 0
    assert mail.outbox == []


def test_a_french_recipients_digest_writes_its_dates_in_french(world):
    user = world.owner.investigator
    services.digest_preference_set(actor=user, frequency="daily", language="fr")
    due = dt.datetime(2026, 3, 14, 9, 5, tzinfo=dt.UTC)
    (row,) = services.notify(
        users=[user],
        kind=Kind.ASSISTANCE_DEADLINE,
        params={"request": 5, "due_at": due.isoformat()},
        link="/assistance/",
        subject="#5",
    )
    assert digest.digests_send() == 1
    (message,) = mail.outbox
    html, _kind = message.alternatives[0]
    with translation.override("fr"):
        due_shown = date_format(due, "SHORT_DATETIME_FORMAT")
        sent_shown = date_format(timezone.localtime(row.created_at), "SHORT_DATETIME_FORMAT")
    for body in (message.body, html):
        assert f"{due_shown} UTC" in body and sent_shown in body
        assert "2026-03-14" not in body and f"{row.created_at:%Y-%m-%d}" not in body


def test_the_digest_leaves_out_what_the_user_may_no_longer_see(world, eu_agreement):
    user = world.owner.investigator
    opt_in(user)
    services.notify(
        users=[user],
        kind=Kind.DELIVERY_FAILING,
        params={"message": "Endpoint of another agency"},
        link="/cases/",
        subject="x",
        about=world.partner.agency,  # a type no app registered: read by no one
    )
    assert digest.digests_send() == 0


def test_a_failed_mail_marks_nothing_and_is_sent_next_time(world, monkeypatch):
    user = world.owner.investigator
    opt_in(user)
    tell(user, "News")

    def broken(self, fail_silently=False):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    assert digest.digests_send() == 0
    assert Notification.objects.get(user=user).digested_at is None
    monkeypatch.undo()
    assert digest.digests_send() == 1


def test_the_beat_task_and_the_command_send_the_digest(world, settings):
    assert settings.CELERY_BEAT_SCHEDULE["notifications-send-digests"]["task"] == send_digests.name
    opt_in(world.owner.investigator)
    tell(world.owner.investigator, "News")
    out = StringIO()
    call_command("send_notification_digest", stdout=out)
    assert out.getvalue().strip() == "1 digest(s) sent."
    assert len(mail.outbox) == 1
    opt_in(world.partner.investigator)
    tell(world.partner.investigator, "News")
    assert send_digests.apply().get() == 1


def test_the_preference_page_saves_the_choice_and_names_a_bad_one(world, client_for):
    client = client_for(world.owner.investigator)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and page.context["form"]["frequency"].value() == "none"
    bad = client.post("/notifications/settings/", {"frequency": "hourly"})
    assert bad.status_code == 400 and "hourly is not one of the available" in bad.content.decode()
    assert not DigestPreference.objects.exists()
    done = client.post("/notifications/settings/", {"frequency": "daily"})
    assert done.status_code == 302 and done.url == "/notifications/settings/"
    preference = DigestPreference.objects.get(user=world.owner.investigator)
    assert preference.frequency == "daily" and preference.language == "en-gb"
    assert client.get(done.url).context["form"]["frequency"].value() == "daily"
    assert 'href="/notifications/settings/"' in client.get("/cases/").content.decode()


def test_the_service_names_an_unknown_frequency(world):
    with pytest.raises(ValidationError, match="Choose one of: No e-mail, One e-mail a day."):
        services.digest_preference_set(actor=world.owner.investigator, frequency="weekly")
