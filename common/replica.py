"""Reads from a read replica (``DATABASE_REPLICA_URL``) for the pages and endpoints that only
list, page or export, with read-your-writes.

- Only the views named in ``REPLICA_READ_VIEWS`` read from the replica, only for GET/HEAD, and
  only for the models of ``REPLICA_READ_APPS`` (cases, indicators, notices, requests, STIX
  versions, the audit log). Accounts, sessions, API keys and memberships are always read from
  the primary, so a revoked key or membership takes effect at once.
- Read-your-writes: a request that writes any of those models reads from the primary from then
  on (bookkeeping such as a key's last use does not count); a
  caller that wrote (a POST, PUT, PATCH or DELETE) reads from the primary for
  ``REPLICA_PIN_SECONDS`` (longer than the replica's lag), keyed on its user or its API key.
- Writes and migrations always go to the primary (the replica is fed by replication).

Without ``DATABASE_REPLICA_URL`` none of this does anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_scope: ContextVar[bool] = ContextVar("replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("replica_pinned", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_from_replica() -> bool:
    """Whether reads of replica-eligible models go to the replica right now."""
    return _scope.get() and not _pinned.get() and replica_configured()


class ReplicaRouter:
    """Django database router: see the module docstring."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        app_label = model._meta.app_label  # type: ignore[attr-defined]
        if reading_from_replica() and app_label in settings.REPLICA_READ_APPS:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str:
        if model._meta.app_label in settings.REPLICA_READ_APPS:  # type: ignore[attr-defined]
            _pinned.set(True)  # this request wrote data it may list: it reads its writes now
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


def _pin_keys(request: HttpRequest) -> list[str]:
    """The caller's pins: its API key (hashed, never stored) and its user once known (a key's
    user is known only after the view authenticated it)."""
    keys = []
    credentials = request.headers.get("Authorization", "")
    if credentials:
        keys.append("replica-pin:key:" + hashlib.sha256(credentials.encode()).hexdigest()[:32])
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"replica-pin:user:{user.pk}")
    return keys


class ReplicaMiddleware:
    """Opens the replica scope for the listed views, keeps writers on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        pinned = _pinned.set(False)
        scope = _scope.set(False)
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(scope)
            _pinned.reset(pinned)
        if request.method not in SAFE_METHODS:
            cache.set_many(dict.fromkeys(_pin_keys(request), 1), settings.REPLICA_PIN_SECONDS)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return
        match = request.resolver_match
        if match is None or match.view_name not in settings.REPLICA_READ_VIEWS:
            return
        if cache.get_many(_pin_keys(request)):
            return  # wrote a moment ago: read it back from the primary
        _scope.set(True)
