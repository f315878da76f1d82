"""The confirmation page every irreversible or outward-facing action shows on GET: what it will
do, in numbers, and a button that POSTs the action to the same address; Cancel changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
