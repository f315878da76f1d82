"""Minimal valid STIX 2.1 objects for tests: fresh ids, fixed timestamps, anything overridable."""

from __future__ import annotations

import uuid
from typing import Any


def stix_indicator(pattern: str, **extra: Any) -> dict[str, Any]:
    """An indicator with ``pattern`` (``pattern_type`` stix unless given), valid from 2026."""
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        **extra,
    }


def stix_marking(**content: Any) -> dict[str, Any]:
    """A marking definition with ``content`` (``definition_type``, ``name``, …)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2022-01-01T00:00:00.000Z",
        **content,
    }


def stix_bundle(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
