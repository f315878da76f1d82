"""The confirmation page every irreversible or outward-facing action shows on GET: what it will
do, in numbers, and a button that POSTs the action to the same address; Cancel changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmation(
    request: HttpRequest,
    *,
    title: str,
    effects: Sequence[str],
    button: str,
    cancel_url: str,
    form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``confirm.html``: ``effects`` are sentences the caller computed with a selector
    ("This sends a revocation to 3 partner endpoints"); ``form`` holds what the action needs
    (a reason), posted with the confirmation."""
    context = {
        "title": title,
        "effects": effects,
        "button": button,
        "cancel_url": cancel_url,
        "form": form,
    }
    return render(request, "confirm.html", context, status=status)


def is_confirmed(request: HttpRequest) -> bool:
    """A POST that came from a confirmation page of ``carried_over`` (a form that asks first
    only for some values, e.g. a status set to closed)."""
    return request.POST.get(CONFIRMED) == "1"


def carried_over(data: QueryDict) -> forms.Form:
    """A form of hidden fields that posts ``data`` again, marked confirmed."""
    form = forms.Form()
    for name in data:
        if name in ("csrfmiddlewaretoken", CONFIRMED):
            continue
        values = data.getlist(name)
        if len(values) == 1:
            form.fields[name] = forms.CharField(widget=forms.HiddenInput, initial=values[0])
        else:
            form.fields[name] = forms.MultipleChoiceField(
                widget=forms.MultipleHiddenInput,
                choices=[(v, v) for v in values],
                initial=values,
            )
    form.fields[CONFIRMED] = forms.CharField(widget=forms.HiddenInput, initial="1")
    return form
