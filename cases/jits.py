"""Writes for joint investigation teams: the agreement, invitations, answers and leaving.

Every change of the agreement or its membership is also a dated amendment on the JIT; a change
of who is in the circle re-derives the case's permission rows and sends ``jit_circle_changed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Jurisdiction, Membership
from agencies.providers import refuse_provider
from agencies.selectors import active_members
from audit.services import audit_log
from cases.checks import check_editable, check_named_users, full_clean
from cases.models import Case, JITAmendment, JITMembership, JointInvestigationTeam
from cases.permissions import sync_case_tree_permissions
from cases.selectors import can_manage_jit, is_agency_admin
from cases.signals import jit_circle_changed
from notifications.models import Notification
from notifications.sentences import source_label
from notifications.services import notifications_settle, notify

NO_LEGAL_BASIS = (
    "{agency} is in another jurisdiction ({theirs}; the JIT leader {leader} is in {ours}). "
    "The JIT has no legal basis: record one on the JIT agreement (EU JIT agreement, "
    "Budapest Convention, bilateral MLA treaty or other, with its text) before inviting."
)
BASIS_DOES_NOT_COVER = (
    "The legal basis '{basis}' does not cover {agency} ({theirs}): it is not in {regime}. "
    "Record a legal basis that covers it (e.g. a bilateral MLA treaty) before inviting."
)
JIT_CLOSED = "This JIT is closed."
ALREADY_MEMBER = "{agency} is already {status} in this JIT."
NOT_INVITED = "{agency} has no open invitation to this JIT (it is {status})."
NOT_ACCEPTED = "{agency} is not a current member of this JIT (it is {status})."
LEADER_CANNOT_LEAVE = "The leader agency cannot leave its own JIT; close the JIT instead."
NOT_AGENCY_ADMIN = "Only an admin of {agency} can answer for it."
LEAVE_NOT_ALLOWED = "Only the member's admins or the lead agency can do this."
UNKNOWN_ROLE = "Choose one of: {roles}."
AGENCY_INACTIVE = "{agency} is not active."

# Legal bases that only cover the member countries of a regime (participants are exempt).
REGIME_OF_BASIS: dict[str, str] = {
    JointInvestigationTeam.LegalBasis.EU_JIT: "EU",
    JointInvestigationTeam.LegalBasis.BUDAPEST: "BUDAPEST",
}


def _amend(
    jit: JointInvestigationTeam,
    kind: str,
    actor: Any,
    description: str,
    agency: Agency | None = None,
    changes: dict | None = None,
    effective_date: dt.date | None = None,
) -> JITAmendment:
    return JITAmendment.objects.create(
        jit=jit,
        kind=kind,
        actor=actor,
        agency=agency,
        description=description,
        changes=changes or {},
        effective_date=effective_date or timezone.localdate(),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, str):
        return sorted(str(v) for v in value)
    return value


@transaction.atomic
def jit_create(
    *,
    actor: Any,
    case: Case,
    name: str,
    purpose: str = "",
    legal_basis: str = "",
    legal_basis_text: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    states_of_operation: Iterable[Jurisdiction] = (),
    status: str = JointInvestigationTeam.Status.ACTIVE,
) -> JointInvestigationTeam:
    leader = case.lead_agency
    jit = JointInvestigationTeam(
        case=case,
        name=name,
        purpose=purpose,
        legal_basis=legal_basis or "",
        legal_basis_text=legal_basis_text,
        period_start=period_start,
        period_end=period_end,
        leader=leader,
        status=status,
        created_by=actor,
    )
    full_clean(jit)
    jit.save()
    jit.states_of_operation.set(states_of_operation)
    JITMembership.objects.create(
        jit=jit,
        agency=leader,
        role=JITMembership.Role.PARTY,
        status=JITMembership.Status.ACCEPTED,
        invited_by=actor,
        responded_by=actor,
        responded_at=timezone.now(),
    )
    _amend(
        jit,
        JITAmendment.Kind.CREATED,
        actor,
        f"Agreement created; legal basis: {jit.get_legal_basis_display()}",
        agency=leader,
        effective_date=period_start,
    )
    audit_log(
        actor=actor,
        action="jit.created",
        obj=jit,
        agency=leader,
        summary={"case": case.reference, "name": name, "legal_basis": jit.legal_basis},
    )
    return jit


JIT_EDITABLE = {
    "name",
    "purpose",
    "legal_basis",
    "legal_basis_text",
    "period_start",
    "period_end",
    "status",
}


@transaction.atomic
def jit_update(*, actor: Any, jit: JointInvestigationTeam, **fields: Any) -> JointInvestigationTeam:
    """Change the agreement. A later end date is an extension; status closed ends membership."""
    states = fields.pop("states_of_operation", None)
    check_editable(fields, JIT_EDITABLE)
    jit = JointInvestigationTeam.objects.select_for_update().get(pk=jit.pk)
    if jit.is_closed:
        raise ValidationError(JIT_CLOSED)
    old_end = jit.period_end
    changes = {
        name: [_jsonable(getattr(jit, name)), _jsonable(value)]
        for name, value in fields.items()
        if getattr(jit, name) != value
    }
    for name, value in fields.items():
        setattr(jit, name, value if value is not None or name.startswith("period") else "")
    extended = bool(old_end and jit.period_end and jit.period_end > old_end)
    if extended and "status" not in fields:
        jit.status = JointInvestigationTeam.Status.EXTENDED
        changes["status"] = [JointInvestigationTeam.Status.ACTIVE, jit.status]
    full_clean(jit)
    jit.save()
    if states is not None:
        before = {j.code for j in jit.states_of_operation.all()}
        after = {j.code for j in states}
        if before != after:
            changes["states_of_operation"] = [sorted(before), sorted(after)]
        jit.states_of_operation.set(states)
    if jit.is_closed:
        kind = JITAmendment.Kind.CLOSED
    elif extended:
        kind = JITAmendment.Kind.EXTENDED
    else:
        kind = JITAmendment.Kind.CHANGED
    if changes:
        _amend(jit, kind, actor, "", agency=jit.leader, changes=changes)
    sync_case_tree_permissions(jit.case)
    jit_circle_changed.send(sender=JointInvestigationTeam, jit=jit)
    audit_log(
        actor=actor,
        action="jit.closed" if jit.is_closed else "jit.updated",
        obj=jit,
        agency=jit.leader,
        summary={"changes": changes},
    )
    return jit


def _check_legal_basis(jit: JointInvestigationTeam, agency: Agency, role: str) -> None:
    leader = jit.leader
    if agency.country_id == leader.country_id:
        return
    if not jit.has_legal_basis:
        raise ValidationError(
            {
                "legal_basis": NO_LEGAL_BASIS.format(
                    agency=agency.code,
                    theirs=agency.country.code,
                    leader=leader.code,
                    ours=leader.country.code,
                )
            }
        )
    regime = REGIME_OF_BASIS.get(jit.legal_basis)
    if (
        regime
        and role == JITMembership.Role.PARTY
        and Jurisdiction.objects.filter(code=regime).exists()
        and regime not in agency.jurisdiction_codes()
    ):
        raise ValidationError(
            {
                "agency": BASIS_DOES_NOT_COVER.format(
                    basis=jit.get_legal_basis_display(),
                    agency=agency.code,
                    theirs=agency.country.code,
                    regime=regime,
                )
            }
        )


@transaction.atomic
def jit_invite(
    *,
    actor: Any,
    jit: JointInvestigationTeam,
    agency: Agency,
    role: str = JITMembership.Role.PARTY,
    seconded_members: Iterable[Any] = (),
) -> JITMembership:
    jit = (
        JointInvestigationTeam.objects.select_for_update()
        .select_related("leader__country")
        .get(pk=jit.pk)
    )
    if jit.is_closed:
        raise ValidationError(JIT_CLOSED)
    if role not in JITMembership.Role.values:
        raise ValidationError(
            {"role": UNKNOWN_ROLE.format(roles=", ".join(JITMembership.Role.values))}
        )
    if not agency.active:
        raise ValidationError({"agency": AGENCY_INACTIVE.format(agency=agency.code)})
    refuse_provider(agency, what="JIT invitations")
    membership = JITMembership.objects.filter(jit=jit, agency=agency).first()
    if membership and membership.status in (
        JITMembership.Status.INVITED,
        JITMembership.Status.ACCEPTED,
    ):
        raise ValidationError(
            {"agency": ALREADY_MEMBER.format(agency=agency.code, status=membership.status)}
        )
    _check_legal_basis(jit, agency, role)
    seconded = check_named_users(seconded_members, {agency.pk})
    membership = membership or JITMembership(jit=jit, agency=agency)
    membership.role = role
    membership.status = JITMembership.Status.INVITED
    membership.invited_by = actor
    membership.invited_at = timezone.now()
    membership.responded_by = None
    membership.responded_at = None
    membership.save()
    membership.seconded_members.set(seconded)
    _amend(
        jit,
        JITAmendment.Kind.MEMBER_INVITED,
        actor,
        f"{agency.code} invited as {membership.get_role_display()}",
        agency=agency,
        changes={"role": role, "seconded_members": [u.username for u in seconded]},
    )
    notify(
        users=active_members(agency=agency, roles={Membership.Role.AGENCY_ADMIN}),
        kind=Notification.Kind.JIT_INVITATION,
        about=membership,
        link=reverse("cases:inbox"),
        subject=jit.name,
        params={
            "jit": jit.name,
            "leader": jit.leader.code,
            "agency": agency.code,
            "role_label": source_label(JITMembership.Role(role).label),
        },
        skip=actor,
    )
    audit_log(
        actor=actor,
        action="jit.member_invited",
        obj=jit,
        agency=jit.leader,
        summary={"agency": agency.code, "role": role},
    )
    return membership


def _require_agency_admin(actor: Any, of: Agency, agency: Agency | None = None) -> None:
    if not is_agency_admin(user=actor, of=of, agency=agency):
        raise PermissionDenied(NOT_AGENCY_ADMIN.format(agency=of.code))


def _locked(membership: JITMembership) -> JITMembership:
    return (
        JITMembership.objects.select_for_update()
        .select_related("jit__case", "agency")
        .get(pk=membership.pk)
    )


def _record_answer(
    membership: JITMembership, status: str, kind: str, *, actor: Any, agency: Agency
) -> JITMembership:
    """Set the member's new status, as an amendment too; the circle changed: re-derive access."""
    membership.status = status
    membership.responded_by = actor
    membership.responded_at = timezone.now()
    membership.save(update_fields=["status", "responded_by", "responded_at"])
    code = membership.agency.code
    _amend(membership.jit, kind, actor, f"{code} {membership.status}", agency=membership.agency)
    sync_case_tree_permissions(membership.jit.case)
    jit_circle_changed.send(sender=JointInvestigationTeam, jit=membership.jit)
    audit_log(
        actor=actor,
        action=f"jit.member_{membership.status}",
        obj=membership.jit,
        agency=agency,
        summary={"agency": code},
    )
    return membership


