"""The daily expiry sweep (run by the beat task): reminders six months ahead, then expiry."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.services import audit_log
from notices.models import REMINDER_BEFORE, Notice
from notices.services import notify, transition
from notifications.models import Notification
from notifications.selectors import mail_language


@transaction.atomic
def notices_expire_due(*, now: datetime | None = None) -> list[int]:
    """Expire every published notice past its expiry; returns their ids."""
    now = now or timezone.now()
    due = list(
        Notice.objects.select_for_update(skip_locked=True)
        .filter(status=Notice.Status.PUBLISHED, expires_at__lte=now)
        .select_related("requesting_agency", "created_by")
    )
    for notice in due:
        notice.closed_at = now
        transition(notice, Notice.Status.EXPIRED, now=now, fields=["closed_at"])
        notify(notice, Notification.Kind.NOTICE_EXPIRED)
        audit_log(
            actor=None,
            action="notice.expired",
            obj=notice,
            agency=notice.requesting_agency,
            summary={
                "from": Notice.Status.PUBLISHED,
                "to": Notice.Status.EXPIRED,
                "expires_at": notice.expires_at,
            },
        )
    return [notice.pk for notice in due]


@transaction.atomic
def notices_send_expiry_reminders(*, now: datetime | None = None) -> list[int]:
    """Notify requesters once, six months before their notice expires; returns the ids."""
    now = now or timezone.now()
    due = list(
        Notice.objects.select_for_update(skip_locked=True)
        .filter(
            status=Notice.Status.PUBLISHED,
            reminder_sent_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + REMINDER_BEFORE,
        )
        .select_related("requesting_agency", "created_by")
    )
    for notice in due:
        (reminder,) = notify(
            notice,
            Notification.Kind.NOTICE_EXPIRY_REMINDER,
            expires_on=f"{notice.expires_at:%Y-%m-%d}",
        )
        notice.reminder_sent_at = now
        notice.save(update_fields=["reminder_sent_at"])
        if notice.created_by.email:
            with translation.override(mail_language(user=notice.created_by)):
                subject, message = gettext("CyberCoop: notice expiry"), reminder.sentence
            mail = partial(
                send_mail,
                subject,
                message,
                settings.DEFAULT_FROM_EMAIL,
                [notice.created_by.email],
                fail_silently=True,
            )
            transaction.on_commit(mail)
        audit_log(
            actor=None,
            action="notice.expiry_reminder_sent",
            obj=notice,
            agency=notice.requesting_agency,
            summary={"expires_at": notice.expires_at, "user": notice.created_by.username},
        )
    return [notice.pk for notice in due]
