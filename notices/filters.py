"""Filters of the review queue and the public notices (django-filter, `_filters.html`)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from notices.models import PUBLIC_TYPES, Notice, NoticeType


class QueueFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="notice_type",
        label=_("Type"),
        choices=NoticeType.choices,
        empty_label=_("Any type"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (Notice.Status.SUBMITTED, Notice.Status.UNDER_REVIEW)],
        empty_label=_("Any status"),
    )
    requester = django_filters.CharFilter(
        field_name="requesting_agency__code", lookup_expr="iexact", label=_("Requesting agency")
    )

    class Meta:
        model = Notice
        fields = ["type", "status", "requester"]


class PublicNoticeFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="notice_type",
        label=_("Type"),
        choices=[(t.value, t.label) for t in NoticeType if t in PUBLIC_TYPES],
        empty_label=_("Any type"),
    )
    name = django_filters.CharFilter(method="filter_name", label=_("Name"))

    class Meta:
        model = Notice
        fields = ["type", "name"]

    def filter_name(self, queryset: QuerySet[Notice], name: str, value: str) -> QuerySet[Notice]:
        # Each word (up to five) in the forenames or the family name.
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(family_name__icontains=word) | Q(forenames__icontains=word)
            )
        return queryset
