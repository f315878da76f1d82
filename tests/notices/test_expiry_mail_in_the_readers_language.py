"""The expiry reminder's e-mail is written in its recipient's language (their chosen one,
else the site's), with the date as that language writes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation
from django.utils.formats import date_format

from notices.expiry import notices_send_expiry_reminders
from notifications import services as notifications
from notifications.sentences import SENTENCES

pytestmark = pytest.mark.django_db
REMINDER = str(SENTENCES["notice_expiry_reminder", ""])


@pytest.fixture
def french(catalogue):
    catalogue(
        "fr",
        {
            "CyberCoop: notice expiry": "CyberCoop : expiration d'une notice",
            REMINDER: "%(type_label)s n° %(notice)s expire le %(expires_on)s.",
        },
    )


def remind(world, make_notice, mailoutbox, capture):
    world.owner.investigator.email = "owner@example.org"
    world.owner.investigator.save(update_fields=["email"])
    notice = make_notice("published")
    with capture(execute=True):
        notices_send_expiry_reminders(now=notice.expires_at - timedelta(days=180))
    (mail,) = mailoutbox
    return notice, mail


def test_a_french_recipient_gets_the_reminder_in_french(
    world, make_notice, mailoutbox, django_capture_on_commit_callbacks, french
):
    notifications.digest_preference_set(
        actor=world.owner.investigator, frequency="none", language="fr"
    )
    notice, mail = remind(world, make_notice, mailoutbox, django_capture_on_commit_callbacks)
    with translation.override("fr"):
        expires_on = date_format(notice.expires_at, "SHORT_DATE_FORMAT")
        type_label = str(notice.get_notice_type_display())
    assert mail.subject == "CyberCoop : expiration d'une notice"
    assert mail.body == f"{type_label} n° {notice.pk} expire le {expires_on}."


def test_a_recipient_without_a_language_gets_it_in_the_sites(
    world, make_notice, mailoutbox, django_capture_on_commit_callbacks, french
):
    notice, mail = remind(world, make_notice, mailoutbox, django_capture_on_commit_callbacks)
    assert mail.subject == "CyberCoop: notice expiry"
    assert f"#{notice.pk} (John SMITH) expires on" in mail.body
