"""Who may read a notification: its recipient, while they may still see the object it is about.
The apps above register, per object type (``app_label.model``), the queryset of objects a user
may see (their ``*_visible_to`` selector), as they do for the audit log. A notification about
an unregistered type is read by no one: a new source must say who sees its objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

Visible = Callable[..., QuerySet[Any]]  # (*, user, agency) -> the objects the user may see

_VISIBLE: dict[str, Visible] = {}


def register(object_type: str, visible: Visible) -> None:
    _VISIBLE[object_type] = visible


def registered() -> frozenset[str]:
    return frozenset(_VISIBLE)


def readable(*, user: Any, agency: Any = None, types: Iterable[str] | None = None) -> Q:
    """The condition on notifications that the user may read them (with an API key, acting
    for ``agency``): about no object, or about one the user may still see. One ``EXISTS`` per
    object type (of ``types`` only, when given), each an index lookup per notification row."""
    allowed = Q(object_type="")
    wanted = set(_VISIBLE) if types is None else set(types) & set(_VISIBLE)
    for object_type, visible in _VISIBLE.items():
        if object_type not in wanted:
            continue
        objects = visible(user=user, agency=agency).order_by().filter(pk=OuterRef("object_id"))
        allowed |= Q(Q(object_type=object_type), Exists(objects.values("pk")))
    return allowed
