"""DRF permission classes every API view gets (settings: DEFAULT_PERMISSION_CLASSES)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class BodyIsParsed(BasePermission):
    """Parse every write's body before the view runs, so that a malformed one (not JSON, not an
    object) is the same 400 on every endpoint, also on actions that read nothing from it.
    A view that reads its raw body itself says so with ``reads_raw_body``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method not in SAFE_METHODS and not getattr(view, "reads_raw_body", False):
            request.data  # noqa: B018  (parsing raises the 400)
        return True
