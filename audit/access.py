"""Who may read an audit entry's content: whoever may see the object it records. The apps
above register, per recorded object type (``app_label.model``), the queryset of objects a
user may see (their ``*_visible_to`` selector). An unregistered type is seen by no one; the
entry's leaf hash and its proofs stay public to every authenticated caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from audit.models import AuditEvent

Visible = Callable[..., QuerySet[Any]]  # (*, user, agency) -> the objects the user may see

_VISIBLE: dict[str, Visible] = {}


def register(object_type: str, visible: Visible) -> None:
    _VISIBLE[object_type] = visible


def entry_visible(event: AuditEvent, *, user: Any, agency: Any = None) -> bool:
    visible = _VISIBLE.get(event.object_type)
    if visible is None or not event.object_id.isdigit():
        return False
    return visible(user=user, agency=agency).filter(pk=int(event.object_id)).exists()


def access_entry(*, user: Any, agency: Any = None, **lookup: Any) -> AuditEvent:
    """The entry (by ``leaf_index`` or ``pk``) if the user may see what it records, else 404:
    the same answer whether it does not exist or is not theirs to read."""
    event = AuditEvent.objects.filter(**lookup).first()
    if event is None or not entry_visible(event, user=user, agency=agency):
        raise Http404
    return event
