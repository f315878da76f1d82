"""REST API: STIX 2.1 export and import, correlation lookups, indicator correlations and
access requests (sent and inbox). Invisible objects answer 404; visible but not yours 403."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from agencies.models import APIKey
from common.drf import IdCursor, drf_validation_error
from interop import selectors, services
from interop.serializers import (
    AccessRequestInSerializer,
    AccessRequestSerializer,
    DeclineSerializer,
    ExportQuerySerializer,
    GrantSerializer,
    ImportReportSerializer,
    InboxItemSerializer,
    LookupInSerializer,
    LookupResultSerializer,
)
from interop.stix import STIX_MEDIA_TYPE, export_bundle
from sharing.api import _one_agency
from sharing.selectors import access_indicator, managing_agencies


class Newest(IdCursor):
    max_page_size = 500


class StixExportView(APIView):
    @extend_schema(
        summary="STIX 2.1 bundle of every indicator you may see",
        parameters=[
            OpenApiParameter("type", str, description="Indicator type, or 'pattern'"),
            OpenApiParameter("case", int),
            OpenApiParameter("since", str, description="modified on or after (ISO 8601)"),
            OpenApiParameter("until", str, description="modified on or before (ISO 8601)"),
        ],
        responses={(200, STIX_MEDIA_TYPE): dict},
    )
    def get(self, request: Request) -> HttpResponse:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if v not in ("", None)}
        rows = list(
            selectors.export_versions(
                user=request.user, agency=acting_agency(request), **filters
            ).values_list("body", "owner_id", "indicator__tlp", "pattern_indicator__tlp")
        )
        from agencies.models import Agency

        agencies = Agency.objects.filter(pk__in={r[1] for r in rows}).order_by("code")
        tlps = {r[2] or r[3] for r in rows}
        body = export_bundle([r[0] for r in rows], agencies, tlps)
        return HttpResponse(body, content_type=STIX_MEDIA_TYPE)


class StixImportView(APIView):
    @extend_schema(
        summary="Import a STIX 2.1 bundle as your agency's indicators",
        description="Simple patterns become typed indicators, complex ones pattern-only. "
        "Idempotent on id + modified; a newer modified updates; revoked revokes. The report "
        "counts each outcome and lists rejected objects by index, id and reason.",
        request=dict,
        responses=ImportReportSerializer,
    )
    def post(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict) or data.get("type") != "bundle":
            raise DRFValidationError({"type": ["Send a STIX bundle (type: bundle)."]})
        if not isinstance(data.get("objects"), list):
            raise DRFValidationError({"objects": ["A list of STIX objects is required."]})
        agency = _one_agency(request, managing_agencies(user=request.user))
        key = request.auth if isinstance(request.auth, APIKey) else None
        report = services.bundle_import(
            actor=request.user, agency=agency, objects=data["objects"], api_key=key
        )
        return Response(report.as_dict())


class LookupView(APIView):
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
        values = request.data.get("values") if isinstance(request.data, dict) else None
        if values is None:
            raise DRFValidationError({"values": ["This field is required."]})
        try:
            results = services.correlation_lookup(
                actor=request.user, agency=acting_agency(request), values=values
            )
        except services.LookupErrors as exc:
            raise DRFValidationError({"values": exc.item_errors}) from None
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from None
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
        results = services.correlation_lookup(
            actor=request.user,
            agency=agency,
            values=[{"type": indicator.type, "value": indicator.normalized}],
        )[0]
        others = [i for i in results.ids if i != indicator.pk]
        hidden = bool(
            services.hidden_matches(user=request.user, agency=agency, indicator=indicator)
        )
        return Response({"indicator": indicator.pk, "visible": others, "held_elsewhere": hidden})


class AccessRequestListCreateView(APIView):
    @extend_schema(
        summary="Access requests your agency sent", responses=AccessRequestSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        paginator = Newest()
        qs = selectors.requests_sent(user=request.user, agency=acting_agency(request))
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AccessRequestSerializer(page, many=True).data)

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
        created = services.access_request_create(
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
        found = selectors.access_sent_request(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return Response(AccessRequestSerializer(found).data)


class InboxView(APIView):
    @extend_schema(
        summary="Access requests reaching your agency's indicators",
        responses=InboxItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        paginator = Newest()
        qs = selectors.inbox_for(user=request.user, agency=acting_agency(request))
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(InboxItemSerializer(page, many=True).data)


class InboxDetailView(APIView):
    @extend_schema(summary="One access request to your agency", responses=InboxItemSerializer)
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.access_target(user=request.user, pk=pk, agency=acting_agency(request))
        return Response(InboxItemSerializer(target).data)


class InboxShareView(APIView):
    @extend_schema(
        summary="Share the matched indicator with the requester (legal-basis check, delivery)",
        request=GrantSerializer,
        responses=InboxItemSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        target = selectors.access_target(user=request.user, pk=pk, agency=agency)
        data = GrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.access_request_grant(
            actor=request.user,
            target=target,
            legal_basis=data.validated_data.get("legal_basis"),
            agency=agency,
        )
        return Response(InboxItemSerializer(target).data)


class InboxDeclineView(APIView):
    @extend_schema(
        summary="Decline an access request with a reason",
        request=DeclineSerializer,
        responses=InboxItemSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        target = selectors.access_target(user=request.user, pk=pk, agency=agency)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.access_request_decline(
            actor=request.user,
            target=target,
            reason=data.validated_data["reason"],
            agency=agency,
        )
        return Response(InboxItemSerializer(target).data)