@transaction.atomic
def jit_respond(
    *, actor: Any, membership: JITMembership, accept: bool, agency: Agency | None = None
) -> JITMembership:
    """The invited agency's admin accepts or declines."""
    membership = _locked(membership)
    _require_agency_admin(actor, membership.agency, agency)
    if membership.status != JITMembership.Status.INVITED:
        raise ValidationError(
            NOT_INVITED.format(agency=membership.agency.code, status=membership.status)
        )
    if membership.jit.is_closed:
        raise ValidationError(JIT_CLOSED)
    if accept:
        status, kind = JITMembership.Status.ACCEPTED, JITAmendment.Kind.MEMBER_ACCEPTED
    else:
        status, kind = JITMembership.Status.DECLINED, JITAmendment.Kind.MEMBER_DECLINED
    notifications_settle(about=membership, kind=Notification.Kind.JIT_INVITATION)
    return _record_answer(membership, status, kind, actor=actor, agency=membership.agency)


@transaction.atomic
def jit_leave(
    *, actor: Any, membership: JITMembership, agency: Agency | None = None
) -> JITMembership:
    """The member agency's admin leaves, or the case's editors remove the member."""
    membership = _locked(membership)
    if not (
        is_agency_admin(user=actor, of=membership.agency, agency=agency)
        or can_manage_jit(user=actor, jit=membership.jit, agency=agency)
    ):
        raise PermissionDenied(LEAVE_NOT_ALLOWED)
    if membership.agency_id == membership.jit.leader_id:
        raise ValidationError(LEADER_CANNOT_LEAVE)
    if membership.status != JITMembership.Status.ACCEPTED:
        raise ValidationError(
            NOT_ACCEPTED.format(agency=membership.agency.code, status=membership.status)
        )
    return _record_answer(
        membership,
        JITMembership.Status.LEFT,
        JITAmendment.Kind.MEMBER_LEFT,
        actor=actor,
        agency=agency or membership.agency,
    )
