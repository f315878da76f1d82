"""The header's unread badge: one COUNT query per page for a signed-in user."""

from __future__ import annotations

from functools import cache
from typing import Any

from notifications.selectors import unread_count


def unread_notifications(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    # A callable, which templates call: a page that never shows the header runs no query,
    # and one that shows the count twice runs it once.
    return {"unread_notifications": cache(lambda: unread_count(user=user))}
