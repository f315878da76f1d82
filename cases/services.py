"""Writes for cases, their tasks and notes, and the one update flow evidence shares with them.

Each service validates, writes in one transaction, re-derives permission rows and writes
its audit event last (the audit append holds the log lock until commit). JIT writes are
in ``cases.jits``, evidence intake and custody in ``cases.evidence``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import TLP, Agency, HandlingCode, Membership
from audit.services import audit_log
from cases.checks import (
    NAMED_USER_OUTSIDE,
    check_categories,
    check_editable,
    check_handling,
    check_named_users,
    clean_tags,
    full_clean,
    require_in_circle,
    require_member,
)
from cases.models import Case, CaseCounter, Evidence, Note, Task
from cases.permissions import (
    circle_agency_ids,
    sync_case_permissions,
    sync_case_tree_permissions,
    sync_note_permissions,
    sync_task_permissions,
)

Item = TypeVar("Item", Case, Evidence, Task, Note)


# --- the update flow shared by cases, evidence, tasks and notes -------------------------------


def item_circle(item: Evidence | Task | Note) -> set[int]:
    """Who may be named on an item: the case's circle and the owning agency (even if it left)."""
    return circle_agency_ids(item.case) | {item.agency_id}


def set_named_users(
    obj: Item,
    named_users: Iterable[Any] | None,
    actor: Any,
    circle: Callable[[Any], set[int]],
    record: bool = False,
) -> list[list[int]] | None:
    """Set the named users (when given) from ``circle``; a RED object always names its actor.

    With ``record``, returns the change as ``[before, after]`` user ids (None if none).
    """
    change = None
    if named_users is not None:
        named = check_named_users(named_users, circle(obj))
        if record:
            before = set(obj.named_users.values_list("pk", flat=True))
            if before != {user.pk for user in named}:
                change = [sorted(before), sorted(user.pk for user in named)]
        obj.named_users.set(named)
    if obj.tlp == TLP.RED and not obj.named_users.filter(pk=actor.pk).exists():
        obj.named_users.add(actor)
    return change


def _as_is(value: Any) -> Any:
    return value


def _no_check(obj: Any) -> None:
    return None


