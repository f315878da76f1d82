"""Filters of sharing's HTML lists (django-filter, drawn by ``templates/_filters.html``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from sharing.models import Delivery, PartnerEndpoint


class EndpointChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: PartnerEndpoint) -> str:
        return obj.name  # the endpoint's name alone (its __str__ carries ids)


class EndpointFilter(django_filters.ModelChoiceFilter):
    field_class = EndpointChoiceField


class DeliveryFilter(django_filters.FilterSet):
    endpoint = EndpointFilter(
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
        assert isinstance(endpoint, EndpointFilter)
        endpoint.queryset = endpoints if endpoints is not None else PartnerEndpoint.objects.none()
