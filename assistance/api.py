"""REST endpoints for assistance requests. A request the caller may not see answers 404, like a
missing one; each action is a service call (409 for a step the request's status forbids)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils.translation import gettext, gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from assistance import selectors, services
from assistance.models import AssistanceRequest, Kind, RequestEvent
from assistance.serializers import (
    AssistanceRequestSerializer,
    AssistanceRequestUpdateSerializer,
    AttachmentUploadSerializer,
    PreserveSerializer,
    RefuseSerializer,
    RequestAttachmentSerializer,
    RequestFilterSerializer,
    RequestResponseSerializer,
    RespondSerializer,
    WithdrawSerializer,
)
from cases.api import require_no_body
from cases.files import install_limit_handler, too_large_message
from cases.selectors import cases_visible_to

# Unknown and invisible alike, so that no one learns what exists outside their cases.
NO_CASE = gettext_noop("No case {pk} that you take part in.")
NO_JIT = gettext_noop("No JIT {pk} of this case.")
NO_PRESERVATION = gettext_noop("No request {pk} of this case that you can see.")

FILTERS = [
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("status", str, enum=AssistanceRequest.Status.values),
    OpenApiParameter("overdue", bool, description="Past the deadline and still waiting"),
    OpenApiParameter("case", int, description="Case id"),
]


def _queryset(request: Request) -> QuerySet[AssistanceRequest]:
    return (
        selectors.requests_visible_to(user=request.user, agency=acting_agency(request))
        .prefetch_related(
            Prefetch("events", queryset=RequestEvent.objects.select_related("actor", "agency")),
            "attachments",
            "responses__agency",
            Prefetch(
                "preservations", queryset=AssistanceRequest.objects.select_related("follow_up")
            ),
        )
        .select_related("follow_up", "enforcing_authority")
    )


def _context(request: Request) -> dict[str, Any]:
    agency_ids = selectors.party_agency_ids(user=request.user, agency=acting_agency(request))
    return {"request": request, "agency_ids": agency_ids}


def _show(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    obj = _queryset(request).get(pk=pk)
    return Response(AssistanceRequestSerializer(obj, context=_context(request)).data, status=code)


def _references(data: dict[str, Any], case: Any, request: Request) -> dict[str, Any]:
    """Ids in the body resolved inside the case (unknown and invisible alike: 400)."""
    given = "jit_id" in data
    jit_id = data.pop("jit_id", None)
    if jit_id is not None:
        jit = case.jits.filter(pk=jit_id).first()
        if jit is None:
            raise serializers.ValidationError({"jit": [gettext(NO_JIT).format(pk=jit_id)]})
        data["jit"] = jit
    elif given:
        data["jit"] = None
    follow_id = data.pop("follow_up_of", None)
    if follow_id is not None:
        preservation = _queryset(request).filter(case=case, pk=follow_id).first()
        if preservation is None:
            raise serializers.ValidationError(
                {"follow_up_of": [gettext(NO_PRESERVATION).format(pk=follow_id)]}
            )
        data["follow_up_of"] = preservation
    return data


class RequestListView(generics.ListCreateAPIView):
    """Requests the caller sees: its agencies' own, those addressed to them (from sent on),
    and those a requester shared with a JIT they are in."""

    serializer_class = AssistanceRequestSerializer
    queryset = AssistanceRequest.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssistanceRequest.objects.none()
        filters = RequestFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.filter_requests(_queryset(self.request), **filters.validated_data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_context(self.request)}

    @extend_schema(parameters=FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = acting_agency(request)
        case_id = data.pop("case_id")
        case = cases_visible_to(user=request.user, agency=agency).filter(pk=case_id).first()
        if case is None:
            raise serializers.ValidationError({"case": [gettext(NO_CASE).format(pk=case_id)]})
        data = _references(data, case, request)
        obj = services.request_create(actor=request.user, case=case, agency=agency, **data)
        return _show(request, obj.pk, status.HTTP_201_CREATED)


class RequestDetailView(generics.RetrieveUpdateAPIView):
    """One request; PATCH changes a draft (409 once sent)."""

    serializer_class = AssistanceRequestSerializer
    http_method_names = ["get", "patch", "head", "options"]
    queryset = AssistanceRequest.objects.none()

    def get_object(self) -> AssistanceRequest:
        return selectors.access_request(
            user=self.request.user, pk=self.kwargs["pk"], agency=acting_agency(self.request)
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _show(request, self.get_object().pk)

    @extend_schema(request=AssistanceRequestUpdateSerializer, responses=AssistanceRequestSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        serializer = AssistanceRequestUpdateSerializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _references(dict(serializer.validated_data), obj.case, request)
        services.request_update(
            actor=request.user, request=obj, agency=acting_agency(request), **data
        )
        return _show(request, obj.pk)


class _Action(APIView):
    """POST /assistance-requests/{id}/<action>/: find the request (404), act, show it."""

    def target(self, request: Request, pk: int) -> AssistanceRequest:
        return selectors.access_request(user=request.user, pk=pk, agency=acting_agency(request))

    def body(self, request: Request, serializer_class: type[serializers.Serializer]) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _simple(service: Any, summary: str) -> type[_Action]:
    class View(_Action):
        @extend_schema(request=None, responses=AssistanceRequestSerializer, summary=summary)
        def post(self, request: Request, pk: int) -> Response:
            obj = self.target(request, pk)
            require_no_body(request)
            service(actor=request.user, request=obj, agency=acting_agency(request))
            return _show(request, pk)

    return View


SendView = _simple(services.request_send, "Send (checks the legal basis, routes, starts the clock)")
AcknowledgeView = _simple(services.request_acknowledge, "Acknowledge receipt (addressee)")
StartView = _simple(services.request_start, "Start executing (addressee)")
ExtendView = _simple(services.request_extend, "Extend the preservation (requester)")
ReleaseView = _simple(services.request_release, "Release the preserved data")
NoGroundsView = _simple(
    services.request_no_grounds,
    "The enforcing authority raises no ground for refusal (Reg. 2023/1543 Art. 10(2))",
)


class PreserveView(_Action):
    @extend_schema(request=PreserveSerializer, responses=AssistanceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        obj = self.target(request, pk)
        body = self.body(request, PreserveSerializer)
        services.request_preserve(
            actor=request.user, request=obj, agency=acting_agency(request), **body
        )
        return _show(request, pk)


class RefuseView(_Action):
    @extend_schema(request=RefuseSerializer, responses=AssistanceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        obj = self.target(request, pk)
        body = self.body(request, RefuseSerializer)
        services.request_refuse(
            actor=request.user, request=obj, agency=acting_agency(request), **body
        )
        return _show(request, pk)


class WithdrawView(_Action):
    @extend_schema(request=WithdrawSerializer, responses=AssistanceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        obj = self.target(request, pk)
        body = self.body(request, WithdrawSerializer)
        services.request_withdraw(
            actor=request.user, request=obj, agency=acting_agency(request), **body
        )
        return _show(request, pk)


class _Upload(_Action):
    """Multipart; the file streams to storage (SHA-256 and size on the way, limit enforced)."""

    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Must run before anything reads the body (authentication's CSRF check does).
        self.limit_handler = install_limit_handler(request)
        super().initial(request, *args, **kwargs)

    def upload(self, request: Request, serializer_class: type[serializers.Serializer]) -> dict:
        data = request.data  # parse the body first: the limit handler reports while parsing
        if self.limit_handler.too_large:
            raise serializers.ValidationError({"file": [too_large_message()]})
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class RespondView(_Upload):
    @extend_schema(
        request={"multipart/form-data": RespondSerializer},
        responses={201: RequestResponseSerializer},
        summary="Produce data (addressee): a response file that enters the case as evidence",
    )
    def post(self, request: Request, pk: int) -> Response:
        obj = self.target(request, pk)
        body = self.upload(request, RespondSerializer)
        response = services.request_respond(
            actor=request.user, request=obj, agency=acting_agency(request), **body
        )
        data = RequestResponseSerializer(response, context=_context(request)).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttachmentView(_Upload):
    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: RequestAttachmentSerializer},
        summary="Attach the signed order or a translation (requester)",
    )
    def post(self, request: Request, pk: int) -> Response:
        obj = self.target(request, pk)
        body = self.upload(request, AttachmentUploadSerializer)
        attachment = services.attachment_add(
            actor=request.user, request=obj, agency=acting_agency(request), **body
        )
        return Response(
            RequestAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )


def _file(field: Any, name: str, sha256: str) -> FileResponse:
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream"
    )
    response["X-Content-SHA256"] = sha256
    return response


class ResponseDownloadView(APIView):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download a response file (audited; a custody event for the requester)",
    )
    def get(self, request: Request, pk: int, rid: int) -> FileResponse:
        agency = acting_agency(request)
        obj = selectors.access_request(user=request.user, pk=pk, agency=agency)
        agency_ids = selectors.party_agency_ids(user=request.user, agency=agency)
        response = selectors.access_response(request=obj, pk=rid, agency_ids=agency_ids)
        services.response_record_download(actor=request.user, response=response, agency=agency)
        return _file(response.file, response.original_name, response.sha256)


class AttachmentDownloadView(APIView):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download an attachment (the signed order, a translation)",
    )
    def get(self, request: Request, pk: int, aid: int) -> FileResponse:
        obj = selectors.access_request(user=request.user, pk=pk, agency=acting_agency(request))
        attachment = selectors.access_attachment(request=obj, pk=aid)
        return _file(attachment.file, attachment.original_name, attachment.sha256)
