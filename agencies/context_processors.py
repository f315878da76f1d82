from __future__ import annotations

from typing import Any

from agencies.models import Agency
from agencies.selectors import active_memberships


def memberships(request: Any) -> dict[str, Any]:
    """The signed-in user's active memberships, and whether they act only for service
    providers (then the navigation offers nothing of cases, notices or indicators)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "provider_only": False}
    mine = list(active_memberships(user=user))
    kinds = {m.agency.kind for m in mine}
    return {"my_memberships": mine, "provider_only": kinds == {Agency.Kind.SERVICE_PROVIDER}}
