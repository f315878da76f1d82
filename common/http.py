"""The client's address as this deployment may trust it."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR; behind a declared TLS proxy, the address that proxy saw (the last entry it
    appended to X-Forwarded-For), never an entry the client could have written itself."""
    meta: dict[str, str] = request.META
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    address = meta.get("REMOTE_ADDR")
    return str(address) if address else None
