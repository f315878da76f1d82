"""Rate limits per caller in fixed windows, counted atomically in the cache (Redis when
configured), so that they hold across gunicorn workers and web nodes. Rates come from
``settings.THROTTLE_RATES`` (``"<count>/<s|min|hour|day>"``), read at each request."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from common.http import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


def _window(scope: str, ident: str) -> tuple[str, int, float]:
    """The cache key of the current window, the limit, and the seconds left in the window."""
    limit, period = parse_rate(settings.THROTTLE_RATES[scope])
    now = time.time()
    return f"throttle:{scope}:{ident}:{int(now // period)}", limit, period - now % period


def spend(scope: str, ident: str, weight: int = 1) -> float | None:
    """Count ``weight`` against ``scope`` for ``ident``; the seconds to wait when over the
    rate (the call is refused), else None."""
    key, limit, left = _window(scope, ident)
    cache.add(key, 0, timeout=int(left) + 2)
    return left if cache.incr(key, weight) > limit else None


def exhausted(scope: str, ident: str) -> float | None:
    """The seconds to wait if ``ident`` has used up ``scope`` in this window, without counting."""
    key, limit, left = _window(scope, ident)
    return left if (cache.get(key) or 0) >= limit else None


def caller(request: Any) -> str:
    """Who is counted: the API key, else the signed-in user, else the address."""
    auth = getattr(request, "auth", None)
    key_id = getattr(auth, "pk", None)
    if key_id is not None and hasattr(auth, "scopes"):  # an API key (DRF's request.auth)
        return f"key:{key_id}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


class ScopedWindowThrottle(BaseThrottle):
    """Applies where a view names a scope, for all methods (``throttle_scope``) or one
    (``throttle_scope_post``); a view may weigh a call (``throttle_weight(request)``)."""

    def __init__(self) -> None:
        self.delay: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        method = request.method.lower()
        scope = getattr(view, f"throttle_scope_{method}", None) or getattr(
            view, "throttle_scope", None
        )
        if not scope:
            return True
        weigh = getattr(view, "throttle_weight", None)
        weight = max(1, weigh(request)) if weigh else 1
        self.delay = spend(scope, caller(request), weight)
        return self.delay is None

    def wait(self) -> float | None:
        return self.delay
