"""Who hears about a request: the addressee's members of a new request, the requester of every
status change and (beat task) of a deadline 48 hours ahead and of an overdue request. In the
notification centre now; e-mail through Django's mail backend once the transaction commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import active_members
from assistance.models import AssistanceRequest, EnforcingDecision, Urgency
from assistance.models import Kind as RequestKind
from audit.services import audit_log
from notifications import services as notifications
from notifications.models import Notification
from notifications.sentences import source_label

Kind = Notification.Kind
SUBJECT = "CyberCoop: {what} – request #{pk}"


def members_of(agency: Agency) -> list[Any]:
    return list(active_members(agency=agency))


def requester_users(request: AssistanceRequest) -> list[Any]:
    """The author while still an active member of the requesting agency, else its members."""
    members = members_of(request.requesting_agency)
    author = [u for u in members if u.pk == request.created_by_id]
    return author or members


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def notify(
    request: AssistanceRequest,
    users: Iterable[Any],
    kind: str,
    *,
    skip: Any = None,
    **params: Any,
) -> list[Notification]:
    """Notify ``users`` about ``request`` in the notification centre, and mail those with an
    address once the transaction commits (the sentence, in the language active now)."""
    rows = notifications.notify(
        users=users,
        kind=kind,
        about=request,
        link=reverse("assistance:detail", args=[request.pk]),
        subject=f"#{request.pk} {request.requesting_agency.code} → {request.addressee.code}",
        params={"request": request.pk, **params},
        skip=skip,
    )
    addresses = sorted({row.user.email for row in rows if row.user.email})
    if addresses:
        subject = SUBJECT.format(what=rows[0].get_kind_display(), pk=request.pk)
        mail = partial(
            send_mail,
            subject,
            rows[0].sentence,
            settings.DEFAULT_FROM_EMAIL,
            addresses,
            fail_silently=True,
        )
        transaction.on_commit(mail)
    return rows


def on_transition(request: AssistanceRequest, action: str, actor: Any) -> None:
    """Called by the services after each step (before the audit event)."""
    requester, addressee = request.requesting_agency.code, request.addressee.code
    if action == "sent":
        notify(
            request,
            members_of(request.addressee),
            Kind.ASSISTANCE_NEW,
            requester=requester,
            kind_label=source_label(RequestKind(request.kind).label),
            urgency_label=source_label(Urgency(request.urgency).label),
            due_at=_iso(request.due_at),
        )
        if request.enforcing_authority is not None and request.enforcing_window_ends:
            notify(
                request,
                members_of(request.enforcing_authority),
                Kind.ASSISTANCE_NEW,
                variant="enforcing",
                requester=requester,
                addressee=addressee,
                window_ends_at=_iso(request.enforcing_window_ends),
            )
        return
    if action in ("no_grounds", "refused") and request.enforcing_decision:
        assert request.enforcing_authority is not None  # decided, so named
        decided = {
            "variant": "enforcing_decision",
            "addressee": addressee,
            "authority": request.enforcing_authority.code,
            "decision_label": source_label(EnforcingDecision(request.enforcing_decision).label),
        }
        notify(request, members_of(request.addressee), Kind.ASSISTANCE_STATUS, **decided)
        notify(request, requester_users(request), Kind.ASSISTANCE_STATUS, **decided)
        return
    if action not in ("created", "updated", "followed_up"):
        notify(
            request,
            requester_users(request),
            Kind.ASSISTANCE_STATUS,
            skip=actor,
            addressee=addressee,
            status_label=source_label(AssistanceRequest.Status(request.status).label),
        )


def _remind(request: AssistanceRequest, kind: str, action: str) -> None:
    users = {u.pk: u for u in [*requester_users(request), *members_of(request.addressee)]}
    notify(request, users.values(), kind, due_at=_iso(request.due_at))
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
        request.reminded_at = now
        request.save(update_fields=["reminded_at"])
        _remind(request, Kind.ASSISTANCE_DEADLINE, "assistance.deadline_reminder")
        done.append(request.pk)
    for request in waiting.filter(due_at__lte=now, overdue_notified_at__isnull=True):
        request.overdue_notified_at = now
        request.save(update_fields=["overdue_notified_at"])
        _remind(request, Kind.ASSISTANCE_OVERDUE, "assistance.overdue")
        done.append(request.pk)
    return done
