"""REST API: STIX 2.1 export and import, and STIX objects of every type (list, detail, shares,
revocation). Invisible objects answer 404; visible but not yours, 403. Correlation and access
requests are sharing's."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.http import parse_header_parameters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from agencies.models import Agency, APIKey
from agencies.providers import ProviderGatePermission
from common.drf import IdCursor, list_response
from common.parsers import NOT_AN_OBJECT, JSONParser, json_kind, read_json
from interop import selectors, services
from interop.serializers import (
    ExportQuerySerializer,
    ImportReportSerializer,
    ObjectQuerySerializer,
    StixObjectDetailSerializer,
    StixObjectSerializer,
)
from interop.stix import STIX_MEDIA_TYPE, export_bundle
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services
from sharing import stix as sharing_stix
from sharing.api import one_agency, share_spec
from sharing.selectors import managing_agencies
from sharing.serializers import ShareCreateSerializer, ShareSerializer

JSON_SCHEMA_MEDIA_TYPE = "application/schema+json"
NOT_A_BUNDLE = "Send a STIX bundle (type: bundle)."
STIX_VERSION_UNSUPPORTED = f"Only STIX 2.1 is imported: send {STIX_MEDIA_TYPE} or application/json."


class StixJSONParser(JSONParser):
    """A STIX 2.1 bundle sent as ``application/stix+json`` (``;version=2.1`` or no version)."""

    media_type = "application/stix+json"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        version = parse_header_parameters(media_type or "")[1].get("version", "2.1")
        if version != "2.1":
            raise UnsupportedMediaType(media_type, detail=STIX_VERSION_UNSUPPORTED)
        return super().parse(stream, media_type, parser_context)


class StixExportView(APIView):
    @extend_schema(
        summary="STIX 2.1 bundle of every indicator you may see",
        parameters=[
            OpenApiParameter("type", str, description="Indicator type, or 'pattern'"),
            OpenApiParameter("case", int),
            OpenApiParameter("since", str, description="modified on or after (ISO 8601)"),
            OpenApiParameter("until", str, description="modified on or before (ISO 8601)"),
            OpenApiParameter(
                "value",
                str,
                description="an indicator value, or a literal a pattern-only indicator's "
                "STIX pattern compares against",
            ),
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
            ).values_list(
                "body",
                "owner_id",
                "indicator__tlp",
                "stix_object__tlp",
                "indicator__pap",
                "stix_object__pap",
            )
        )
        agencies = Agency.objects.filter(pk__in={r[1] for r in rows}).order_by("code")
        tlps = {r[2] or r[3] for r in rows}
        paps = {r[4] or r[5] for r in rows}
        body = export_bundle([r[0] for r in rows], agencies, tlps, paps)
        return HttpResponse(body, content_type=STIX_MEDIA_TYPE)


class StixImportView(APIView):
    key_scope = "ingest"
    parser_classes = [JSONParser, StixJSONParser]  # the media types it takes (and the schema's)
    throttle_scope = "stix_import"
    reads_raw_body = True  # a bundle of 100k objects is read from the stream (``read_json``)

    @extend_schema(
        summary="Import a STIX 2.1 bundle as your agency's indicators",
        description="Simple patterns become typed indicators, complex ones pattern-only. "
        "Idempotent on id + modified; a newer modified updates; revoked revokes. The report "
        "counts each outcome and lists rejected objects by index, id and reason.",
        request=dict,
        responses=ImportReportSerializer,
    )
    def post(self, request: Request) -> Response:
        media, params = parse_header_parameters(request.content_type or "")
        if media not in ("application/json", "application/stix+json"):
            raise UnsupportedMediaType(media)
        if media == "application/stix+json" and params.get("version", "2.1") != "2.1":
            raise UnsupportedMediaType(request.content_type, detail=STIX_VERSION_UNSUPPORTED)
        data = read_json(request)  # too large: 413; malformed: 400; nothing written
        if not isinstance(data, dict):
            raise ValidationError(
                {"non_field_errors": [NOT_AN_OBJECT.format(kind=json_kind(data))]}
            )
        if data.get("type") != "bundle":
            raise ValidationError({"type": [NOT_A_BUNDLE]})
        if not isinstance(data.get("objects"), list):
            raise ValidationError({"objects": [services.NOT_A_LIST]})
        agency = one_agency(request, managing_agencies(user=request.user))
        key = request.auth if isinstance(request.auth, APIKey) else None
        report = services.bundle_import(
            actor=request.user, agency=agency, objects=data["objects"], api_key=key
        )
        return Response(report.as_dict())


class StixExtensionSchemaView(APIView):
    """The JSON Schema our STIX extension definition names: anyone's, no login (a consumer
    validating our objects must be able to read it); closed to providers like all of interop."""

    permission_classes = [ProviderGatePermission]

    @extend_schema(
        summary="JSON Schema of the CyberCoop STIX extension (no login)",
        responses={(200, JSON_SCHEMA_MEDIA_TYPE): dict},
    )
    def get(self, request: Request) -> HttpResponse:
        body = json.dumps(sharing_stix.extension_schema(), indent=2)
        return HttpResponse(body, content_type=JSON_SCHEMA_MEDIA_TYPE)


class StixObjectListView(APIView):
    pagination_class = IdCursor

    @extend_schema(
        summary="STIX objects visible to you (other than typed indicators), by type or name",
        parameters=[ObjectQuerySerializer],
        responses=StixObjectSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = ObjectQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = sharing_selectors.stix_object_search(
            user=request.user,
            agency=acting_agency(request),
            type=query.validated_data.get("type", ""),
            q=query.validated_data.get("q", ""),
        )
        return list_response(request, self, qs, StixObjectSerializer)


class StixObjectDetailView(APIView):
    @extend_schema(
        summary="A STIX object: our fields and the object as TAXII serves it",
        responses=StixObjectDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        stix_object = sharing_selectors.access_stix_object(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return Response(StixObjectDetailSerializer(stix_object).data)


class StixObjectSharesView(APIView):
    pagination_class = IdCursor

    @extend_schema(
        summary="Shares of a STIX object (owning agency only)",
        responses=ShareSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        stix_object = sharing_selectors.access_owned_stix_object(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        shares = sharing_selectors.stix_object_shares(stix_object=stix_object)
        return list_response(request, self, shares, ShareSerializer)

    @extend_schema(
        summary="Share the STIX object with agencies, jurisdictions, a JIT, the community or users",
        description="As for indicators: cross-jurisdiction shares need a legal basis on record "
        "(the 400 says what is missing); TLP:AMBER+STRICT never leaves the owner; TLP:RED goes "
        "to named users only. The object reaches the recipients in CyberCoop, over TAXII and "
        "as a webhook push to their partner endpoints that take its type (object_types).",
        request=ShareCreateSerializer,
        responses={201: ShareSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        stix_object = sharing_selectors.access_owned_stix_object(
            user=request.user, pk=pk, agency=agency
        )
        serializer = ShareCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        share = sharing_services.stix_objects_share(
            actor=request.user,
            objects=[stix_object],
            spec=share_spec(request, serializer.validated_data),
            agency=agency,
        )
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)


class StixObjectShareWithdrawView(APIView):
    @extend_schema(
        summary="Withdraw a share of the STIX object: its recipients lose access at once",
        request=None,
        responses=ShareSerializer,
    )
    def post(self, request: Request, pk: int, share_pk: int) -> Response:
        agency = acting_agency(request)
        stix_object = sharing_selectors.access_owned_stix_object(
            user=request.user, pk=pk, agency=agency
        )
        share = sharing_selectors.access_stix_object_share(stix_object=stix_object, pk=share_pk)
        share = sharing_services.share_withdraw(actor=request.user, share=share, agency=agency)
        return Response(ShareSerializer(share).data)


class StixObjectRevokeView(APIView):
    @extend_schema(
        summary="Revoke the STIX object: a revoked version for TAXII; recipients lose it",
        request=None,
        responses=StixObjectDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        stix_object = sharing_selectors.access_owned_stix_object(
            user=request.user, pk=pk, agency=agency
        )
        stix_object = sharing_services.stix_object_revoke(
            actor=request.user, stix_object=stix_object, agency=agency
        )
        return Response(StixObjectDetailSerializer(stix_object).data)
