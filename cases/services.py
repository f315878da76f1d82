"""Writes for cases, JITs, evidence, tasks and notes.

Each service validates, writes in one transaction, re-derives permission rows and writes
its audit event last (the audit append holds the chain lock until commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import TLP, Agency, HandlingCode, Jurisdiction, Membership
from agencies.selectors import is_member
from audit.services import audit_log
from cases.files import hash_stored, store_streaming
from cases.models import (
    Case,
    CaseCounter,
    CustodyEvent,
    Evidence,
    JITAmendment,
    JITMembership,
    JointInvestigationTeam,
    Note,
    OffenceCategory,
    Task,
    evidence_upload_to,
)
from cases.permissions import (
    circle_agency_ids,
    sync_case_permissions,
    sync_case_tree_permissions,
    sync_evidence_permissions,
    sync_note_permissions,
    sync_task_permissions,
)
from cases.selectors import can_manage_jit, is_agency_admin
from cases.signals import jit_circle_changed

User = get_user_model()

NOT_A_MEMBER = "You are not an active member of {agency}."
H3_NEEDS_TEXT = "Handling code H3 needs the restriction in words."
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
DISPOSED = "This evidence has been disposed of."
NAMED_USER_OUTSIDE = "{user} is not an active member of an agency taking part in this case."
NOT_EDITABLE = "This field cannot be changed."

# Legal bases that only cover the member countries of a regime (participants are exempt).
REGIME_OF_BASIS = {
    JointInvestigationTeam.LegalBasis.EU_JIT: "EU",
    JointInvestigationTeam.LegalBasis.BUDAPEST: "BUDAPEST",
}


# --- shared validation ---------------------------------------------------------------------------


def _require_member(actor: Any, agency: Agency) -> None:
    if not is_member(user=actor, of=agency):
        raise PermissionDenied(NOT_A_MEMBER.format(agency=agency.code))


def _check_handling(handling_code: str, handling_text: str) -> None:
    if handling_code == HandlingCode.H3 and not (handling_text or "").strip():
        raise ValidationError({"handling_text": H3_NEEDS_TEXT})


def _check_categories(categories: Iterable[str]) -> list[str]:
    categories = list(dict.fromkeys(categories or []))
    unknown = [c for c in categories if c not in OffenceCategory.values]
    if unknown:
        raise ValidationError(
            {"offence_categories": f"Unknown offence categories: {', '.join(unknown)}."}
        )
    return categories


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = [t.strip().lower() for t in tags or [] if t and t.strip()]
    if any(len(t) > 50 for t in cleaned):
        raise ValidationError({"tags": "A tag has at most 50 characters."})
    return list(dict.fromkeys(cleaned))


def _check_named_users(users: Iterable[Any], agency_ids: set[int]) -> list[Any]:
    users = list(users or [])
    active = set(
        Membership.objects.filter(
            user__in=users, agency_id__in=agency_ids, status=Membership.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )
    for user in users:
        if user.pk not in active:
            raise ValidationError({"named_users": NAMED_USER_OUTSIDE.format(user=user.username)})
    return users


def _check_editable(fields: dict[str, Any], editable: set[str]) -> None:
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError({name: NOT_EDITABLE for name in unknown})


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


# --- cases ---------------------------------------------------------------------------------------


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
    _require_member(actor, lead_agency)
    _check_handling(handling_code, handling_text)
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
        offence_categories=_check_categories(offence_categories),
        tags=_clean_tags(tags),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _full_clean(case, exclude=["reference"])
    named = _check_named_users(named_users, {lead_agency.pk})
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


CASE_EDITABLE = {
    "title",
    "summary",
    "status",
    "tlp",
    "handling_code",
    "handling_text",
    "offence_categories",
    "tags",
}


@transaction.atomic
def case_update(*, actor: Any, case: Case, agency: Agency | None = None, **fields: Any) -> Case:
    named_users = fields.pop("named_users", None)
    _check_editable(fields, CASE_EDITABLE)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if "offence_categories" in fields:
        fields["offence_categories"] = _check_categories(fields["offence_categories"])
    if "tags" in fields:
        fields["tags"] = _clean_tags(fields["tags"])
    changes = {
        name: [getattr(case, name), value]
        for name, value in fields.items()
        if getattr(case, name) != value
    }
    for name, value in fields.items():
        setattr(case, name, value)
    _check_handling(case.handling_code, case.handling_text)
    _full_clean(case)
    case.updated_at = timezone.now()
    case.save()
    if named_users is not None:
        named = _check_named_users(named_users, circle_agency_ids(case))
        before = set(case.named_users.values_list("pk", flat=True))
        if before != {u.pk for u in named}:
            changes["named_users"] = [sorted(before), sorted(u.pk for u in named)]
        case.named_users.set(named)
    if case.tlp == TLP.RED and not case.named_users.filter(pk=actor.pk).exists():
        case.named_users.add(actor)
    sync_case_tree_permissions(case)
    audit_log(
        actor=actor,
        action="case.updated",
        obj=case,
        agency=agency or case.lead_agency,
        summary={"reference": case.reference, "changes": changes},
    )
    return case


def case_record_view(*, actor: Any, case: Case, agency: Agency | None = None) -> None:
    """Reading a case is audited."""
    audit_log(
        actor=actor,
        action="case.viewed",
        obj=case,
        agency=agency,
        summary={"reference": case.reference},
    )


# --- JITs ----------------------------------------------------------------------------------------


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
    _full_clean(jit)
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
    _check_editable(fields, JIT_EDITABLE)
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
    _full_clean(jit)
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
        raise ValidationError({"role": f"Choose one of: {', '.join(JITMembership.Role.values)}."})
    if not agency.active:
        raise ValidationError({"agency": f"{agency.code} is not active."})
    membership = JITMembership.objects.filter(jit=jit, agency=agency).first()
    if membership and membership.status in (
        JITMembership.Status.INVITED,
        JITMembership.Status.ACCEPTED,
    ):
        raise ValidationError(
            {"agency": ALREADY_MEMBER.format(agency=agency.code, status=membership.status)}
        )
    _check_legal_basis(jit, agency, role)
    seconded = _check_named_users(seconded_members, {agency.pk})
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


@transaction.atomic
def jit_respond(
    *, actor: Any, membership: JITMembership, accept: bool, agency: Agency | None = None
) -> JITMembership:
    """The invited agency's admin accepts or declines."""
    membership = (
        JITMembership.objects.select_for_update()
        .select_related("jit__case", "agency")
        .get(pk=membership.pk)
    )
    _require_agency_admin(actor, membership.agency, agency)
    if membership.status != JITMembership.Status.INVITED:
        raise ValidationError(
            NOT_INVITED.format(agency=membership.agency.code, status=membership.status)
        )
    if membership.jit.is_closed:
        raise ValidationError(JIT_CLOSED)
    membership.status = JITMembership.Status.ACCEPTED if accept else JITMembership.Status.DECLINED
    membership.responded_by = actor
    membership.responded_at = timezone.now()
    membership.save(update_fields=["status", "responded_by", "responded_at"])
    kind = JITAmendment.Kind.MEMBER_ACCEPTED if accept else JITAmendment.Kind.MEMBER_DECLINED
    _amend(
        membership.jit,
        kind,
        actor,
        f"{membership.agency.code} {membership.status}",
        agency=membership.agency,
    )
    sync_case_tree_permissions(membership.jit.case)
    jit_circle_changed.send(sender=JointInvestigationTeam, jit=membership.jit)
    audit_log(
        actor=actor,
        action=f"jit.member_{membership.status}",
        obj=membership.jit,
        agency=membership.agency,
        summary={"agency": membership.agency.code},
    )
    return membership


