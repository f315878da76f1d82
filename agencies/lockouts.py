"""Login lockouts (django-axes): audited when they happen, listed and lifted by the admins of
the locked member's agency."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.selectors import active_memberships
from audit.services import audit_log


def username_of(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """The username a sign-in tried: allauth passes it to the backends as ``username``; the
    login form posts it as ``login``."""
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    login = getattr(request, "POST", {}).get("login")
    return str(login) if login else None


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page a locked-out sign-in gets (axes' AXES_LOCKOUT_CALLABLE): 429, in words."""
    context = {
        "username": username_of(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": cool_off_minutes(),
    }
    return render(request, "account/locked_out.html", context, status=429)


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def with_lockouts(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Each membership with ``locked_since``: the last failed sign-in of its user, if their
    failures within the cool-off (from any address) reached the limit."""
    current = (
        AccessAttempt.objects.filter(
            username=OuterRef("user__username"),
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return memberships.annotate(locked_since=Subquery(current.values("last")[:1]))


@transaction.atomic
def lockout_lift(*, actor: Any, membership: Membership) -> int:
    """Lift the lockout of a member before its cool-off ends; returns the attempts cleared."""
    cleared = reset(username=membership.user.username)
    audit_log(
        actor=actor,
        action="account.lockout_lifted",
        obj=membership,
        agency=membership.agency,
        summary={"user": membership.user.username, "attempts_cleared": cleared},
    )
    return cleared


def audit_lockout(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    """axes' ``user_locked_out`` signal: one audit event per agency of the locked member."""
    user = get_user_model().objects.filter(username=username).first()
    agencies: list[Agency | None] = (
        [m.agency for m in active_memberships(user=user)] if user else []
    )
    for agency in agencies or [None]:
        audit_log(
            actor=None,
            action="account.locked_out",
            object_type="auth.user",
            object_id=user.pk if user else "",
            agency=agency,
            summary={
                "username": username,
                "ip_address": ip_address,
                "failures": settings.AXES_FAILURE_LIMIT,
                "cool_off_minutes": cool_off_minutes(),
            },
        )
