"""A list's filters as a django-filter ``FilterSet`` over the selector's rows: a bad value is
named on the page in words (its field's label) and left out, the valid ones still apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from common.tables import unknown_choice


@dataclass
class Filtered:
    """What a list's view needs of its filters: the form to draw, the narrowed rows, the
    sentences naming bad values, and whether any filter applies (for "Clear the filters")."""

    filterset: Any
    rows: QuerySet[Any]
    errors: list[str] = field(default_factory=list)
    active: bool = False

    @property
    def form(self) -> Any:
        return self.filterset.form


def filtered(
    request: HttpRequest, queryset: QuerySet[Any], filterset_class: type[Any], **kwargs: Any
) -> Filtered:
    """``queryset`` (already what the caller may see) narrowed by the request's filters.

    The filters only narrow: a filter can never reveal a row the selector left out. A
    ``prefix`` (django-filter's) names the parameters ``<prefix>-<name>`` when a page holds
    two lists."""
    prefix = kwargs.get("prefix")

    def param(name: str) -> str:
        return f"{prefix}-{name}" if prefix else name

    bound = any(request.GET.get(param(name)) for name in filterset_class.base_filters)
    filterset = filterset_class(request.GET if bound else None, queryset=queryset, **kwargs)
    rows = filterset.qs
    errors: list[str] = []
    if bound and not filterset.form.is_valid():
        for name, problems in filterset.form.errors.as_data().items():
            label = str(filterset.form.fields[name].label or name)
            for problem in problems:
                if problem.code == "invalid_choice":
                    errors.append(unknown_choice(label, str(request.GET.get(param(name), ""))))
                else:
                    errors.extend(f"{label}: {message}" for message in problem.messages)
    cleaned = getattr(filterset.form, "cleaned_data", {}) if bound else {}
    active = any(value not in ("", None, [], ()) for value in cleaned.values())
    return Filtered(filterset=filterset, rows=rows, errors=errors, active=active)
