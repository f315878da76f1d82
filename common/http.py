"""The client's address as this deployment may trust it; requests with NUL in their URL."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse

NUL_IN_URL = "The URL contains the NUL character (%00), which no field can hold."


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


class RejectNulMiddleware:
    """A path or query parameter with NUL (``%00``) is a 400 before any view runs: PostgreSQL's
    text cannot hold it, so a filter on it would otherwise fail as a 500."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_IN_URL}, status=400)
            return HttpResponse(NUL_IN_URL, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
