"""Filters of the JIT invitations page (django-filter, drawn by ``templates/_filters.html``)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from cases.models import JITMembership


class JITMembershipFilter(django_filters.FilterSet):
    jit = django_filters.CharFilter(field_name="jit__name", lookup_expr="icontains", label=_("JIT"))
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=JITMembership.Role.choices, empty_label=_("Any role")
    )

    class Meta:
        model = JITMembership
        fields = ["jit", "role"]
