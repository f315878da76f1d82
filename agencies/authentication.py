"""``Authorization: Bearer <key>`` for partner systems."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from agencies.models import APIKey, Membership
from agencies.services import API_KEY_PREFIX, hash_token
from common.http import client_ip
from common.throttles import exhausted, spend

INVALID_KEY = "Invalid, expired or revoked API key."
SCOPE_MISSING = "This API key may not do this: it needs the {scope} scope."


def authenticate_key(plaintext: str, *, address: str | None) -> APIKey:
    """The usable key for ``plaintext`` called from ``address``, or AuthenticationFailed (the
    same answer for a wrong, expired, revoked key or a call from outside its networks).
    Records last use."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        raise exceptions.AuthenticationFailed(INVALID_KEY)
    key = APIKey.objects.select_related("user", "agency__country").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, hash_token(plaintext)):
        raise exceptions.AuthenticationFailed(INVALID_KEY)
    if (
        not key.is_usable
        or not key.user.is_active
        or not key.agency.active
        or not key.allows_address(address)
    ):
        raise exceptions.AuthenticationFailed(INVALID_KEY)
    if not Membership.objects.filter(
        user=key.user, agency=key.agency, status=Membership.Status.ACTIVE
    ).exists():
        raise exceptions.AuthenticationFailed(INVALID_KEY)
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        _record_use(key, now)
        key.last_used_at = now
    return key


def _record_use(key: APIKey, now: datetime) -> None:
    """The key's last use, in one statement that never waits: a concurrent request recording
    a use of the same key holds its row until that request ends (a long import does not end
    soon), and its record will do."""
    if not connection.features.has_select_for_update_skip_locked:  # SQLite: one writer anyway
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return
    table = connection.ops.quote_name(APIKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_used_at = %s "
            f"WHERE id = (SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
            [now, key.pk],
        )


def authenticate_key_from(plaintext: str, *, address: str | None) -> APIKey:
    """``authenticate_key``, refused outright (429) while ``address`` has failed too often:
    guessing keys costs the guesser, not the holders."""
    ident = f"ip:{address}"
    wait = exhausted("api_key_failures", ident)
    if wait is not None:
        raise exceptions.Throttled(wait)
    try:
        return authenticate_key(plaintext, address=address)
    except exceptions.AuthenticationFailed:
        spend("api_key_failures", ident)
        raise


class APIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, APIKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <key>'.")
        key = authenticate_key_from(header[1].decode("latin-1"), address=client_ip(request))
        return key.user, key

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


def key_allows(key: APIKey, scope: str) -> bool:
    return scope in key.scopes


class KeyScopePermission(permissions.BasePermission):
    """A key does what its scopes say: ``read`` for safe methods, ``write`` for the others,
    or the scope a view names for all its methods (``key_scope``) or one of them
    (``key_scope_post``); a tuple of scopes means any one of them. Sessions are not
    concerned."""

    message = SCOPE_MISSING

    def has_permission(self, request: Any, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, APIKey):
            return True
        default = APIKey.Scope.READ if request.method in permissions.SAFE_METHODS else "write"
        scope = (
            getattr(view, f"key_scope_{request.method.lower()}", None)
            or getattr(view, "key_scope", None)
            or default
        )
        scopes = (scope,) if isinstance(scope, str) else tuple(scope)
        if any(key_allows(key, one) for one in scopes):
            return True
        self.message = SCOPE_MISSING.format(scope=" or ".join(scopes))
        return False


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "agencies.authentication.APIKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An agency API key"}


def acting_agency(request: Any) -> Any:
    """The agency an API request acts for (its key's), or None in the browser."""
    auth = getattr(request, "auth", None)
    return auth.agency if isinstance(auth, APIKey) else None