def _no_summary(obj: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Edit(Generic[Item]):
    """What an update of one kind of object may change, how it checks it and how it is audited."""

    action: str  # the audit action
    editable: frozenset[str]  # besides named_users
    sync: Callable[[Item], object]  # re-derives the permission rows
    normalise: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    check: Callable[[Item], None] = _no_check  # on the changed object, before full_clean
    shown: Callable[[Any], Any] = _as_is  # how old and new values appear in the audit summary
    unrecorded: frozenset[str] = frozenset()  # changed, but kept out of the audit summary
    named_circle: Callable[[Any], set[int]] = item_circle  # agencies whose members may be named
    record_named_users: bool = False
    stamp: str = ""  # a timestamp field set on every update
    summary: Callable[[Item], dict[str, Any]] = _no_summary  # audited beside the changes


def apply_edit(
    edit: Edit[Item], obj: Item, *, actor: Any, agency: Agency, fields: dict[str, Any]
) -> Item:
    """Check, change and save ``obj``, set its named users, re-derive access, audit."""
    named_users = fields.pop("named_users", None)
    check_editable(fields, edit.editable)
    for name, normalise in edit.normalise.items():
        if name in fields:
            fields[name] = normalise(fields[name])
    changes = {
        name: [edit.shown(getattr(obj, name)), edit.shown(value)]
        for name, value in fields.items()
        if name not in edit.unrecorded and getattr(obj, name) != value
    }
    for name, value in fields.items():
        setattr(obj, name, value)
    edit.check(obj)
    full_clean(obj)
    if edit.stamp:
        setattr(obj, edit.stamp, timezone.now())
    obj.save()
    named_change = set_named_users(
        obj, named_users, actor, edit.named_circle, record=edit.record_named_users
    )
    if named_change:
        changes["named_users"] = named_change
    edit.sync(obj)
    audit_log(
        actor=actor,
        action=edit.action,
        obj=obj,
        agency=agency,
        summary={**edit.summary(obj), "changes": changes},
    )
    return obj


# --- cases -------------------------------------------------------------------------------------


def _allocate_reference(agency: Agency, year: int) -> str:
    """Next number for agency/year: the counter row is locked until the transaction ends."""
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{agency.code}-{year}-{counter.last:04d}"


@transaction.atomic
def case_open(
    *,
    actor: Any,
    lead_agency: Agency,
    title: str,
    summary: str = "",
    status: str = Case.Status.OPEN,
    tlp: str = TLP.AMBER,
    handling_code: str = HandlingCode.H0,
    handling_text: str = "",
    offence_categories: Iterable[str] = (),
    tags: Iterable[str] = (),
    named_users: Iterable[Any] = (),
) -> Case:
    require_member(actor, lead_agency)
    check_handling(handling_code, handling_text)
    now = timezone.now()
    case = Case(
        reference="pending",
        title=title,
        summary=summary,
        lead_agency=lead_agency,
        status=status,
        tlp=tlp,
        handling_code=handling_code,
        handling_text=handling_text,
        offence_categories=check_categories(offence_categories),
        tags=clean_tags(tags),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    full_clean(case, exclude=["reference"])
    named = check_named_users(named_users, {lead_agency.pk})
    case.reference = _allocate_reference(lead_agency, timezone.localdate(now).year)
    case.save()
    if tlp == TLP.RED and actor not in named:
        named.append(actor)
    case.named_users.set(named)
    sync_case_permissions(case)
    audit_log(
        actor=actor,
        action="case.opened",
        obj=case,
        agency=lead_agency,
        summary={"reference": case.reference, "title": title, "tlp": tlp},
    )
    return case


CASE_EDIT: Edit[Case] = Edit(
    action="case.updated",
    editable=frozenset(
        {
            "title",
            "summary",
            "status",
            "tlp",
            "handling_code",
            "handling_text",
            "offence_categories",
            "tags",
        }
    ),
    normalise={"offence_categories": check_categories, "tags": clean_tags},
    check=lambda case: check_handling(case.handling_code, case.handling_text),
    named_circle=circle_agency_ids,
    record_named_users=True,
    stamp="updated_at",
    # A changed TLP or circle reaches everything in the case.
    sync=sync_case_tree_permissions,
    summary=lambda case: {"reference": case.reference},
)


@transaction.atomic
def case_update(*, actor: Any, case: Case, agency: Agency | None = None, **fields: Any) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    return apply_edit(
        CASE_EDIT, case, actor=actor, agency=agency or case.lead_agency, fields=fields
    )


def case_record_view(*, actor: Any, case: Case, agency: Agency | None = None) -> None:
    """Reading a case is audited."""
    audit_log(
        actor=actor,
        action="case.viewed",
        obj=case,
        agency=agency,
        summary={"reference": case.reference},
    )


# --- tasks and notes ---------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    title: str,
    description: str = "",
    assignee: Any = None,
    due_date: dt.date | None = None,
    tlp: str = TLP.AMBER,
    named_users: Iterable[Any] = (),
) -> Task:
    require_member(actor, agency)
    circle = require_in_circle(case, agency)
    if (
        assignee is not None
        and not Membership.objects.filter(
            user=assignee, agency_id__in=circle, status=Membership.Status.ACTIVE
        ).exists()
    ):
        raise ValidationError({"assignee": NAMED_USER_OUTSIDE.format(user=assignee.username)})
    task = Task(
        case=case,
        agency=agency,
        title=title,
        description=description,
        assignee=assignee,
        due_date=due_date,
        tlp=tlp,
        created_by=actor,
    )
    full_clean(task)
    task.save()
    set_named_users(task, named_users, actor, item_circle)
    sync_task_permissions(task, circle=circle)
    audit_log(
        actor=actor,
        action="task.created",
        obj=task,
        agency=agency,
        summary={"case": case.reference, "title": title, "tlp": tlp},
    )
    return task


TASK_EDIT: Edit[Task] = Edit(
    action="task.updated",
    editable=frozenset({"title", "description", "assignee", "due_date", "status", "tlp"}),
    shown=str,  # assignees and dates as text in the audit summary
    sync=sync_task_permissions,
)


@transaction.atomic
def task_update(*, actor: Any, task: Task, agency: Agency | None = None, **fields: Any) -> Task:
    return apply_edit(TASK_EDIT, task, actor=actor, agency=agency or task.agency, fields=fields)


@transaction.atomic
def note_add(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    body: str,
    tlp: str = TLP.AMBER,
    named_users: Iterable[Any] = (),
) -> Note:
    require_member(actor, agency)
    circle = require_in_circle(case, agency)
    note = Note(case=case, agency=agency, body=body, tlp=tlp, author=actor)
    full_clean(note)
    note.save()
    set_named_users(note, named_users, actor, item_circle)
    sync_note_permissions(note, circle=circle)
    audit_log(
        actor=actor,
        action="note.added",
        obj=note,
        agency=agency,
        summary={"case": case.reference, "tlp": tlp, "length": len(body)},
    )
    return note


NOTE_EDIT: Edit[Note] = Edit(
    action="note.updated",
    editable=frozenset({"body", "tlp"}),
    unrecorded=frozenset({"body"}),  # the audit log must not copy what the note says
    sync=sync_note_permissions,
)


@transaction.atomic
def note_update(*, actor: Any, note: Note, agency: Agency | None = None, **fields: Any) -> Note:
    return apply_edit(NOTE_EDIT, note, actor=actor, agency=agency or note.agency, fields=fields)
