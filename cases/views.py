"""Case pages: list, detail (overview, JIT, evidence, tasks, notes, timeline), forms, JIT
agreement, invitation inbox. Each view resolves access (404 / 403), calls a service, responds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from agencies.selectors import agencies_of
from cases import evidence as evidence_services
from cases import forms, jits, receipts, selectors, services, timeline
from cases.api import evidence_file_response
from cases.files import install_limit_handler, too_large_message
from cases.filters import JITMembershipFilter
from cases.models import CustodyEvent, JITMembership, JointInvestigationTeam, OffenceCategory
from cases.tables import (
    CASE_DEFAULT_SORT,
    CASE_SORTS,
    INVITATION_SORTS,
    MEMBERSHIP_SORTS,
    CaseTable,
    JITInvitationTable,
    JITMembershipTable,
)
from common import keyset, tables
from common.confirm import carried_over, confirmation, is_confirmed
from common.errors import StateConflict
from common.filters import filtered
from common.forms import apply_validation_error

PAGE_SIZE = 50
COUNT_CAP = 1000
TIMELINE_PAGE_SIZE = 100


def _error_text(error: ValidationError) -> str:
    return "; ".join(error.messages)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None)
    # A bad filter is named on the page (400) and left out; the valid ones still apply.
    invalid = form.is_bound and not form.is_valid()
    filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    cases = selectors.case_list(user=request.user, **filters)
    # Unfiltered, the page is read from the grant indexes (a filter narrows the id scan); a
    # total is counted (up to a cap) only under a filter, never over everything visible.
    table = tables.paged(
        request,
        cases,
        table_class=CaseTable,
        sorts=CASE_SORTS,
        default_sort=CASE_DEFAULT_SORT,
        size=PAGE_SIZE,
        window=None if filters else selectors.cases_window(user=request.user),
        count=COUNT_CAP if filters else False,
        label=_("Pages of cases"),
    )
    # The empty state's next step costs a query: only on an empty page.
    if not table.page.object_list:
        if filters:
            table.empty_action = (reverse("cases:list"), _("Clear the filters"))
        elif agencies_of(user=request.user).exists():
            table.empty_action = (reverse("cases:create"), _("Open a case"))
    context = {"form": form, "table": table, "page": table.page, "filtered": bool(filters)}
    return render(request, "cases/case_list.html", context, status=400 if invalid else 200)


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    agencies = agencies_of(user=request.user)
    form = forms.CaseForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect(case)
    status = 400 if form.errors else 200
    return render(request, "cases/case_form.html", {"form": form}, status=status)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk, write=True)
    form = forms.CaseForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Case updated.")
            return redirect(case)
    status = 400 if form.errors else 200
    return render(request, "cases/case_form.html", {"form": form, "case": case}, status=status)


TABS = ("overview", "jit", "evidence", "tasks", "notes", "timeline")
RECENT_EVENTS = 5
UNKNOWN_TAB = gettext_lazy("tab: choose one of %(tabs)s.")


def _detail_context(request: HttpRequest, case: Any, tab: str, **forms_: Any) -> dict[str, Any]:
    """What the case page's ``tab`` shows, and only that: each tab is a short page."""
    user = request.user
    context: dict[str, Any] = {
        "case": case,
        "tab": tab,
        "can_edit": selectors.can_change_case(user=user, case=case),
        "in_circle": agencies_of(user=user)
        .filter(pk__in=selectors.circle_agency_ids(case))
        .exists(),
    }
    if tab == "overview":
        recent = selectors.case_timeline(user=user, case=case)[:RECENT_EVENTS]
        context["recent"] = timeline.entries(case, recent)
        labels = dict(OffenceCategory.choices)
        context["offences"] = [labels.get(code, code) for code in case.offence_categories]
    elif tab == "jit":
        context["jits"] = (
            selectors.jits_visible_to(user=user)
            .filter(case=case)
            .prefetch_related(
                Prefetch("memberships", queryset=JITMembership.objects.select_related("agency"))
            )
        )
        context["jit_form"] = forms_.get("jit_form") or forms.JITForm()
    elif tab == "evidence":
        # Each list pages on its own (?evidence=, ?tasks=, ?notes= cursors).
        context["evidence"] = keyset.page_for_request(
            request,
            selectors.evidence_visible_to(user=user).filter(case=case),
            size=PAGE_SIZE,
            param="evidence",
        )
        context["evidence_form"] = forms_.get("evidence_form") or forms.EvidenceForm()
    elif tab == "tasks":
        context["tasks"] = keyset.page_for_request(
            request,
            selectors.tasks_visible_to(user=user).filter(case=case).select_related("assignee"),
            size=PAGE_SIZE,
            param="tasks",
        )
        team = selectors.case_team_users(case=case)
        context["task_form"] = forms_.get("task_form") or forms.TaskForm(users=team)
        context["task_statuses"] = forms.Task.Status.choices
    elif tab == "notes":
        context["notes"] = keyset.page_for_request(
            request,
            selectors.notes_visible_to(user=user).filter(case=case).select_related("author"),
            size=PAGE_SIZE,
            param="notes",
        )
        context["note_form"] = forms_.get("note_form") or forms.NoteForm()
    elif tab == "timeline":
        kind = request.GET.get("kind", "")
        events = timeline.filter_kind(selectors.case_timeline(user=user, case=case), kind)
        page = keyset.page_for_request(request, events, size=TIMELINE_PAGE_SIZE, param="events")
        context["events_page"] = page
        context["days"] = timeline.by_day(timeline.entries(case, page))
        context["kinds"] = timeline.kind_links(case, kind)
    return context


