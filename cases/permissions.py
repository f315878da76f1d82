"""Derived guardian rows for cases, evidence, tasks and notes: who sees what, in one place.

Rules (DESIGN.md, access control):
- the *circle* of a case is its lead agency plus every agency whose membership in one of the
  case's (not closed) JITs is accepted; invited, declined and left members are outside it;
- a case at CLEAR/GREEN/AMBER is seen by its circle; AMBER+STRICT only by its lead agency;
  RED only by its named users who still belong to a circle agency. The lead agency edits;
- evidence, tasks and notes belong to an owning agency. CLEAR/GREEN/AMBER items are seen by
  whoever sees the case through its agency group (plus the owner; a RED case's named users
  too); AMBER+STRICT items stay with the owning agency; RED items go to their named users in
  the circle. The owning agency edits (RED: its named users).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agencies.access import replace_object_permissions
from agencies.models import TLP, Agency, Membership
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Evidence,
    EvidenceGroupObjectPermission,
    EvidenceUserObjectPermission,
    JITMembership,
    JointInvestigationTeam,
    Note,
    NoteGroupObjectPermission,
    NoteUserObjectPermission,
    Task,
    TaskGroupObjectPermission,
    TaskUserObjectPermission,
)

User = get_user_model()


def circle_agency_ids(case: Case) -> set[int]:
    """The lead agency and the agencies with an accepted membership in an open JIT of the case."""
    accepted = JITMembership.objects.filter(
        jit__case=case, status=JITMembership.Status.ACCEPTED
    ).exclude(jit__status=JointInvestigationTeam.Status.CLOSED)
    return {case.lead_agency_id, *accepted.values_list("agency_id", flat=True)}


def _groups(agency_ids: Iterable[int]) -> list[Group]:
    ids = set(agency_ids)
    if not ids:
        return []
    return list(Group.objects.filter(pk__in=Agency.objects.filter(pk__in=ids).values("group_id")))


def _eligible_named_users(obj: Any, agency_ids: Iterable[int]) -> list[Any]:
    """Named users who still have an active membership in one of ``agency_ids``."""
    ids = set(agency_ids)
    if not ids:
        return []
    active = Membership.objects.filter(
        status=Membership.Status.ACTIVE, agency__active=True, agency_id__in=ids
    ).values("user_id")
    return list(obj.named_users.filter(pk__in=active, is_active=True))


def _case_group_audience(case: Case, circle: set[int]) -> set[int]:
    if case.tlp == TLP.RED:
        return set()
    if case.tlp == TLP.AMBER_STRICT:
        return {case.lead_agency_id}
    return circle


def sync_case_permissions(case: Case, *, circle: set[int] | None = None) -> None:
    circle = circle_agency_ids(case) if circle is None else circle
    groups: dict[str, list[Group]] = {"view_case": [], "change_case": []}
    users: dict[str, list[Any]] = {"view_case": [], "change_case": []}
    if case.tlp == TLP.RED:
        users["view_case"] = _eligible_named_users(case, circle)
        users["change_case"] = _eligible_named_users(case, {case.lead_agency_id})
    else:
        groups["view_case"] = _groups(_case_group_audience(case, circle))
        groups["change_case"] = _groups({case.lead_agency_id})
    replace_object_permissions(
        case,
        group_model=CaseGroupObjectPermission,
        user_model=CaseUserObjectPermission,
        groups=groups,
        users=users,
    )


def _sync_child(
    obj: Evidence | Task | Note,
    *,
    name: str,
    group_model: type,
    user_model: type,
    circle: set[int] | None = None,
    case: Case | None = None,
) -> None:
    # The object's cached case may be stale (its TLP just changed): read it afresh.
    case = case or Case.objects.get(pk=obj.case_id)
    circle = circle_agency_ids(case) if circle is None else circle
    view, change = f"view_{name}", f"change_{name}"
    groups: dict[str, list[Group]] = {view: [], change: []}
    users: dict[str, list[Any]] = {view: [], change: []}
    if obj.tlp == TLP.RED:
        users[view] = _eligible_named_users(obj, circle | {obj.agency_id})
        users[change] = _eligible_named_users(obj, {obj.agency_id})
    elif obj.tlp == TLP.AMBER_STRICT:
        groups[view] = groups[change] = _groups({obj.agency_id})
    else:
        groups[view] = _groups(_case_group_audience(case, circle) | {obj.agency_id})
        groups[change] = _groups({obj.agency_id})
        if case.tlp == TLP.RED:
            users[view] = _eligible_named_users(case, circle)
    replace_object_permissions(
        obj, group_model=group_model, user_model=user_model, groups=groups, users=users
    )


def sync_evidence_permissions(
    evidence: Evidence, *, circle: set[int] | None = None, case: Case | None = None
) -> None:
    _sync_child(
        evidence,
        case=case,
        name="evidence",
        group_model=EvidenceGroupObjectPermission,
        user_model=EvidenceUserObjectPermission,
        circle=circle,
    )


def sync_task_permissions(
    task: Task, *, circle: set[int] | None = None, case: Case | None = None
) -> None:
    _sync_child(
        task,
        case=case,
        name="task",
        group_model=TaskGroupObjectPermission,
        user_model=TaskUserObjectPermission,
        circle=circle,
    )


def sync_note_permissions(
    note: Note, *, circle: set[int] | None = None, case: Case | None = None
) -> None:
    _sync_child(
        note,
        case=case,
        name="note",
        group_model=NoteGroupObjectPermission,
        user_model=NoteUserObjectPermission,
        circle=circle,
    )


def sync_case_tree_permissions(case: Case) -> None:
    """Re-sync a case and everything in it (after its circle or TLP changes)."""
    circle = circle_agency_ids(case)
    sync_case_permissions(case, circle=circle)
    for evidence in case.evidence.all():
        sync_evidence_permissions(evidence, circle=circle, case=case)
    for task in case.tasks.all():
        sync_task_permissions(task, circle=circle, case=case)
    for note in case.notes.all():
        sync_note_permissions(note, circle=circle, case=case)
