"""Who hears about a request: the addressee's members of a new request, the requester of every
status change and (beat task) of a deadline 48 hours ahead and of an overdue request. In-app
rows now; e-mail through Django's mail backend once the transaction commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership
from assistance.models import AssistanceRequest, Notification
from audit.services import audit_log

User = get_user_model()
SUBJECT = "CyberCoop: {what} – request #{pk}"


def members_of(agency: Agency) -> list[Any]:
    active = Membership.objects.filter(agency=agency, status=Membership.Status.ACTIVE)
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def requester_users(request: AssistanceRequest) -> list[Any]:
    """The author while still an active member of the requesting agency, else its members."""
    members = members_of(request.requesting_agency)
    author = [u for u in members if u.pk == request.created_by_id]
    return author or members


def notify(
    request: AssistanceRequest, users: Iterable[Any], kind: str, message: str, *, skip: Any = None
) -> list[Notification]:
    rows = [
        Notification(user=user, request=request, kind=kind, message=message[:400])
        for user in users
        if skip is None or user.pk != getattr(skip, "pk", None)
    ]
    Notification.objects.bulk_create(rows)
    addresses = sorted({row.user.email for row in rows if row.user.email})
    if addresses:
        subject = SUBJECT.format(what=Notification.Kind(kind).label, pk=request.pk)
        mail = partial(
            send_mail,
            subject,
            message,
            settings.DEFAULT_FROM_EMAIL,
            addresses,
            fail_silently=True,
        )
        transaction.on_commit(mail)
    return rows


def on_transition(request: AssistanceRequest, action: str, actor: Any) -> None:
    """Called by the services after each step (before the audit event)."""
    if action == "sent":
        message = (
            f"New {request.get_kind_display().lower()} request #{request.pk} from "
            f"{request.requesting_agency.code} ({request.get_urgency_display()}), due "
            f"{request.due_at:%Y-%m-%d %H:%M %Z}."
        )
        notify(request, members_of(request.addressee), Notification.Kind.NEW, message)
        if request.enforcing_authority is not None and request.enforcing_window_ends:
            notice = (
                f"European Production Order #{request.pk} from {request.requesting_agency.code} "
                f"to {request.addressee.code} is notified to you (Regulation (EU) 2023/1543 "
                f"Art. 8): raise any ground for refusal by "
                f"{request.enforcing_window_ends:%Y-%m-%d %H:%M %Z}."
            )
            notify(request, members_of(request.enforcing_authority), Notification.Kind.NEW, notice)
        return
    if action in ("no_grounds", "refused") and request.enforcing_decision:
        assert request.enforcing_authority is not None  # decided, so named
        message = (
            f"Order #{request.pk} to {request.addressee.code}: "
            f"{request.get_enforcing_decision_display()}, says "
            f"{request.enforcing_authority.code} (the enforcing authority)."
        )
        notify(request, members_of(request.addressee), Notification.Kind.STATUS, message)
        notify(request, requester_users(request), Notification.Kind.STATUS, message)
        return
    if action not in ("created", "updated", "followed_up"):
        message = (
            f"Request #{request.pk} to {request.addressee.code} is now "
            f"{request.get_status_display().lower()}."
        )
        notify(request, requester_users(request), Notification.Kind.STATUS, message, skip=actor)


def _remind(request: AssistanceRequest, kind: str, message: str, action: str) -> None:
    users = {u.pk: u for u in [*requester_users(request), *members_of(request.addressee)]}
    notify(request, users.values(), kind, message)
    audit_log(
        actor=None,
        action=action,
        obj=request,
        agency=request.requesting_agency,
        summary={"due_at": request.due_at.isoformat() if request.due_at else None},
    )


@transaction.atomic
def send_deadline_reminders(*, now: dt.datetime | None = None) -> list[int]:
    """Once per deadline: 48 hours ahead (``ASSISTANCE_REMINDER_BEFORE``), then when overdue."""
    now = now or timezone.now()
    waiting = AssistanceRequest.objects.select_for_update(skip_locked=True, of=("self",))
    waiting = waiting.filter(status__in=AssistanceRequest.WAITING).select_related(
        "requesting_agency", "addressee"
    )
    done = []
    ahead = now + settings.ASSISTANCE_REMINDER_BEFORE
    for request in waiting.filter(due_at__gt=now, due_at__lte=ahead, reminded_at__isnull=True):
        message = f"Request #{request.pk} is due {request.due_at:%Y-%m-%d %H:%M %Z}."
        request.reminded_at = now
        request.save(update_fields=["reminded_at"])
        _remind(request, Notification.Kind.DEADLINE, message, "assistance.deadline_reminder")
        done.append(request.pk)
    for request in waiting.filter(due_at__lte=now, overdue_notified_at__isnull=True):
        message = f"Request #{request.pk} is overdue since {request.due_at:%Y-%m-%d %H:%M %Z}."
        request.overdue_notified_at = now
        request.save(update_fields=["overdue_notified_at"])
        _remind(request, Notification.Kind.OVERDUE, message, "assistance.overdue")
        done.append(request.pk)
    return done


def mark_read(*, user: Any, request: AssistanceRequest | None = None) -> int:
    """The user's unread notifications (of one request, or all) are read now."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if request is not None:
        unread = unread.filter(request=request)
    return unread.update(read_at=timezone.now())


def unread_for(*, user: Any) -> Any:
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("request")
