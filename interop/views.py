"""Browser pages: hit/no-hit lookup with own matches, access-request form, the requests
sent and the holder's inbox with share/decline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agencies.forms import apply_validation_error
from interop import selectors, services
from interop.forms import AccessRequestForm, DeclineForm, GrantForm, LookupForm
from sharing.models import IndicatorType
from sharing.selectors import access_indicator


def _parse_lines(text: str) -> list:
    values = []
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


@login_required
def correlations(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        values = _parse_lines(form.cleaned_data["values"])
        try:
            results = services.correlation_lookup(actor=request.user, agency=None, values=values)
        except services.LookupErrors as exc:
            for index, errors in exc.item_errors.items():
                form.add_error("values", f"Line {int(index) + 1}: {errors[0]}")
        except ValidationError as exc:
            apply_validation_error(form, exc)
    context = {
        "form": form,
        "results": results,
        "matches": selectors.matches_of(user=request.user),
    }
    return render(request, "interop/correlations.html", context)


@login_required
def request_access(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(user=request.user, pk=pk)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_create(
                actor=request.user, indicator=indicator, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Access request sent to the agency holding the match.")
            return redirect("interop_requests")
    return render(request, "interop/request_access.html", {"indicator": indicator, "form": form})


@login_required
def access_requests(request: HttpRequest) -> HttpResponse:
    sent = Paginator(selectors.requests_sent(user=request.user), 25).get_page(
        request.GET.get("sent")
    )
    inbox = Paginator(selectors.inbox_for(user=request.user), 25).get_page(request.GET.get("inbox"))
    rows = [(r, selectors.request_outcome(r)) for r in sent]
    return render(
        request, "interop/requests.html", {"sent": sent, "sent_rows": rows, "inbox": inbox}
    )


@login_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_target(user=request.user, pk=pk)
    context = {"target": target, "grant_form": GrantForm(), "decline_form": DeclineForm()}
    return render(request, "interop/inbox_detail.html", context)


@login_required
@require_POST
def inbox_share(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_target(user=request.user, pk=pk)
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_grant(
                actor=request.user, target=target, legal_basis=form.cleaned_data["legal_basis"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Shared with the requesting agency.")
            return redirect("interop_inbox_detail", pk=target.pk)
    context = {"target": target, "grant_form": form, "decline_form": DeclineForm()}
    return render(request, "interop/inbox_detail.html", context, status=400)


@login_required
@require_POST
def inbox_decline(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_target(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_decline(
                actor=request.user, target=target, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Request declined.")
            return redirect("interop_inbox_detail", pk=target.pk)
    context = {"target": target, "grant_form": GrantForm(), "decline_form": form}
    return render(request, "interop/inbox_detail.html", context, status=400)
