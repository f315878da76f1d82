"""Errors services raise beyond Django's own; the API's exception handler maps them to HTTP."""

from __future__ import annotations


class StateConflict(Exception):
    """The action is not allowed in the object's current state (HTTP 409)."""
