"""Filters of the assistance inbox and outbox (django-filter, drawn by ``_filters.html``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import AssistanceRequest, Kind


class RequestFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, empty_label=_("Any kind")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AssistanceRequest.Status.choices, empty_label=_("Any status")
    )
    # ``overdue`` is the selectors' annotation (past its deadline and still waiting).
    overdue = django_filters.BooleanFilter(
        label=_("Deadline"),
        widget=forms.Select(
            choices=[("", _("Overdue or not")), ("true", _("Overdue")), ("false", _("On time"))]
        ),
    )

    class Meta:
        model = AssistanceRequest
        fields = ["kind", "status", "overdue"]