@transaction.atomic
def jit_leave(
    *, actor: Any, membership: JITMembership, agency: Agency | None = None
) -> JITMembership:
    """The member agency's admin leaves, or the case's editors remove the member."""
    membership = (
        JITMembership.objects.select_for_update()
        .select_related("jit__case", "agency")
        .get(pk=membership.pk)
    )
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
    membership.status = JITMembership.Status.LEFT
    membership.responded_by = actor
    membership.responded_at = timezone.now()
    membership.save(update_fields=["status", "responded_by", "responded_at"])
    _amend(
        membership.jit,
        JITAmendment.Kind.MEMBER_LEFT,
        actor,
        f"{membership.agency.code} left",
        agency=membership.agency,
    )
    sync_case_tree_permissions(membership.jit.case)
    jit_circle_changed.send(sender=JointInvestigationTeam, jit=membership.jit)
    audit_log(
        actor=actor,
        action="jit.member_left",
        obj=membership.jit,
        agency=agency or membership.agency,
        summary={"agency": membership.agency.code},
    )
    return membership


# --- evidence ------------------------------------------------------------------------------------


def _custody(
    evidence: Evidence, kind: str, actor: Any, agency: Agency | None, **extra: Any
) -> CustodyEvent:
    return CustodyEvent.objects.create(
        evidence=evidence, kind=kind, actor=actor, agency=agency, **extra
    )


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    file: Any,
    title: str,
    collected_by: str,
    collected_at: dt.datetime,
    collected_where: str,
    description: str = "",
    tlp: str = TLP.AMBER,
    handling_code: str = HandlingCode.H0,
    handling_text: str = "",
    named_users: Iterable[Any] = (),
) -> Evidence:
    """Store the upload in one streaming pass (hash and size on the way) and open its custody."""
    _require_member(actor, agency)
    _check_handling(handling_code, handling_text)
    circle = circle_agency_ids(case)
    if agency.pk not in circle:
        raise PermissionDenied("Your agency does not take part in this case.")
    if file is None:
        raise ValidationError({"file": "No file was submitted."})
    original_name = (getattr(file, "name", "") or "evidence.bin").rsplit("/", 1)[-1][:200]
    evidence = Evidence(
        case=case,
        agency=agency,
        custodian=agency,
        title=title,
        description=description,
        original_name=original_name,
        content_type=(getattr(file, "content_type", "") or "")[:100],
        collected_by=collected_by,
        collected_at=collected_at,
        collected_where=collected_where,
        tlp=tlp,
        handling_code=handling_code,
        handling_text=handling_text,
        uploaded_by=actor,
        size=0,
        sha256="0" * 64,
    )
    _full_clean(evidence, exclude=["file"])
    named = _check_named_users(named_users, circle)
    evidence.file.name, evidence.size, evidence.sha256 = store_streaming(
        file, evidence_upload_to(evidence, original_name)
    )
    try:
        evidence.save()
        if tlp == TLP.RED and actor not in named:
            named.append(actor)
        evidence.named_users.set(named)
        _custody(
            evidence,
            CustodyEvent.Kind.COLLECTED,
            actor,
            agency,
            sha256=evidence.sha256,
            purpose=f"Collected by {collected_by} at {collected_where}",
        )
        sync_evidence_permissions(evidence, circle=circle)
        audit_log(
            actor=actor,
            action="evidence.added",
            obj=evidence,
            agency=agency,
            summary={
                "case": case.reference,
                "title": title,
                "sha256": evidence.sha256,
                "size": evidence.size,
                "tlp": tlp,
            },
        )
    except BaseException:
        # The row rolls back with the transaction; the stored bytes must go too.
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_update(
    *, actor: Any, evidence: Evidence, agency: Agency | None = None, **fields: Any
) -> Evidence:
    named_users = fields.pop("named_users", None)
    _check_editable(fields, {"title", "description", "tlp", "handling_code", "handling_text"})
    changes = {k: [getattr(evidence, k), v] for k, v in fields.items() if getattr(evidence, k) != v}
    for name, value in fields.items():
        setattr(evidence, name, value)
    _check_handling(evidence.handling_code, evidence.handling_text)
    _full_clean(evidence)
    evidence.save()
    _set_named(evidence, named_users, actor)
    sync_evidence_permissions(evidence)
    audit_log(
        actor=actor,
        action="evidence.updated",
        obj=evidence,
        agency=agency or evidence.agency,
        summary={"changes": changes},
    )
    return evidence


