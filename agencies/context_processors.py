from __future__ import annotations

from typing import Any

from agencies.selectors import active_memberships


def memberships(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": []}
    return {"my_memberships": list(active_memberships(user=user))}