def _tab_of(request: HttpRequest) -> str | None:
    tab = request.GET.get("tab") or "overview"
    return tab if tab in TABS else None


def _bad_choice(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    tab = _tab_of(request)
    if tab is None:
        return _bad_choice(str(UNKNOWN_TAB % {"tabs": ", ".join(TABS)}))
    if tab == "timeline" and request.GET.get("kind", "") not in ("", *timeline.KINDS):
        return _bad_choice(f"kind: {timeline.unknown_kind_message()}")
    context = _detail_context(request, case, tab)
    response = render(request, "cases/case_detail.html", context)
    services.case_record_view(actor=request.user, case=case)  # last: holds the audit lock
    return response


@login_required
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    include_views = request.GET.get("views") == "1"
    events = selectors.case_timeline(user=request.user, case=case, include_views=include_views)
    page = keyset.page_for_request(request, events, size=TIMELINE_PAGE_SIZE)
    return render(
        request,
        "cases/case_timeline.html",
        {
            "case": case,
            "page": page,
            "rows": timeline.entries(case, page),
            "include_views": include_views,
        },
    )


def _child_post(
    request: HttpRequest, pk: int, form_name: str, form: Any, create: Any
) -> HttpResponse:
    """Shared flow for adding evidence, tasks and notes from their tab of the case page."""
    tab = {"evidence_form": "evidence", "task_form": "tasks", "note_form": "notes"}[form_name]
    case = selectors.access_case(user=request.user, pk=pk)
    agency = selectors.acting_agency_for_case(user=request.user, case=case)
    if form.is_valid():
        try:
            create(case=case, agency=agency, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect(_tab_url(case, tab))
    context = _detail_context(request, case, tab, **{form_name: form})
    return render(request, "cases/case_detail.html", context, status=400)


def _tab_url(case: Any, tab: str) -> str:
    return f"{case.get_absolute_url()}?tab={tab}"


@csrf_exempt
@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    # The size-limit handler must be installed before the CSRF check reads the body.
    handler = install_limit_handler(request)
    return _evidence_upload(request, pk, handler)


@csrf_protect
def _evidence_upload(request: HttpRequest, pk: int, handler: Any) -> HttpResponse:
    form = forms.EvidenceForm(request.POST, request.FILES)
    if handler.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large_message())

    def create(**data: Any) -> Any:
        evidence = evidence_services.evidence_add(actor=request.user, **data)
        messages.success(request, f"Evidence stored, SHA-256 {evidence.sha256}.")
        return evidence

    return _child_post(request, pk, "evidence_form", form, create)


@login_required
@require_POST
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk)
    form = forms.TaskForm(request.POST, users=selectors.case_team_users(case=case))
    return _child_post(
        request, pk, "task_form", form, lambda **d: services.task_create(actor=request.user, **d)
    )


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    return _child_post(
        request, pk, "note_form", form, lambda **d: services.note_add(actor=request.user, **d)
    )


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task(user=request.user, pk=pk, write=True)
    form = forms.TaskStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(f"status: {'; '.join(map(str, form.errors['status']))}")
    services.task_update(actor=request.user, task=task, status=form.cleaned_data["status"])
    return redirect(_tab_url(task.case, "tasks"))


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.access_evidence(user=request.user, pk=pk)
    return render(
        request,
        "cases/evidence_detail.html",
        {
            "evidence": evidence,
            "events": selectors.custody_history(evidence=evidence),
            "log_record": receipts.evidence_log_record(evidence=evidence),
            "custody_form": forms.CustodyForm(),
            "can_see_case": selectors.cases_visible_to(user=request.user)
            .filter(pk=evidence.case_id)
            .exists(),
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse | HttpResponse:
    evidence = selectors.access_evidence(user=request.user, pk=pk)
    agency = _acting_for_item(request, evidence)
    try:
        evidence_services.evidence_record_download(
            actor=request.user, evidence=evidence, agency=agency
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(evidence)
    return evidence_file_response(evidence)


@login_required
def evidence_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.access_evidence(user=request.user, pk=pk)
    return _receipt_download(
        request, evidence, lambda: receipts.evidence_receipt(evidence=evidence), f"{evidence.pk}"
    )


@login_required
def custody_event_receipt(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    evidence = selectors.access_evidence(user=request.user, pk=pk)
    custody = selectors.access_custody_event(evidence=evidence, pk=event_pk)
    return _receipt_download(
        request,
        evidence,
        lambda: receipts.custody_event_receipt(custody=custody),
        f"{evidence.pk}-custody-{custody.pk}",
    )


def _receipt_download(
    request: HttpRequest, evidence: Any, build: Callable[[], dict[str, Any]], name: str
) -> HttpResponse:
    """The receipt as a JSON attachment; when no signed checkpoint can hold it yet, back to
    the evidence page with the reason."""
    try:
        receipt = build()
    except StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(evidence)
    response = JsonResponse(receipt, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="evidence-{name}-receipt.json"'
    return response


def _acting_for_item(request: HttpRequest, item: Any) -> Any:
    try:
        return selectors.acting_agency_for_case(user=request.user, case=item.case)
    except PermissionDenied:
        return agencies_of(user=request.user).filter(pk=item.agency_id).first()


@login_required
@require_POST
def evidence_verify(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.access_evidence(user=request.user, pk=pk)
    try:
        event = evidence_services.evidence_verify(
            actor=request.user, evidence=evidence, agency=_acting_for_item(request, evidence)
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        level = messages.SUCCESS if event.result == CustodyEvent.Result.MATCH else messages.ERROR
        messages.add_message(request, level, f"Verification: {event.get_result_display()}.")
    return redirect(evidence)


@login_required
@require_POST
def evidence_custody(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.access_evidence(user=request.user, pk=pk, write=True)
    form = forms.CustodyForm(request.POST)
    if form.is_valid():
        try:
            evidence_services.evidence_custody(
                actor=request.user,
                evidence=evidence,
                agency=_acting_for_item(request, evidence),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect(evidence)
    events = evidence.custody_events.select_related("actor", "agency", "to_agency")
    return render(
        request,
        "cases/evidence_detail.html",
        {"evidence": evidence, "events": events, "custody_form": form},
        status=400,
    )


# --- JITs -------------------------------------------------------------------------------------


@login_required
@require_POST
def jit_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(user=request.user, pk=pk, write=True)
    form = forms.JITForm(request.POST)
    if form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if v not in ("", None) or k == "legal_basis"
        }
        try:
            jit = jits.jit_create(actor=request.user, case=case, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"JIT {jit.name} formed.")
            return redirect(jit)
    context = _detail_context(request, case, "jit", jit_form=form)
    return render(request, "cases/case_detail.html", context, status=400)


def _jit_page(request: HttpRequest, jit: Any, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    admin_of = set(selectors.administered_agencies(user=user).values_list("pk", flat=True))
    context = {
        "jit": jit,
        "case_visible": selectors.cases_visible_to(user=user).filter(pk=jit.case_id).exists(),
        "can_manage": selectors.can_manage_jit(user=user, jit=jit),
        "admin_of": admin_of,
        "invite_form": extra.pop("invite_form", None) or forms.InviteForm(),
        **extra,
    }
    return render(request, "cases/jit_detail.html", context, status=status)


@login_required
def jit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _jit_page(request, selectors.access_jit(user=request.user, pk=pk))


@login_required
def jit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    jit = selectors.access_jit(user=request.user, pk=pk)
    if not selectors.can_manage_jit(user=request.user, jit=jit):
        raise PermissionDenied("Only the lead agency changes the JIT agreement.")
    form = forms.JITForm(request.POST or None, jit=jit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.get("status"):
            data.pop("status")
        closing = data.get("status") == JointInvestigationTeam.Status.CLOSED and not jit.is_closed
        if closing and not is_confirmed(request):
            return confirmation(
                request,
                title=_("Close %(jit)s?") % {"jit": jit.name},
                effects=selectors.jit_close_effects(jit=jit),
                button=_("Close the JIT"),
                cancel_url=reverse("cases:jit-edit", args=[jit.pk]),
                form=carried_over(request.POST),
            )
        try:
            jits.jit_update(actor=request.user, jit=jit, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Agreement updated.")
            return redirect(jit)
    status = 400 if form.errors else 200
    return render(request, "cases/jit_form.html", {"form": form, "jit": jit}, status=status)


@login_required
@require_POST
def jit_invite(request: HttpRequest, pk: int) -> HttpResponse:
    jit = selectors.access_jit(user=request.user, pk=pk)
    if not selectors.can_manage_jit(user=request.user, jit=jit):
        raise PermissionDenied("Only the lead agency invites to its JIT.")
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            membership = jits.jit_invite(actor=request.user, jit=jit, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{membership.agency.code} invited.")
            return redirect(jit)
    jit = selectors.access_jit(user=request.user, pk=pk)
    return _jit_page(request, jit, status=400, invite_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def jit_member_action(request: HttpRequest, pk: int, code: str, action: str) -> HttpResponse:
    """POST: accept, decline or leave; GET of a leave or decline: what it does, to confirm."""
    jit = selectors.access_jit(user=request.user, pk=pk)
    membership = selectors.access_membership(jit=jit, code=code)
    is_admin = selectors.is_agency_admin(user=request.user, of=membership.agency)
    if request.method != "POST":
        if action not in ("leave", "decline"):
            return HttpResponseNotAllowed(["POST"])
        own = action == "decline" or is_admin
        verb = {"decline": _("Decline"), "leave": _("Leave") if own else _("Remove")}[action]
        return confirmation(
            request,
            title=_("%(verb)s: %(agency)s in %(jit)s?")
            % {"verb": verb, "agency": membership.agency.code, "jit": jit.name},
            effects=selectors.jit_membership_effects(membership=membership, action=action),
            button=verb,
            cancel_url=jit.get_absolute_url(),
        )
    try:
        if action == "leave":
            jits.jit_leave(actor=request.user, membership=membership)
        elif action in ("accept", "decline"):
            jits.jit_respond(actor=request.user, membership=membership, accept=action == "accept")
        else:
            raise PermissionDenied("Unknown action.")
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(jit)
    messages.success(request, f"{code}: {action} recorded.")
    if action in ("accept", "leave") and is_admin:
        return redirect("cases:inbox")
    return redirect(jit)


@login_required
def invitation_inbox(request: HttpRequest) -> HttpResponse:
    invited = filtered(
        request, selectors.jit_invitations_for_admin(user=request.user), JITMembershipFilter
    )
    invitations = tables.paged(
        request,
        invited.rows,
        table_class=JITInvitationTable,
        sorts=INVITATION_SORTS,
        default_sort="-invited",
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of JIT invitations"),
    )
    current = filtered(
        request,
        selectors.jit_memberships_of_admin(user=request.user),
        JITMembershipFilter,
        prefix="cur",
    )
    memberships = tables.paged(
        request,
        current.rows,
        table_class=JITMembershipTable,
        sorts=MEMBERSHIP_SORTS,
        default_sort="-joined",
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of current JIT memberships"),
        prefix="cur_",
    )
    for table, found in ((invitations, invited), (memberships, current)):
        if found.active and not table.page.object_list:
            table.empty_action = (request.path, _("Clear the filters"))
    context = {
        "invitations": invitations.page,
        "memberships": memberships.page,
        "invitations_table": invitations,
        "memberships_table": memberships,
        "invitation_filters": invited,
        "membership_filters": current,
        "is_admin": selectors.administered_agencies(user=request.user).exists(),
    }
    bad = bool(invited.errors or current.errors)
    return render(request, "cases/inbox.html", context, status=400 if bad else 200)
