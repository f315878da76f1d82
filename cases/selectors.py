"""Permission-filtered reads for cases, JITs, evidence, tasks, notes and the case timeline."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import get_visible_or_404, permission, principal_group_ids, visible_filter
from agencies.models import Agency, Membership
from agencies.selectors import administered_agencies, agencies_of, is_member
from audit.models import AuditEvent
from cases import timeline
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    CustodyEvent,
    Evidence,
    EvidenceGroupObjectPermission,
    EvidenceUserObjectPermission,
    JITAmendment,
    JITMembership,
    JointInvestigationTeam,
    Note,
    NoteGroupObjectPermission,
    NoteUserObjectPermission,
    Task,
    TaskGroupObjectPermission,
    TaskUserObjectPermission,
)
from cases.permissions import circle_agency_ids
from common.keyset import Grants, Window, grant_window

NOT_IN_CIRCLE = "You act for no agency that takes part in this case."


def _circle_case_ids(agency: Agency) -> QuerySet:
    """Cases whose circle holds ``agency``: it leads, or is an accepted member of an open JIT."""
    in_jit = (
        JITMembership.objects.filter(agency=agency, status=JITMembership.Status.ACCEPTED)
        .exclude(jit__status=JointInvestigationTeam.Status.CLOSED)
        .values("jit__case_id")
    )
    return Case.objects.filter(Q(lead_agency=agency) | Q(pk__in=in_jit)).values("pk")


def _visible(
    model: type[Case | Evidence | Task | Note],
    codename: str,
    group_model: type,
    user_model: type,
    user: Any,
    agency: Any,
) -> QuerySet:
    """With a key (``agency``), named-user grants count only in cases the agency takes part in."""
    grants = {"user": user, "codename": codename, "group_model": group_model}
    if agency is None:
        return model.objects.filter(visible_filter(**grants, user_model=user_model))
    by_group = visible_filter(**grants, agency=agency)
    named = visible_filter(**grants, user_model=user_model, agency=agency)
    in_circle = Q(**{"pk__in" if model is Case else "case_id__in": _circle_case_ids(agency)})
    return model.objects.filter(by_group | (named & in_circle))


# --- cases ----------------------------------------------------------------------------------


def cases_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Case]:
    return _visible(
        Case, "view_case", CaseGroupObjectPermission, CaseUserObjectPermission, user, agency
    ).select_related("lead_agency")


def cases_window(*, user: Any, agency: Agency | None = None) -> Window | None:
    """The first pages of ``cases_visible_to`` (unfiltered, newest first) driven from the
    grant indexes: each of the caller's groups' rows, and the caller's named-user rows (with
    a key, in the agency's circle only) — the ways ``_visible`` counts, read per holder in id
    order (``keyset.grant_window``). The page is still filtered by ``cases_visible_to``, so
    the window can only narrow it."""
    if not getattr(user, "is_authenticated", False):
        return None
    view = permission(Case, "view_case").pk
    group_rows = CaseGroupObjectPermission.objects.filter(permission_id=view)
    named_rows = CaseUserObjectPermission.objects.filter(permission_id=view, user_id=user.pk)
    if agency is not None:
        named_rows = named_rows.filter(content_object_id__in=_circle_case_ids(agency))
    return grant_window(
        Grants(
            reached=lambda group: group_rows.filter(group_id=group),
            key="content_object_id",
            holders=principal_group_ids(user, agency),
        ),
        Grants(reached=lambda _: named_rows, key="content_object_id"),
    )


def cases_editable_by(*, user: Any, agency: Agency | None = None) -> QuerySet[Case]:
    return _visible(
        Case, "change_case", CaseGroupObjectPermission, CaseUserObjectPermission, user, agency
    )


def case_list(
    *,
    user: Any,
    agency: Agency | None = None,
    q: str = "",
    status: str = "",
    tlp: str = "",
    category: str = "",
    tag: str = "",
    lead: str = "",
) -> QuerySet[Case]:
    """Visible cases, filtered and searched; one query whatever the number of cases."""
    cases = cases_visible_to(user=user, agency=agency)
    if q:
        cases = cases.filter(
            Q(reference__icontains=q) | Q(title__icontains=q) | Q(summary__icontains=q)
        )
    if status:
        cases = cases.filter(status=status)
    if tlp:
        cases = cases.filter(tlp=tlp)
    if lead:
        cases = cases.filter(lead_agency__code=lead)
    if category:
        cases = cases.filter(offence_categories__icontains=f'"{category}"')
    if tag:
        cases = cases.filter(tags__icontains=f'"{tag}"')
    return cases


def access_case(*, user: Any, pk: Any, agency: Agency | None = None, write: bool = False) -> Case:
    """The case if visible (else 404); with ``write``, 403 unless the user may change it."""
    case = get_visible_or_404(cases_visible_to(user=user, agency=agency), pk=pk)
    if write and not can_change_case(user=user, case=case, agency=agency):
        raise PermissionDenied("You may see this case but not change it.")
    return case


def can_change_case(*, user: Any, case: Case, agency: Agency | None = None) -> bool:
    return cases_editable_by(user=user, agency=agency).filter(pk=case.pk).exists()


def acting_agency_for_case(*, user: Any, case: Case, agency: Agency | None = None) -> Agency:
    """The agency the user acts for inside the case: the key's, else lead first, else a member."""
    circle = circle_agency_ids(case)
    candidates = agencies_of(user=user).filter(pk__in=circle)
    if agency is not None:
        candidates = candidates.filter(pk=agency.pk)
    chosen = sorted(candidates, key=lambda a: (a.pk != case.lead_agency_id, a.code))
    if not chosen:
        raise PermissionDenied(NOT_IN_CIRCLE)
    return chosen[0]


