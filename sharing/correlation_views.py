"""Browser pages: hit/no-hit lookup with own matches, access-request form, the requests
sent and the holder's inbox with share/decline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common import tables
from common.confirm import confirmation
from common.forms import apply_validation_error
from sharing import access_requests, correlation
from sharing.correlation_forms import AccessRequestForm, DeclineForm, GrantForm, LookupForm
from sharing.models import AccessRequestTarget, IndicatorType
from sharing.selectors import access_indicator, indicators_visible_to
from sharing.tables import INBOX_SORTS, SENT_SORTS, AccessInboxTable, AccessSentTable

PAGE_SIZE = 25  # access requests per page, in each of the two lists

INBOX_DETAIL = "sharing/correlation/inbox_detail.html"


def _parse_lines(text: str) -> list:
    values: list[Any] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        first, _, rest = line.partition(" ")
        if first.lower() in IndicatorType.values and rest.strip():
            values.append({"type": first.lower(), "value": rest.strip()})
        else:
            values.append(line)
    return values


def _in_words(request: HttpRequest, results: list[Any]) -> list[dict[str, Any]]:
    """Each result with its type's label and, when the caller may see the matches, the
    indicators themselves (named by their holder, linked), never bare ids."""
    ids = [pk for r in results for pk in r.ids]
    shown = {
        i.pk: i
        for i in indicators_visible_to(user=request.user).filter(pk__in=ids).select_related("owner")
    }
    types = dict(IndicatorType.choices)
    return [
        {
            "type": types.get(r.type, r.type),
            "normalized": r.normalized,
            "result": r.result,
            "matches": [shown[pk] for pk in r.ids if pk in shown],
        }
        for r in results
    ]


@login_required
def correlations(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        values = _parse_lines(form.cleaned_data["values"])
        try:
            results = correlation.correlation_lookup(actor=request.user, agency=None, values=values)
        except correlation.LookupErrors as exc:
            for index, errors in exc.item_errors.items():
                form.add_error(
                    "values",
                    _("Line %(line)s: %(error)s") % {"line": int(index) + 1, "error": errors[0]},
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
    context = {
        "form": form,
        "results": _in_words(request, results) if results is not None else None,
        "matches": correlation.matches_of(user=request.user),
    }
    return render(request, "sharing/correlation/correlations.html", context)


@login_required
def request_access(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(user=request.user, pk=pk)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_requests.access_request_create(
                actor=request.user, indicator=indicator, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Access request sent to the agency holding the match."))
            return redirect("access_requests")
    context = {"indicator": indicator, "form": form}
    return render(request, "sharing/correlation/request_access.html", context)


@login_required
def requests_page(request: HttpRequest) -> HttpResponse:
    inbox_items = access_requests.inbox_for(user=request.user)
    status = request.GET.get("status", "")
    statuses = AccessRequestTarget.Status
    unknown = bool(status) and status not in statuses.values
    if status and not unknown:
        inbox_items = inbox_items.filter(status=status)
    inbox = tables.paged(
        request,
        inbox_items,
        table_class=AccessInboxTable,
        sorts=INBOX_SORTS,
        default_sort="-received",
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of the inbox"),
        prefix="inbox_",
    )
    sent = tables.paged(
        request,
        access_requests.requests_sent(user=request.user),
        table_class=AccessSentTable,
        sorts=SENT_SORTS,
        default_sort="-sent",
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of sent requests"),
        prefix="sent_",
    )
    for r in sent.page:
        r.outcome = access_requests.request_outcome(r)
    context = {
        "inbox_table": inbox,
        "sent_table": sent,
        "inbox": inbox.page,
        "sent": sent.page,
        "statuses": statuses.choices,
        "status": "" if unknown else status,
        "unknown_status": status[:100] if unknown else "",
    }
    return render(
        request, "sharing/correlation/requests.html", context, status=400 if unknown else 200
    )


@login_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = access_requests.access_target(user=request.user, pk=pk)
    context = {"target": target, "grant_form": GrantForm(), "decline_form": DeclineForm()}
    return render(request, INBOX_DETAIL, context)


def _answer(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    form_name: str,
    decide: Callable[..., AccessRequestTarget],
    done: str,
) -> HttpResponse:
    """The holder's answer from the inbox page: on success back to the item, else the page
    again (400) with the form's errors."""
    target = access_requests.access_target(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            decide(actor=request.user, target=target, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("access_inbox_detail", pk=target.pk)
    context = {"target": target, "grant_form": GrantForm(), "decline_form": DeclineForm()}
    context[form_name] = form
    return render(request, INBOX_DETAIL, context, status=400)


@login_required
@require_POST
def inbox_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        form_class=GrantForm,
        form_name="grant_form",
        decide=access_requests.access_request_grant,
        done=_("Shared with the requesting agency."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inbox_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what declining does, with the reason to give; POST: decline."""
    target = access_requests.access_target(user=request.user, pk=pk)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            access_requests.access_request_decline(
                actor=request.user, target=target, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Request declined."))
            return redirect("access_inbox_detail", pk=target.pk)
    requester = target.request.requester.code
    return confirmation(
        request,
        title=_("Decline the request of %(agency)s?") % {"agency": requester},
        effects=[
            _(
                "%(agency)s is told the request is declined, with your reason, and gets no "
                "access to %(value)s."
            )
            % {"agency": requester, "value": target.indicator.normalized},
            _("A declined request cannot be reopened; %(agency)s may ask again.")
            % {"agency": requester},
        ],
        button=_("Decline"),
        cancel_url=reverse("access_inbox_detail", args=[target.pk]),
        form=form,
        status=400 if form.is_bound else 200,
    )
