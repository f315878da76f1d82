"""Assistance request pages: a case's requests, the request form (only the legal bases valid
for the addressee), the request page (timeline, deadline clock, files, actions) and the agency
inbox. Each view resolves access (404), calls a service, responds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assistance import forms, selectors, services
from assistance.filters import RequestFilter
from assistance.legal import valid_bases
from assistance.models import AssistanceRequest, Kind
from assistance.tables import (
    REQUEST_DEFAULT_SORT,
    REQUEST_SORTS,
    OutgoingTable,
    RequestTable,
)
from cases.selectors import access_case, acting_agency_for_case
from common import tables
from common.errors import StateConflict
from common.filters import filtered
from common.forms import apply_validation_error
from notifications.selectors import unread_for
from notifications.services import notifications_mark_all_read

PAGE_SIZE = 50
REQUESTS = AssistanceRequest._meta.label_lower  # what the inbox's notifications are about
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)  # sorts requests without a deadline last

# Who may take each step from the page: the requester ("r"), the addressee ("a"), the
# enforcing authority of a notified European Production Order while it may decide ("e").
SIDES = {
    "send": "r",
    "acknowledge": "a",
    "start": "a",
    "preserve": "a",
    "extend": "r",
    "respond": "a",
    "refuse": "ae",
    "no_grounds": "e",
    "withdraw": "r",
    "release": "ra",
    "attach": "r",
}
BUTTONS = {
    "no_grounds": "Raise no ground for refusal",
    "respond": "Produce",
    "attach": "Attach file",
}
SERVICES = {"attach": services.attachment_add}
DONE = {"attach": "Attachment stored with its SHA-256."}
FORMS: dict[str, Any] = {
    "attach": forms.AttachForm,
    "preserve": forms.PreserveForm,
    "refuse": forms.RefuseForm,
    "respond": forms.RespondForm,
    "no_grounds": forms.ConfirmForm,
    "withdraw": forms.WithdrawForm,
    "release": forms.ConfirmForm,
}


def _sides(obj: AssistanceRequest, agency_ids: set[int]) -> str:
    """The caller's sides of the request, from the agencies it acts for."""
    sides = ""
    if obj.requesting_agency_id in agency_ids:
        sides += "r"
    if obj.addressee_id in agency_ids:
        sides += "a"
    if obj.enforcing_authority_id in agency_ids and obj.enforcing_may_decide:
        sides += "e"
    return sides


def _actions(obj: AssistanceRequest, sides: str) -> list[str]:
    allowed = []
    for action, who in SIDES.items():
        if obj.status not in services.ALLOWED_FROM[action] or not set(who) & set(sides):
            continue
        if action in ("preserve", "extend") and obj.kind != Kind.PRESERVATION:
            continue
        if action == "respond" and obj.awaits_enforcing_authority:
            continue
        allowed.append(action)
    return allowed


def _effect(obj: AssistanceRequest, action: str) -> str:
    """What an irreversible step does, said beside its confirmation tick."""
    if action == "refuse":
        return _(
            "%(agency)s is told at once that request #%(pk)s is refused, with the grounds you "
            "give; the request ends and cannot be reopened."
        ) % {"agency": obj.requesting_agency.code, "pk": obj.pk}
    if action == "withdraw":
        return _(
            "%(agency)s is told at once that request #%(pk)s is withdrawn and need not answer; "
            "the request ends and cannot be reopened."
        ) % {"agency": obj.addressee.code, "pk": obj.pk}
    return ""