# --- JITs -----------------------------------------------------------------------------------


def jit_accepted_agencies(jit: JointInvestigationTeam) -> QuerySet[Agency]:
    """Agencies whose membership of ``jit`` is accepted; none once the JIT is closed."""
    if jit.is_closed:
        return Agency.objects.none()
    return Agency.objects.filter(
        jit_memberships__jit=jit, jit_memberships__status=JITMembership.Status.ACCEPTED
    ).distinct()


def jits_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[JointInvestigationTeam]:
    """JITs of visible cases, plus JITs the user's agencies are invited to or members of."""
    own = agencies_of(user=user)
    if agency is not None:
        own = own.filter(pk=agency.pk)
    involved = JITMembership.objects.filter(
        agency__in=own,
        status__in=[JITMembership.Status.INVITED, JITMembership.Status.ACCEPTED],
    ).values("jit_id")
    return (
        JointInvestigationTeam.objects.filter(
            Q(case__in=cases_visible_to(user=user, agency=agency).values("pk")) | Q(pk__in=involved)
        )
        .select_related("case__lead_agency", "leader")
        .distinct()
    )


def jit_detail_queryset(*, user: Any, agency: Agency | None = None) -> QuerySet:
    return jits_visible_to(user=user, agency=agency).prefetch_related(
        "states_of_operation",
        Prefetch(
            "memberships",
            queryset=JITMembership.objects.select_related("agency", "invited_by").prefetch_related(
                "seconded_members"
            ),
        ),
        Prefetch("amendments", queryset=JITAmendment.objects.select_related("actor", "agency")),
    )


def access_jit(*, user: Any, pk: Any, agency: Agency | None = None) -> JointInvestigationTeam:
    return get_visible_or_404(jit_detail_queryset(user=user, agency=agency), pk=pk)


def can_manage_jit(*, user: Any, jit: JointInvestigationTeam, agency: Agency | None = None) -> bool:
    """Editors of the case manage its JITs (invite, change the agreement, close)."""
    return cases_editable_by(user=user, agency=agency).filter(pk=jit.case_id).exists()


def access_membership(*, jit: JointInvestigationTeam, code: str) -> JITMembership:
    return get_visible_or_404(
        JITMembership.objects.filter(jit=jit).select_related("agency", "jit__case"),
        agency__code=code,
    )


