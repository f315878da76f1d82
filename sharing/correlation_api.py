"""REST API: correlation lookups, the correlations of one indicator, and access requests
(sent and inbox). Invisible objects answer 404; visible but not yours 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from common.drf import IdCursor
from sharing import access_requests, correlation
from sharing.correlation_serializers import (
    AccessRequestInSerializer,
    AccessRequestSerializer,
    DeclineSerializer,
    GrantSerializer,
    InboxItemSerializer,
    LookupInSerializer,
    LookupResultSerializer,
)
from sharing.models import AccessRequest, AccessRequestTarget
from sharing.selectors import access_indicator

VALUES_REQUIRED = "This field is required."


class Newest(IdCursor):
    max_page_size = 500


class LookupView(APIView):
    throttle_scope = "lookup"

    @staticmethod
    def throttle_weight(request: Request) -> int:
        """The lookup is limited in values per minute, not only in calls."""
        values = request.data.get("values")
        return len(values) if isinstance(values, list) else 1

    @extend_schema(
        summary="Hit/no-hit lookup of up to 10,000 values",
        responses=inline_serializer(
            "LookupResponse", {"results": LookupResultSerializer(many=True)}
        ),
        description="Each value answers visible (with the ids you may see), hit (another "
        "agency holds it; nothing more) or none.",
        request=LookupInSerializer,
    )
    def post(self, request: Request) -> Response:
        # Plain dicts, not serializers, both ways: 10,000 values per request stay cheap.
        values = request.data.get("values")
        if values is None:
            raise ValidationError({"values": [VALUES_REQUIRED]})
        results = correlation.correlation_lookup(
            actor=request.user, agency=acting_agency(request), values=values
        )
        return Response(
            {
                "results": [
                    {
                        "type": r.type,
                        "value": r.value,
                        "normalized": r.normalized,
                        "result": r.result,
                        "ids": r.ids,
                    }
                    for r in results
                ]
            }
        )


class IndicatorCorrelationView(APIView):
    @extend_schema(
        summary="Matches of one of your indicators: visible ones, and a hidden-hit flag",
        responses=inline_serializer(
            "IndicatorCorrelation",
            {
                "indicator": serializers.IntegerField(),
                "visible": serializers.ListField(child=serializers.IntegerField()),
                "held_elsewhere": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        indicator = access_indicator(user=request.user, pk=pk, agency=agency)
        results = correlation.correlation_lookup(
            actor=request.user,
            agency=agency,
            values=[{"type": indicator.type, "value": indicator.normalized}],
        )[0]
        others = [i for i in results.ids if i != indicator.pk]
        hidden = bool(
            correlation.hidden_matches(user=request.user, agency=agency, indicator=indicator)
        )
        return Response({"indicator": indicator.pk, "visible": others, "held_elsewhere": hidden})


class AccessRequestListCreateView(generics.ListAPIView):
    serializer_class = AccessRequestSerializer
    pagination_class = Newest

    def get_queryset(self) -> QuerySet[AccessRequest]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return AccessRequest.objects.none()
        return access_requests.requests_sent(
            user=self.request.user, agency=acting_agency(self.request)
        )

    @extend_schema(summary="Access requests your agency sent")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Ask the (unnamed) holders of a hidden match to share it",
        request=AccessRequestInSerializer,
        responses={201: AccessRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        data = AccessRequestInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = acting_agency(request)
        indicator = access_indicator(
            user=request.user, pk=data.validated_data["indicator"], agency=agency
        )
        created = access_requests.access_request_create(
            actor=request.user,
            indicator=indicator,
            reason=data.validated_data["reason"],
            legal_basis=data.validated_data["legal_basis"],
            handling_code=data.validated_data["handling_code"],
            agency=agency,
        )
        return Response(AccessRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class AccessRequestDetailView(APIView):
    @extend_schema(summary="One request your agency sent", responses=AccessRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        found = access_requests.access_sent_request(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return Response(AccessRequestSerializer(found).data)


class InboxView(generics.ListAPIView):
    serializer_class = InboxItemSerializer
    pagination_class = Newest

    def get_queryset(self) -> QuerySet[AccessRequestTarget]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return AccessRequestTarget.objects.none()
        return access_requests.inbox_for(user=self.request.user, agency=acting_agency(self.request))

    @extend_schema(summary="Access requests reaching your agency's indicators")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class InboxDetailView(APIView):
    @extend_schema(summary="One access request to your agency", responses=InboxItemSerializer)
    def get(self, request: Request, pk: int) -> Response:
        target = access_requests.access_target(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return Response(InboxItemSerializer(target).data)


def _answer(
    request: Request,
    pk: int,
    body: type[serializers.Serializer],
    decide: Callable[..., AccessRequestTarget],
) -> Response:
    """The holder's answer to one inbox item: find it (404), validate the body, decide."""
    agency = acting_agency(request)
    target = access_requests.access_target(user=request.user, pk=pk, agency=agency)
    data = body(data=request.data)
    data.is_valid(raise_exception=True)
    fields: dict[str, Any] = dict(data.validated_data)
    target = decide(actor=request.user, target=target, agency=agency, **fields)
    return Response(InboxItemSerializer(target).data)


class InboxShareView(APIView):
    @extend_schema(
        summary="Share the matched indicator with the requester (legal-basis check, delivery)",
        request=GrantSerializer,
        responses=InboxItemSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        return _answer(request, pk, GrantSerializer, access_requests.access_request_grant)


class InboxDeclineView(APIView):
    @extend_schema(
        summary="Decline an access request with a reason",
        request=DeclineSerializer,
        responses=InboxItemSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        return _answer(request, pk, DeclineSerializer, access_requests.access_request_decline)
