"""Writes of the notification centre: notify (in bulk), mark read, the digest preference.

No audit event: this app sits below the audit log, and what a notification tells is already
on record by the service that caused it; reading one changes nothing anyone else sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import DigestPreference, Notification
from notifications.selectors import unread_for

NOT_YOUR_NOTIFICATION = _("Not your notification.")
UNKNOWN_FREQUENCY = _("Choose one of: %(choices)s.")
LINK_NOT_A_PATH = "A notification links to a page of this site (a path starting with /)."


def object_key(obj: models.Model) -> tuple[str, int]:
    """How a notification names the object it is about (as the audit log does)."""
    return obj._meta.label_lower, int(obj.pk)


@transaction.atomic
def notify(
    *,
    users: Iterable[Any],
    kind: str,
    params: Mapping[str, Any],
    link: str,
    subject: str,
    about: models.Model | None = None,
    skip: Any = None,
) -> list[Notification]:
    """One notification of ``kind`` about ``about`` to each of ``users`` (each once; never to
    ``skip``, the actor who caused it). Kinds in ``Notification.ONCE_WHILE_UNREAD`` reach a
    user who still has one unread about the same object not again. Returns the new rows."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError(LINK_NOT_A_PATH)
    object_type, object_id = object_key(about) if about is not None else ("", None)
    skip_pk = getattr(skip, "pk", None)
    recipients = {u.pk: u for u in users if u.pk is not None and u.pk != skip_pk}
    if kind in Notification.ONCE_WHILE_UNREAD and recipients:
        waiting = Notification.objects.filter(
            user_id__in=recipients,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            read_at__isnull=True,
        ).values_list("user_id", flat=True)
        for user_id in set(waiting):
            recipients.pop(user_id, None)
    now = timezone.now()
    rows = [
        Notification(
            user=user,
            kind=kind,
            subject=subject[:200],
            link=link[:300],
            params=dict(params),
            object_type=object_type,
            object_id=object_id,
            created_at=now,
        )
        for user in recipients.values()
    ]
    # A concurrent notify of a once-while-unread kind loses on the partial unique index.
    Notification.objects.bulk_create(rows, ignore_conflicts=kind in Notification.ONCE_WHILE_UNREAD)
    return rows


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise ValidationError({"notification": NOT_YOUR_NOTIFICATION})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(
    *, actor: Any, agency: Any = None, about: models.Model | None = None, object_type: str = ""
) -> int:
    """The actor's unread notifications they may read (about one object, or one type of
    object, or all) are read now; how many."""
    unread = unread_for(user=actor, agency=agency)
    if object_type:
        unread = unread.filter(object_type=object_type)
    if about is not None:
        object_type, object_id = object_key(about)
        unread = unread.filter(object_type=object_type, object_id=object_id)
    ids = list(unread.values_list("pk", flat=True))
    return Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notifications_settle(*, about: models.Model, kind: str) -> int:
    """What ``kind`` notifications about ``about`` asked for is done (an invitation answered,
    a request decided): they are read for everyone they reached; how many."""
    object_type, object_id = object_key(about)
    return Notification.objects.filter(
        object_type=object_type, object_id=object_id, kind=kind, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def digest_preference_set(*, actor: Any, frequency: str, language: str = "") -> DigestPreference:
    """The actor's e-mail digest: none or daily, in ``language`` (the one they use now)."""
    if frequency not in DigestPreference.Frequency.values:
        choices = ", ".join(str(label) for label in DigestPreference.Frequency.labels)
        raise ValidationError({"frequency": UNKNOWN_FREQUENCY % {"choices": choices}})
    preference, _created = DigestPreference.objects.select_for_update().get_or_create(user=actor)
    preference.frequency = frequency
    preference.language = (language or "")[:16]
    preference.full_clean()
    preference.save(update_fields=["frequency", "language"])
    return preference
