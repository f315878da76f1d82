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


def issue_with_secret(
    request: HttpRequest,
    *,
    form: Callable[[QueryDict | None], forms.Form],
    issue: Callable[[Mapping[str, Any]], tuple[T, str]],
) -> Issued[T]:
    """The "show the secret once" flow of an issuing page (API keys, endpoint secrets).

    A valid POST calls ``issue(cleaned_data)``, which returns the object and its secret in
    clear; only this response carries the secret (it is stored hashed or never shown
    again) and the page gets a blank form. A service's ValidationError lands on the form;
    an invalid POST answers 400.
    """
    if request.method != "POST":
        return Issued(form(None))
    bound = form(request.POST)
    if bound.is_valid():
        try:
            obj, secret = issue(bound.cleaned_data)
        except ValidationError as error:
            apply_validation_error(bound, error)
        else:
            return Issued(form(None), obj, secret)
    return Issued(bound, status=400)
