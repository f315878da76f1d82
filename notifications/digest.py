"""The e-mail digest: once a day, each opted-in user gets one mail (plain text and HTML) with
the unread notifications not yet mailed to them, in their language. Each notification mailed
is marked (``digested_at``), so nothing is sent twice; a failed mail marks nothing."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from notifications.models import DigestPreference, Notification
from notifications.selectors import unread_for

logger = logging.getLogger(__name__)
# A run sooner than this after a user's last digest sends them nothing (beat runs hourly).
DAILY = dt.timedelta(hours=23)
MOST = 200  # notifications listed in one mail; the rest wait in the centre


def _due(now: dt.datetime) -> list[int]:
    return list(
        DigestPreference.objects.filter(
            frequency=DigestPreference.Frequency.DAILY,
            user__is_active=True,
        )
        .exclude(user__email="")
        .exclude(last_sent_at__gt=now - DAILY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _send_one(preference_pk: int, now: dt.datetime) -> bool:
    """One user's digest, in one transaction: nothing marked unless the mail went."""
    with transaction.atomic():
        preference = (
            DigestPreference.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=preference_pk, frequency=DigestPreference.Frequency.DAILY)
            .exclude(last_sent_at__gt=now - DAILY)
            .first()
        )
        if preference is None:
            return False
        user = preference.user
        waiting = list(
            unread_for(user=user)
            .filter(digested_at__isnull=True)
            .order_by("created_at", "id")[:MOST]
        )
        if not waiting:
            return False
        site = settings.SITE_URL.rstrip("/")
        language = preference.language or settings.LANGUAGE_CODE
        with translation.override(language):
            items = [
                {
                    "sentence": n.sentence,
                    "kind": n.get_kind_display(),
                    "subject": n.subject,
                    "url": site + n.link,
                    "created_at": n.created_at,
                }
                for n in waiting
            ]
            count = len(items)
            context = {
                "user": user,
                "items": items,
                "centre": site + "/notifications/",
                "settings_url": site + "/notifications/settings/",
                "intro": ngettext(
                    "You have %(count)d unread notification:",
                    "You have %(count)d unread notifications:",
                    count,
                )
                % {"count": count},
            }
            subject = ngettext(
                "CyberCoop: %(count)d unread notification",
                "CyberCoop: %(count)d unread notifications",
                count,
            ) % {"count": count}
            text = render_to_string("notifications/digest.txt", context)
            html = render_to_string("notifications/digest.html", context)
        mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        mail.attach_alternative(html, "text/html")
        mail.send()
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(digested_at=now)
        preference.last_sent_at = now
        preference.save(update_fields=["last_sent_at"])
    return True


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Mail every due digest; how many were sent. One user's failure stops no one else's."""
    now = now or timezone.now()
    sent = 0
    for pk in _due(now):
        try:
            sent += _send_one(pk, now)
        except Exception:  # an SMTP error: that user's notifications wait for the next run
            logger.exception("Notification digest %s not sent", pk)
    return sent