def _set_named(obj: Any, named_users: Iterable[Any] | None, actor: Any) -> None:
    if named_users is not None:
        obj.named_users.set(
            _check_named_users(named_users, circle_agency_ids(obj.case) | {obj.agency_id})
        )
    if obj.tlp == TLP.RED and not obj.named_users.filter(pk=actor.pk).exists():
        obj.named_users.add(actor)


@transaction.atomic
def evidence_record_download(
    *, actor: Any, evidence: Evidence, agency: Agency | None
) -> CustodyEvent:
    if evidence.disposed_at:
        raise ValidationError(DISPOSED)
    event = _custody(evidence, CustodyEvent.Kind.DOWNLOADED, actor, agency, sha256=evidence.sha256)
    audit_log(
        actor=actor,
        action="evidence.downloaded",
        obj=evidence,
        agency=agency,
        summary={"sha256": evidence.sha256},
    )
    return event


@transaction.atomic
def evidence_verify(*, actor: Any, evidence: Evidence, agency: Agency | None) -> CustodyEvent:
    """Re-hash the stored file; record match or mismatch."""
    if evidence.disposed_at:
        raise ValidationError(DISPOSED)
    try:
        size, digest = hash_stored(evidence.file)
    except FileNotFoundError:
        size, digest = -1, ""
    result = CustodyEvent.Result.MATCH
    if digest != evidence.sha256 or size != evidence.size:
        result = CustodyEvent.Result.MISMATCH
    event = _custody(
        evidence, CustodyEvent.Kind.VERIFIED, actor, agency, sha256=digest, result=result
    )
    audit_log(
        actor=actor,
        action="evidence.verified",
        obj=evidence,
        agency=agency,
        summary={"result": result, "sha256": digest, "expected": evidence.sha256},
    )
    return event


