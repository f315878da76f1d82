"""Project-wide pages: home, the health check and the favicon."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from agencies.providers import provider_only
from cybercoop import dashboard
from cybercoop.tasks import last_heartbeat


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of one of the member's agencies (``?agency=CODE``, else the first)."""
    membership, memberships = dashboard.choose_membership(
        user=request.user, code=request.GET.get("agency")
    )
    context: dict[str, Any] = {"memberships": memberships, "current": membership}
    if membership is not None and not provider_only(request.user):
        context.update(dashboard.dashboard(user=request.user, membership=membership))
        context["charts"] = context["sharing"]["chart"] is not None
    return render(request, "home.html", context)


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by type only
        return f"error: {type(exc).__name__}"
    return "ok"


def _worker_status(broker: str) -> str:
    """When a worker last ran the heartbeat task; informational, never fails the check."""
    if broker == "eager":
        return "eager"
    if broker != "ok":
        return "unknown"
    heartbeat = last_heartbeat()
    return f"last seen {heartbeat['at']}" if heartbeat else "not seen yet"


@never_cache
@transaction.non_atomic_requests  # a down database must give 503, not a 500 from ATOMIC_REQUESTS
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in ("ok", "eager") for value in checks.values())
    body = {
        "status": "ok" if healthy else "error",
        **checks,
        "worker": _worker_status(checks["broker"]),
    }
    return JsonResponse(body, status=200 if healthy else 503)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own, whatever the page (the API's, the schema's):
    the SVG icon that base.html links."""
    return redirect(static("favicon.svg"))
