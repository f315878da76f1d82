"""Filters of sharing's HTML lists (django-filter, drawn by ``templates/_filters.html``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sharing.models import Delivery, PartnerEndpoint


class DeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.ModelChoiceFilter(
        label=_("Endpoint"), queryset=PartnerEndpoint.objects.none(), empty_label=_("Any endpoint")
    )
    status = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=Delivery.Status.choices, empty_label=_("Any outcome")
    )

    class Meta:
        model = Delivery
        fields = ["endpoint", "status"]

    def __init__(
        self, *args: Any, endpoints: QuerySet[PartnerEndpoint] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the agency's own endpoints are choices: another's is "not one of the choices".
        endpoint = self.filters["endpoint"]
        assert isinstance(endpoint, django_filters.ModelChoiceFilter)
        endpoint.queryset = endpoints if endpoints is not None else PartnerEndpoint.objects.none()
