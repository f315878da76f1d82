"""REST API: indicators (list, search, inbound ingest), shares, revocation, partner
endpoints and deliveries. Invisible objects answer 404; visible but not yours, 403."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from agencies.models import APIKey
from agencies.selectors import administered_agencies
from cases.selectors import jits_visible_to
from common.drf import IdCursor, list_response
from common.keyset import Window
from common.parsers import PayloadTooLarge, json_kind, read_json
from sharing import ingest, selectors, services, stix
from sharing.legal import ShareSpec
from sharing.models import Delivery, Indicator
from sharing.serializers import (
    BulkShareCreateSerializer,
    DeliveryDetailSerializer,
    DeliverySerializer,
    IndicatorInSerializer,
    IndicatorSerializer,
    IngestReportSerializer,
    PartnerEndpointCreatedSerializer,
    PartnerEndpointSerializer,
    ShareCreateSerializer,
    ShareSerializer,
)

NOT_INGESTIBLE = "Send an indicator object, a list of them, or a STIX bundle, not {kind}."


def one_agency(request: Request, queryset, field: str = "agency", data: Any = None) -> Any:
    """The agency the request acts for: the key's, or the only/named one in the browser.

    ``data``: the body when the view read it from the stream itself (``request.data`` is gone).
    """
    agency = acting_agency(request)
    if agency is not None:
        return agency
    data = request.data if data is None else data
    code = request.query_params.get("agency") or (
        data.get("agency") if isinstance(data, dict) else None
    )
    if code:
        chosen = queryset.filter(code=code).first()
        if chosen is None:
            raise DRFValidationError({field: [f"You cannot act for {code}."]})
        return chosen
    agencies = list(queryset[:2])
    if len(agencies) != 1:
        raise DRFValidationError({field: ["Name the agency (?agency=CODE) you act for."]})
    return agencies[0]


def _indicator_context(request: Request, indicators: Any) -> dict[str, Any]:
    """Serializer context: which linked cases the caller may see (the rest read null)."""
    ids = selectors.visible_case_ids(
        user=request.user, agency=acting_agency(request), indicators=indicators
    )
    return {"visible_case_ids": ids}


INDICATOR_FILTERS = ("q", "type", "tlp", "owner")


class IndicatorListCreateView(APIView):
    pagination_class = IdCursor
    key_scope_post = "ingest"
    throttle_scope_post = "ingest"
    reads_raw_body = True  # ingest streams and checks its body itself (object, list or bundle)

    def get_page_window(self) -> Window | None:
        """Unfiltered, the page is read from the grant indexes (``indicators_window``)."""
        if any(self.request.query_params.get(k) for k in INDICATOR_FILTERS):
            return None
        return selectors.indicators_window(
            user=self.request.user, agency=acting_agency(self.request)
        )

    @extend_schema(
        summary="Indicators visible to you (search by value, type, TLP, owner)",
        parameters=[
            OpenApiParameter("q", str, description="A value (exact, normalised) or text"),
            OpenApiParameter("type", str),
            OpenApiParameter("tlp", str),
            OpenApiParameter("owner", str, description="Owning agency code"),
        ],
        responses=IndicatorSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = selectors.indicator_search(
            user=request.user,
            agency=acting_agency(request),
            q=request.query_params.get("q", ""),
            type=request.query_params.get("type", ""),
            tlp=request.query_params.get("tlp", ""),
            owner=request.query_params.get("owner", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        context = _indicator_context(request, page)
        return paginator.get_paginated_response(
            IndicatorSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        summary="Ingest one indicator or a list (simple JSON or STIX 2.1 indicators / a bundle)",
        description="Idempotent on STIX id + modified. A list gets a per-item report; valid "
        "items are stored. Malformed JSON or an oversized body: 4xx, nothing written.",
        request=IndicatorInSerializer(many=True),
        responses={
            201: IngestReportSerializer,
            200: IngestReportSerializer,
            400: OpenApiResponse(description="Malformed JSON, or every item rejected (report)"),
            409: OpenApiResponse(description="A concurrent request stored the same values"),
            413: OpenApiResponse(description="Body or item count over the limit"),
        },
    )
    def post(self, request: Request) -> Response:
        data = read_json(request)  # too large: 413; malformed: 400; nothing written
        if not isinstance(data, dict | list):
            raise ParseError(NOT_INGESTIBLE.format(kind=json_kind(data)))
        agency = one_agency(request, selectors.managing_agencies(user=request.user), data=data)
        single = isinstance(data, dict) and data.get("type") != "bundle"
        if isinstance(data, dict) and data.get("type") == "bundle":
            data = data.get("objects")
        items = [data] if single else data
        if not isinstance(items, list):
            raise ParseError("Send an indicator object, a list of them, or a STIX bundle.")
        if len(items) > settings.SHARING_INGEST_MAX_ITEMS:
            raise PayloadTooLarge(f"At most {settings.SHARING_INGEST_MAX_ITEMS} items per request.")
        defined = stix.bundle_markings(items)  # read by content, then left out of the items
        items = [
            stix.markings_resolved(i, defined)
            for i in items
            if not (isinstance(i, dict) and i.get("type") == "marking-definition")
        ]
        key = request.auth if isinstance(request.auth, APIKey) else None
        try:
            with transaction.atomic():
                report = ingest.indicators_ingest(
                    actor=request.user, agency=agency, items=items, api_key=key
                )
        except IntegrityError:
            return Response(
                {
                    "detail": _(
                        "Another request stored some of these indicators at the same time; "
                        "nothing was written. Send the request again (ingest is idempotent)."
                    )
                },
                status=status.HTTP_409_CONFLICT,
            )
        if single:
            if report.errors:
                error = report.errors[0]
                raise DRFValidationError({error["field"]: [error["reason"]]})
            state, indicator = report.items[0]
            code = status.HTTP_201_CREATED if state == "created" else status.HTTP_200_OK
            context = _indicator_context(request, [indicator])
            return Response(IndicatorSerializer(indicator, context=context).data, status=code)
        body = {**report.counts(), "errors": report.errors}
        if items and not (report.created or report.updated or report.unchanged):
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if report.created else status.HTTP_200_OK
        return Response(body, status=code)


class IndicatorDetailView(generics.RetrieveAPIView):
    serializer_class = IndicatorSerializer

    def get_object(self):
        return selectors.access_indicator(
            user=self.request.user, pk=self.kwargs["pk"], agency=acting_agency(self.request)
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        indicator = self.get_object()
        context = _indicator_context(request, [indicator])
        return Response(IndicatorSerializer(indicator, context=context).data)


def share_spec(request: Request, data: dict[str, Any]) -> ShareSpec:
    jit = None
    if data.get("jit") is not None:
        jit = (
            jits_visible_to(user=request.user, agency=acting_agency(request))
            .filter(pk=data["jit"])
            .first()
        )
        if jit is None:
            raise DRFValidationError({"jit": [f"No JIT {data['jit']}."]})
    return ShareSpec(
        agencies=data.get("agencies", []),
        jurisdictions=data.get("jurisdictions", []),
        jit=jit,
        community=data.get("community", False),
        users=data.get("users", []),
        legal_basis=data.get("legal_basis"),
    )


def _create_share(request: Request, indicators: list[Indicator]) -> Response:
    serializer = (
        BulkShareCreateSerializer if "indicators" in request.data else ShareCreateSerializer
    )(data=request.data)
    serializer.is_valid(raise_exception=True)
    share = services.indicator_share(
        actor=request.user,
        indicators=indicators,
        spec=share_spec(request, serializer.validated_data),
        agency=acting_agency(request),
    )
    return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)


class IndicatorSharesView(APIView):
    pagination_class = IdCursor

    @extend_schema(
        summary="Shares of an indicator (owning agency only)", responses=ShareSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        indicator = selectors.access_owned_indicator(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        shares = selectors.indicator_shares(indicator=indicator)
        return list_response(request, self, shares, ShareSerializer)

    @extend_schema(
        summary="Share the indicator with agencies, jurisdictions, a JIT, the community or users",
        description="Cross-jurisdiction shares need a legal basis on record; the 400 says what is "
        "missing. TLP:AMBER+STRICT never leaves the owner; TLP:RED goes to named users only.",
        request=ShareCreateSerializer,
        responses={201: ShareSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        indicator = selectors.access_owned_indicator(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return _create_share(request, [indicator])


class BulkShareView(APIView):
    @extend_schema(
        summary="Share many indicators of one owning agency at once",
        request=BulkShareCreateSerializer,
        responses={201: ShareSerializer},
    )
    def post(self, request: Request) -> Response:
        ids = request.data.get("indicators") if isinstance(request.data, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
            raise DRFValidationError(
                {"indicators": ["A non-empty list of indicator ids is required."]}
            )
        agency = acting_agency(request)
        found = list(
            selectors.indicators_visible_to(user=request.user, agency=agency).filter(pk__in=ids)
        )
        if len(found) != len(set(ids)):
            missing = sorted(set(ids) - {i.pk for i in found})[:20]
            raise DRFValidationError({"indicators": [f"No such indicators: {missing}."]})
        return _create_share(request, found)


class ShareWithdrawView(APIView):
    @extend_schema(
        summary="Withdraw a share: access goes at once, tombstones follow",
        request=None,
        responses=ShareSerializer,
    )
    def post(self, request: Request, pk: int, share_pk: int) -> Response:
        agency = acting_agency(request)
        indicator = selectors.access_owned_indicator(user=request.user, pk=pk, agency=agency)
        share = selectors.access_share(indicator=indicator, pk=share_pk)
        share = services.share_withdraw(actor=request.user, share=share, agency=agency)
        return Response(ShareSerializer(share).data)


class IndicatorRevokeView(APIView):
    @extend_schema(
        summary="Revoke the indicator: recipients lose it, endpoints get a tombstone",
        request=None,
        responses=IndicatorSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        indicator = selectors.access_owned_indicator(user=request.user, pk=pk, agency=agency)
        indicator = services.indicator_revoke(
            actor=request.user, indicator=indicator, agency=agency
        )
        context = _indicator_context(request, [indicator])
        return Response(IndicatorSerializer(indicator, context=context).data)


class PartnerEndpointListCreateView(APIView):
    pagination_class = IdCursor

    @extend_schema(
        summary="Partner endpoints of the agencies you administer",
        responses=PartnerEndpointSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = selectors.endpoints_administered_by(user=request.user, agency=acting_agency(request))
        return list_response(request, self, qs, PartnerEndpointSerializer)

    @extend_schema(
        summary="Register a partner endpoint (agency admins); the secret is returned once",
        request=PartnerEndpointSerializer,
        responses={201: PartnerEndpointCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        administered = administered_agencies(user=request.user, agency=acting_agency(request))
        if not administered.exists():
            return Response(
                {"detail": _("Only agency admins manage partner endpoints.")}, status=403
            )
        serializer = PartnerEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("agency", None)
        agency = one_agency(request, administered)
        endpoint, secret = services.endpoint_create(actor=request.user, agency=agency, **data)
        endpoint.secret = secret
        return Response(
            PartnerEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class PartnerEndpointDetailView(APIView):
    @extend_schema(responses=PartnerEndpointSerializer)
    def get(self, request: Request, pk: int) -> Response:
        endpoint = selectors.access_endpoint(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return Response(PartnerEndpointSerializer(endpoint).data)

    @extend_schema(request=PartnerEndpointSerializer, responses=PartnerEndpointSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = selectors.access_endpoint(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        serializer = PartnerEndpointSerializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("agency", None)
        endpoint = services.endpoint_update(actor=request.user, endpoint=endpoint, **data)
        return Response(PartnerEndpointSerializer(endpoint).data)


class PartnerEndpointRetryView(APIView):
    @extend_schema(
        summary="Retry now: failing and dead deliveries of the endpoint become due",
        request=None,
        responses=inline_serializer("RetryNow", {"deliveries": serializers.IntegerField()}),
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = selectors.access_endpoint(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        count = services.endpoint_retry_now(actor=request.user, endpoint=endpoint)
        return Response({"deliveries": count})


class DeliveryListView(generics.ListAPIView):
    """Deliveries to the endpoints of the agencies you administer."""

    serializer_class = DeliverySerializer
    pagination_class = IdCursor
    filterset_fields = ["endpoint", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return selectors.deliveries_visible_to(
            user=self.request.user, agency=acting_agency(self.request)
        )


class DeliveryDetailView(generics.RetrieveAPIView):
    serializer_class = DeliveryDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return selectors.deliveries_visible_to(
            user=self.request.user, agency=acting_agency(self.request)
        ).prefetch_related("attempt_log")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        items = selectors.delivery_items_in_words(delivery_ids=[found.pk]).get(found.pk, [])
        context = {**self.get_serializer_context(), "items": items}
        return Response(self.get_serializer(found, context=context).data)
