"""Permission-filtered reads of notifications: a user's own, about what they may still see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from notifications.access import readable
from notifications.models import DigestPreference, Notification


def notifications_for(*, user: Any, agency: Any = None) -> QuerySet[Notification]:
    """The user's notifications they may read (with an API key: as its agency), each with
    ``is_read`` for the unread-first order."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return (
        Notification.objects.filter(user=user)
        .filter(readable(user=user, agency=agency))
        .annotate(is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
    )


def unread_for(*, user: Any, agency: Any = None) -> QuerySet[Notification]:
    return notifications_for(user=user, agency=agency).filter(read_at__isnull=True)


def unread_count(*, user: Any, agency: Any = None) -> int:
    """How many unread notifications the user may read: one index query when there are none
    (most pages), else a second that checks visibility for the object types present only."""
    if not getattr(user, "is_authenticated", False):
        return 0
    unread = Notification.objects.filter(user=user, read_at__isnull=True).order_by()
    types = set(unread.values_list("object_type", flat=True).distinct())
    if not types:
        return 0
    return unread.filter(readable(user=user, agency=agency, types=types)).count()


def access_notification(*, user: Any, pk: Any, agency: Any = None) -> Notification:
    """The user's notification if they may read it, else 404 (another user's, or one about an
    object they no longer see, answers exactly like a missing one)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = None
    if 0 < number < 2**63:
        found = notifications_for(user=user, agency=agency).filter(pk=number).first()
    if found is None:
        raise Http404
    return found


def digest_preference(*, user: Any) -> DigestPreference:
    """The user's digest preference (unsaved default: no e-mail)."""
    found = DigestPreference.objects.filter(user=user).first()
    return found or DigestPreference(user=user)


def mail_language(*, user: Any) -> str:
    """The language the user reads e-mail in: their chosen one, else the site's."""
    return digest_preference(user=user).language or settings.LANGUAGE_CODE