@login_required
def case_requests(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(user=request.user, pk=pk)
    requests = selectors.requests_visible_to(user=request.user).filter(case=case)
    return render(request, "assistance/case_requests.html", {"case": case, "requests": requests})


@login_required
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(user=request.user, pk=pk)
    requester = acting_agency_for_case(user=request.user, case=case)
    data = request.POST if request.method == "POST" else request.GET
    chooser = forms.AddresseeForm(data or None)
    if not chooser.is_valid():
        return render(request, "assistance/request_form.html", {"case": case, "chooser": chooser})
    kind, addressee = chooser.cleaned_data["kind"], chooser.cleaned_data["addressee"]
    bases = valid_bases(case=case, kind=kind, requester=requester, addressee=addressee)
    form = forms.RequestForm(
        request.POST if request.method == "POST" else None,
        bases=bases,
        preservations=selectors.preservations_to_follow_up(user=request.user, case=case)
        if kind != Kind.PRESERVATION
        else None,
        initial={"kind": kind, "addressee": addressee},
    )
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.request_create(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Draft saved: attach the signed order, then send it.")
            return redirect("assistance:detail", obj.pk)
    context = {"case": case, "chooser": chooser, "form": form, "bases": bases, "kind": kind}
    return render(
        request, "assistance/request_form.html", context, status=400 if form.errors else 200
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.access_request(user=request.user, pk=pk)
    agency_ids = selectors.party_agency_ids(user=request.user)
    sides = _sides(obj, agency_ids)
    requester_side = "r" in sides
    context = {
        "obj": obj,
        "requester_side": requester_side,
        "events": selectors.timeline_for(request=obj, requester_side=requester_side),
        "attachments": obj.attachments.all(),
        "responses": selectors.responses_of(request=obj, agency_ids=agency_ids)
        if selectors.responses_visible(obj, agency_ids)
        else None,
        "follow_up_visible": obj.follow_up_link_visible(agency_ids),
        "follows_up": [
            p
            for p in obj.preservations.select_related("follow_up")
            if p.follow_up_link_visible(agency_ids)
        ],
        "actions": [
            (a, BUTTONS.get(a, a.capitalize()), FORMS[a]() if a in FORMS else None, _effect(obj, a))
            for a in _actions(obj, sides)
        ],
    }
    notifications_mark_all_read(actor=request.user, about=obj)
    return render(request, "assistance/request_detail.html", context)


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    obj = selectors.access_request(user=request.user, pk=pk)
    if action not in SIDES:
        raise Http404
    form = FORMS[action](request.POST, request.FILES) if action in FORMS else None
    if form is not None and not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("assistance:detail", pk)
    body = dict(form.cleaned_data) if form is not None else {}
    body.pop("confirm", None)
    service = SERVICES.get(action) or getattr(services, f"request_{action}")
    try:
        service(actor=request.user, request=obj, **body)
    except (ValidationError, StateConflict, PermissionDenied) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(request, DONE.get(action, f"Request {services.VERBS[action]}."))
    return redirect("assistance:detail", pk)


@login_required
def response_download(request: HttpRequest, pk: int, rid: int) -> FileResponse:
    obj = selectors.access_request(user=request.user, pk=pk)
    agency_ids = selectors.party_agency_ids(user=request.user)
    response = selectors.access_response(request=obj, pk=rid, agency_ids=agency_ids)
    services.response_record_download(actor=request.user, response=response)
    result = FileResponse(
        response.file.open("rb"), as_attachment=True, filename=response.original_name
    )
    result["X-Content-SHA256"] = response.sha256
    return result


@login_required
def attachment_download(request: HttpRequest, pk: int, aid: int) -> FileResponse:
    obj = selectors.access_request(user=request.user, pk=pk)
    attachment = selectors.access_attachment(request=obj, pk=aid)
    result = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )
    result["X-Content-SHA256"] = attachment.sha256
    return result


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    # Soonest due first, those without a deadline last: a key without nulls for the cursor.
    due_key = Coalesce("due_at", Value(NO_DEADLINE))
    incoming = filtered(request, selectors.inbox_for(user=request.user), RequestFilter)
    table = tables.paged(
        request,
        incoming.rows.annotate(due_key=due_key),
        table_class=RequestTable,
        sorts=REQUEST_SORTS,
        default_sort=REQUEST_DEFAULT_SORT,
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of incoming requests"),
    )
    outgoing = filtered(
        request, selectors.outbox_for(user=request.user), RequestFilter, prefix="out"
    )
    sent = tables.paged(
        request,
        outgoing.rows.annotate(due_key=due_key),
        table_class=OutgoingTable,
        sorts=REQUEST_SORTS,
        default_sort="-number",
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of outgoing requests"),
        prefix="out_",
    )
    for listed, found in ((table, incoming), (sent, outgoing)):
        if found.active and not listed.page.object_list:
            listed.empty_action = (request.path, _("Clear the filters"))
    context = {
        "page": table.page,
        "table": table,
        "filters": incoming,
        "outgoing_table": sent,
        "outgoing_filters": outgoing,
        "here": reverse("assistance:inbox"),
        "notifications": unread_for(user=request.user).filter(object_type=REQUESTS)[:50],
    }
    bad = bool(incoming.errors or outgoing.errors)
    return render(request, "assistance/inbox.html", context, status=400 if bad else 200)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user, object_type=REQUESTS)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("assistance:inbox")