def jit_invitations_for_admin(
    *, user: Any, agency: Agency | None = None
) -> QuerySet[JITMembership]:
    """Invitation inbox: open JIT invitations to agencies the user administers."""
    return (
        JITMembership.objects.filter(
            agency__in=administered_agencies(user=user, agency=agency),
            status=JITMembership.Status.INVITED,
        )
        .select_related("jit__case__lead_agency", "jit__leader", "agency", "invited_by")
        .order_by("-invited_at")
    )


def jit_memberships_administered_by(
    *, user: Any, agency: Agency | None = None
) -> QuerySet[JITMembership]:
    """Every JIT membership (invited, answered or left) of agencies the user administers: who
    reads the notification of an invitation."""
    return JITMembership.objects.filter(agency__in=administered_agencies(user=user, agency=agency))


def jit_memberships_of_admin(*, user: Any, agency: Agency | None = None) -> QuerySet[JITMembership]:
    """Current memberships (accepted) of agencies the user administers, for "leave"."""
    return (
        JITMembership.objects.filter(
            agency__in=administered_agencies(user=user, agency=agency),
            status=JITMembership.Status.ACCEPTED,
        )
        .select_related("jit__case__lead_agency", "jit__leader", "agency")
        .order_by("-responded_at")
    )


def is_agency_admin(*, user: Any, of: Agency, agency: Agency | None = None) -> bool:
    return is_member(user=user, of=of, roles={Membership.Role.AGENCY_ADMIN}, agency=agency)


# --- evidence, tasks, notes -------------------------------------------------------------------


def evidence_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Evidence]:
    return _visible(
        Evidence,
        "view_evidence",
        EvidenceGroupObjectPermission,
        EvidenceUserObjectPermission,
        user,
        agency,
    ).select_related("agency", "custodian", "case__lead_agency", "uploaded_by")


def access_evidence(
    *, user: Any, pk: Any, agency: Agency | None = None, write: bool = False
) -> Evidence:
    evidence = get_visible_or_404(evidence_visible_to(user=user, agency=agency), pk=pk)
    if write and not _can(
        Evidence,
        "change_evidence",
        EvidenceGroupObjectPermission,
        EvidenceUserObjectPermission,
        user,
        agency,
        evidence.pk,
    ):
        raise PermissionDenied("You may see this evidence but not change it.")
    return evidence


def custody_history(*, evidence: Evidence) -> QuerySet[CustodyEvent]:
    """The chain of custody of an evidence item its viewer sees (all of it: whoever may see the
    item sees every touch of it), oldest first, each with its audit event (log leaf)."""
    return evidence.custody_events.select_related("actor", "agency", "to_agency", "audit_event")


def access_custody_event(*, evidence: Evidence, pk: Any) -> CustodyEvent:
    """A custody event of ``evidence`` (which the caller may see), else 404."""
    return get_visible_or_404(custody_history(evidence=evidence), pk=pk)


def _can(model, codename, group_model, user_model, user, agency, pk) -> bool:
    return _visible(model, codename, group_model, user_model, user, agency).filter(pk=pk).exists()


def tasks_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Task]:
    return _visible(
        Task, "view_task", TaskGroupObjectPermission, TaskUserObjectPermission, user, agency
    ).select_related("agency", "assignee")


def access_task(*, user: Any, pk: Any, agency: Agency | None = None, write: bool = False) -> Task:
    task = get_visible_or_404(tasks_visible_to(user=user, agency=agency), pk=pk)
    if write and not _can(
        Task,
        "change_task",
        TaskGroupObjectPermission,
        TaskUserObjectPermission,
        user,
        agency,
        task.pk,
    ):
        raise PermissionDenied("You may see this task but not change it.")
    return task


def notes_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Note]:
    return _visible(
        Note, "view_note", NoteGroupObjectPermission, NoteUserObjectPermission, user, agency
    ).select_related("agency", "author")