@transaction.atomic
def evidence_custody(
    *,
    actor: Any,
    evidence: Evidence,
    agency: Agency | None,
    kind: str,
    purpose: str = "",
    to_agency: Agency | None = None,
) -> CustodyEvent:
    """Check out / check in (with purpose), transfer (to an agency in the case) or dispose."""
    evidence = Evidence.objects.select_for_update().select_related("case").get(pk=evidence.pk)
    if evidence.disposed_at:
        raise ValidationError(DISPOSED)
    kinds = CustodyEvent.Kind
    fields: list[str] = []
    if kind in (kinds.CHECKED_OUT, kinds.CHECKED_IN) and not purpose.strip():
        raise ValidationError({"purpose": "State the purpose."})
    if kind == kinds.CHECKED_OUT:
        if evidence.checked_out_by_id:
            raise ValidationError(f"Already checked out by {evidence.checked_out_by}.")
        evidence.checked_out_by = actor
        fields = ["checked_out_by"]
    elif kind == kinds.CHECKED_IN:
        if not evidence.checked_out_by_id:
            raise ValidationError("This evidence is not checked out.")
        evidence.checked_out_by = None
        fields = ["checked_out_by"]
    elif kind == kinds.TRANSFERRED:
        if to_agency is None:
            raise ValidationError({"to_agency": "Choose the agency that receives it."})
        if to_agency.pk not in circle_agency_ids(evidence.case):
            raise ValidationError(
                {"to_agency": f"{to_agency.code} does not take part in this case."}
            )
        evidence.custodian = to_agency
        fields = ["custodian"]
    elif kind == kinds.DISPOSED:
        evidence.disposed_at = timezone.now()
        fields = ["disposed_at"]
    else:
        raise ValidationError({"kind": "Choose checked_out, checked_in, transferred or disposed."})
    evidence.save(update_fields=fields)
    event = _custody(evidence, kind, actor, agency, purpose=purpose, to_agency=to_agency)
    audit_log(
        actor=actor,
        action=f"evidence.{kind}",
        obj=evidence,
        agency=agency,
        summary={"purpose": purpose, "to_agency": getattr(to_agency, "code", None)},
    )
    return event


# --- tasks and notes -----------------------------------------------------------------------------


def _child_agency_check(actor: Any, case: Case, agency: Agency) -> set[int]:
    _require_member(actor, agency)
    circle = circle_agency_ids(case)
    if agency.pk not in circle:
        raise PermissionDenied("Your agency does not take part in this case.")
    return circle


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
    circle = _child_agency_check(actor, case, agency)
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
    _full_clean(task)
    task.save()
    _set_named(task, named_users, actor)
    sync_task_permissions(task, circle=circle)
    audit_log(
        actor=actor,
        action="task.created",
        obj=task,
        agency=agency,
        summary={"case": case.reference, "title": title, "tlp": tlp},
    )
    return task


@transaction.atomic
def task_update(*, actor: Any, task: Task, agency: Agency | None = None, **fields: Any) -> Task:
    named_users = fields.pop("named_users", None)
    _check_editable(fields, {"title", "description", "assignee", "due_date", "status", "tlp"})
    changes = {
        k: [str(getattr(task, k)), str(v)] for k, v in fields.items() if getattr(task, k) != v
    }
    for name, value in fields.items():
        setattr(task, name, value)
    _full_clean(task)
    task.save()
    _set_named(task, named_users, actor)
    sync_task_permissions(task)
    audit_log(
        actor=actor,
        action="task.updated",
        obj=task,
        agency=agency or task.agency,
        summary={"changes": changes},
    )
    return task


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
    circle = _child_agency_check(actor, case, agency)
    note = Note(case=case, agency=agency, body=body, tlp=tlp, author=actor)
    _full_clean(note)
    note.save()
    _set_named(note, named_users, actor)
    sync_note_permissions(note, circle=circle)
    audit_log(
        actor=actor,
        action="note.added",
        obj=note,
        agency=agency,
        summary={"case": case.reference, "tlp": tlp, "length": len(body)},
    )
    return note


@transaction.atomic
def note_update(*, actor: Any, note: Note, agency: Agency | None = None, **fields: Any) -> Note:
    named_users = fields.pop("named_users", None)
    _check_editable(fields, {"body", "tlp"})
    changes = {k: [getattr(note, k), v] for k, v in fields.items() if k == "tlp" and note.tlp != v}
    for name, value in fields.items():
        setattr(note, name, value)
    _full_clean(note)
    note.save()
    _set_named(note, named_users, actor)
    sync_note_permissions(note)
    audit_log(
        actor=actor,
        action="note.updated",
        obj=note,
        agency=agency or note.agency,
        summary={"changes": changes},
    )
    return note
