from __future__ import annotations

from tests.cases.conftest import _fresh_permission_cache

__all__ = ["_fresh_permission_cache"]