def case_timeline(
    *, user: Any, case: Case, agency: Agency | None = None, include_views: bool = False
) -> QuerySet[AuditEvent]:
    """Audit events about the case, its JITs and the items in it that the viewer may see."""
    query = Q(object_type="cases.case", object_id=str(case.pk)) | Q(
        object_type="cases.jointinvestigationteam",
        object_id__in=[str(pk) for pk in case.jits.values_list("pk", flat=True)],
    )
    for object_type, queryset in (
        ("cases.evidence", evidence_visible_to(user=user, agency=agency)),
        ("cases.task", tasks_visible_to(user=user, agency=agency)),
        ("cases.note", notes_visible_to(user=user, agency=agency)),
    ):
        ids = [str(pk) for pk in queryset.filter(case=case).values_list("pk", flat=True)]
        if ids:
            query |= Q(object_type=object_type, object_id__in=ids)
    for linked in timeline.LINKED.values():  # shares, notices: registered by their apps
        ids = [str(pk) for pk in linked.ids(user=user, agency=agency, case=case)]
        if ids:
            query |= Q(object_type=linked.object_type, object_id__in=ids)
    events = AuditEvent.objects.filter(query).select_related("actor").order_by("-id")
    if not include_views:
        events = events.exclude(action__endswith=".viewed")
    return events


def case_team_users(*, case: Case) -> QuerySet:
    """Active members of the agencies taking part in the case (assignees, named users)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__agency_id__in=circle_agency_ids(case),
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def jit_membership_effects(*, membership: JITMembership, action: str) -> list[str]:
    """The sentences of a JIT leave / remove / decline confirmation page, with the numbers of
    what the agency stops seeing."""
    jit, agency = membership.jit, membership.agency
    if action == "decline":
        return [
            _("%(agency)s does not join %(jit)s and gets no access to case %(case)s.")
            % {"agency": agency.code, "jit": jit.name, "case": jit.case.reference},
            _("Only a new invitation from the JIT's leader can bring it in."),
        ]
    case = jit.case
    evidence = Evidence.objects.filter(case=case).count()
    tasks = Task.objects.filter(case=case).count()
    notes = Note.objects.filter(case=case).count()
    others = (
        JITMembership.objects.filter(jit=jit, status=JITMembership.Status.ACCEPTED)
        .exclude(agency=agency)
        .count()
    )
    return [
        _(
            "%(agency)s loses access at once to case %(case)s (evidence items: %(evidence)d, "
            "tasks: %(tasks)d, notes: %(notes)d), except what was shared with it directly."
        )
        % {
            "agency": agency.code,
            "case": case.reference,
            "evidence": evidence,
            "tasks": tasks,
            "notes": notes,
        },
        _("What was shared with the JIT stops reaching %(agency)s and its partner endpoints.")
        % {"agency": agency.code},
        ngettext(
            "%(count)d other member agency stays in the JIT.",
            "%(count)d other member agencies stay in the JIT.",
            others,
        )
        % {"count": others},
        _("Coming back needs a new invitation from the JIT's leader."),
    ]


def jit_close_effects(*, jit: JointInvestigationTeam) -> list[str]:
    """The sentences of closing a JIT: the member agencies that lose the case."""
    members = sorted(
        JITMembership.objects.filter(jit=jit, status=JITMembership.Status.ACCEPTED)
        .exclude(agency_id=jit.leader_id)
        .values_list("agency__code", flat=True)
    )
    return [
        ngettext(
            "%(count)d member agency loses access at once to case %(case)s%(who)s, except "
            "what was shared with it directly.",
            "%(count)d member agencies lose access at once to case %(case)s%(who)s, except "
            "what was shared with them directly.",
            len(members),
        )
        % {
            "count": len(members),
            "case": jit.case.reference,
            "who": f" ({', '.join(members)})" if members else "",
        },
        _("What was shared with the JIT stops reaching its members and their endpoints."),
        _("A closed JIT cannot be changed or reopened."),
    ]
