"""Page helpers every app's views may use: a freshly issued secret, shown exactly once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

from common.forms import apply_validation_error

T = TypeVar("T")


@dataclass
class Issued(Generic[T]):
    """What the page shows: the form, and on success the new object and its secret."""

    form: forms.Form
    obj: T | None = None
    secret: str | None = None
    status: int = 200
    redirect: bool = False  # issued: answer with a redirect to the page (post/redirect/get)


def issue_with_secret(
    request: HttpRequest,
    *,
    form: Callable[[QueryDict | None], forms.Form],
    issue: Callable[[Mapping[str, Any]], tuple[T, str]],
    load: Callable[[int], T | None],
    session_key: str,
) -> Issued[T]:
    """The "show the secret once" flow of an issuing page (API keys, endpoint secrets).

    A valid POST calls ``issue(cleaned_data)``, which returns the object and its secret in
    clear, and answers ``redirect``: the caller redirects to the page, so a reload sends
    nothing again. The secret waits in the session under ``session_key`` for that one GET,
    which takes it out (``load(pk)`` finds the object again); it is never shown twice. A
    service's ValidationError lands on the form; an invalid POST answers 400.
    """
    if request.method != "POST":
        shown = request.session.pop(session_key, None)
        obj = load(shown["pk"]) if isinstance(shown, dict) else None
        if shown and obj is not None:
            return Issued(form(None), obj, shown["secret"])
        return Issued(form(None))
    bound = form(request.POST)
    if bound.is_valid():
        try:
            obj, secret = issue(bound.cleaned_data)
        except ValidationError as error:
            apply_validation_error(bound, error)
        else:
            request.session[session_key] = {"pk": getattr(obj, "pk", None), "secret": secret}
            return Issued(form(None), obj, secret, redirect=True)
    return Issued(bound, status=400)
