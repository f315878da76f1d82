"""REST endpoints for cases, evidence and JITs. Invisible objects answer 404, like missing ones."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from agencies.selectors import agencies_of
from cases import evidence as evidence_services
from cases import jits, receipts, selectors, services
from cases.files import install_limit_handler, too_large_message
from cases.models import Case, CustodyEvent, Evidence, JITMembership, JointInvestigationTeam
from cases.serializers import (
    CaseSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    JITMemberInviteSerializer,
    JITMemberSerializer,
    JITSerializer,
    ReceiptSerializer,
    VerifyResultSerializer,
)
from common.drf import IdCursor, list_response
from common.keyset import Window


def require_no_body(request: Request) -> None:
    """An action without parameters still takes only an object body (or none): else 400."""
    # DRF's bare Serializer has no fields: it accepts ``{}`` and answers ``null``, lists and
    # scalars with its usual 400 ("No data provided", "Expected a dictionary, but got list").
    serializers.Serializer(data=request.data).is_valid(raise_exception=True)


# --- cases ------------------------------------------------------------------------------------

CASE_FILTERS = [
    OpenApiParameter("q", str, description="Search reference, title and summary"),
    OpenApiParameter("status", str, enum=Case.Status.values),
    OpenApiParameter("tlp", str),
    OpenApiParameter("category", str, description="Budapest Convention offence category"),
    OpenApiParameter("tag", str),
    OpenApiParameter("lead", str, description="Lead agency code"),
]


CASE_FILTER_NAMES = [p.name for p in CASE_FILTERS]


class CaseListView(generics.ListCreateAPIView):
    """Cases visible to the caller (lead agency, accepted JIT members, RED named users)."""

    serializer_class = CaseSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.case_list(
            user=self.request.user,
            agency=acting_agency(self.request),
            **{k: params.get(k, "") for k in CASE_FILTER_NAMES},
        ).prefetch_related("named_users")

    def get_page_window(self) -> Window | None:
        """Unfiltered, the page is read from the grant indexes (``cases_window``)."""
        if any(self.request.query_params.get(k) for k in CASE_FILTER_NAMES):
            return None
        return selectors.cases_window(user=self.request.user, agency=acting_agency(self.request))

    @extend_schema(parameters=CASE_FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[Case]) -> None:
        data = dict(serializer.validated_data)
        agency = acting_agency(self.request)
        lead = data.pop("lead_agency", None)
        if agency is not None and lead is not None and lead != agency:
            raise serializers.ValidationError(
                {"lead_agency": "An API key opens cases for its own agency only."}
            )
        lead = lead or agency
        if lead is None:
            own = list(agencies_of(user=self.request.user)[:2])
            if len(own) != 1:
                raise serializers.ValidationError({"lead_agency": _("Choose the lead agency.")})
            lead = own[0]
        serializer.instance = services.case_open(actor=self.request.user, lead_agency=lead, **data)


class CaseDetailView(generics.RetrieveUpdateAPIView):
    serializer_class = CaseSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Case:
        write = self.request.method == "PATCH"
        return selectors.access_case(
            user=self.request.user,
            pk=self.kwargs["pk"],
            agency=acting_agency(self.request),
            write=write,
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        data = self.get_serializer(case).data
        services.case_record_view(actor=request.user, case=case, agency=acting_agency(request))
        return Response(data)

    def perform_update(self, serializer: BaseSerializer[Case]) -> None:
        case = serializer.instance
        assert case is not None  # an update always has its object
        data = dict(serializer.validated_data)
        if "lead_agency" in data and data.pop("lead_agency") != case.lead_agency:
            raise serializers.ValidationError({"lead_agency": _("The lead agency cannot change.")})
        serializer.instance = services.case_update(
            actor=self.request.user,
            case=case,
            agency=acting_agency(self.request),
            **data,
        )


# --- evidence ---------------------------------------------------------------------------------


def _evidence_queryset(request: Request):
    return selectors.evidence_visible_to(
        user=request.user, agency=acting_agency(request)
    ).prefetch_related(
        Prefetch(
            "custody_events",
            queryset=CustodyEvent.objects.select_related("actor", "agency", "to_agency"),
        )
    )


class CaseEvidenceView(generics.ListCreateAPIView):
    """Evidence of a case; POST multipart streams the file (SHA-256 and size on the way)."""

    queryset = Evidence.objects.none()

    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Must run before anything reads the body (authentication's CSRF check does).
        if request.method == "POST":
            self.limit_handler = install_limit_handler(request)
        super().initial(request, *args, **kwargs)

    def get_serializer_class(self):
        return EvidenceUploadSerializer if self.request.method == "POST" else EvidenceSerializer

    def get_case(self) -> Case:
        return selectors.access_case(
            user=self.request.user, pk=self.kwargs["pk"], agency=acting_agency(self.request)
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evidence.objects.none()
        return _evidence_queryset(self.request).filter(case=self.get_case())

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_case()
        agency = selectors.acting_agency_for_case(
            user=request.user, case=case, agency=acting_agency(request)
        )
        data = request.data  # parse the body first: the limit handler reports while parsing
        handler = getattr(self, "limit_handler", None)
        if handler is not None and handler.too_large:
            raise serializers.ValidationError({"file": [too_large_message()]})
        upload = EvidenceUploadSerializer(data=data)
        upload.is_valid(raise_exception=True)
        evidence = evidence_services.evidence_add(
            actor=request.user, case=case, agency=agency, **upload.validated_data
        )
        evidence = _evidence_queryset(request).get(pk=evidence.pk)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDetailView(generics.RetrieveAPIView):
    serializer_class = EvidenceSerializer

    def get_queryset(self):
        return _evidence_queryset(self.request)


class EvidenceDownloadView(APIView):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download the evidence file (records a custody event)",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        agency = acting_agency(request)
        evidence = selectors.access_evidence(user=request.user, pk=pk, agency=agency)
        evidence_services.evidence_record_download(
            actor=request.user, evidence=evidence, agency=agency
        )
        return evidence_file_response(evidence)


def evidence_file_response(evidence: Any) -> FileResponse:
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-SHA256"] = evidence.sha256
    return response


class EvidenceVerifyView(APIView):
    @extend_schema(request=None, responses=VerifyResultSerializer, summary="Re-hash and record")
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        evidence = selectors.access_evidence(user=request.user, pk=pk, agency=agency)
        require_no_body(request)
        event = evidence_services.evidence_verify(
            actor=request.user, evidence=evidence, agency=agency
        )
        data = {"result": event.result, "sha256": event.sha256, "expected": evidence.sha256}
        return Response(VerifyResultSerializer(data).data)


class EvidenceReceiptView(APIView):
    @extend_schema(
        responses=ReceiptSerializer,
        summary="Receipt of the evidence's custody history: log entries, proofs, checkpoint",
    )
    def get(self, request: Request, pk: int) -> Response:
        evidence = selectors.access_evidence(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        return Response(receipts.evidence_receipt(evidence=evidence))


class CustodyEventReceiptView(APIView):
    @extend_schema(responses=ReceiptSerializer, summary="Receipt of one custody event")
    def get(self, request: Request, pk: int, event_pk: int) -> Response:
        evidence = selectors.access_evidence(
            user=request.user, pk=pk, agency=acting_agency(request)
        )
        custody = selectors.access_custody_event(evidence=evidence, pk=event_pk)
        return Response(receipts.custody_event_receipt(custody=custody))


# --- JITs -------------------------------------------------------------------------------------


class JITListView(generics.ListCreateAPIView):
    """JITs the caller sees (of visible cases, or to which its agency is invited)."""

    serializer_class = JITSerializer
    queryset = JointInvestigationTeam.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JointInvestigationTeam.objects.none()
        return selectors.jit_detail_queryset(
            user=self.request.user, agency=acting_agency(self.request)
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["visible_cases"] = selectors.cases_visible_to(
            user=self.request.user, agency=acting_agency(self.request)
        )
        return context

    def perform_create(self, serializer: BaseSerializer[JointInvestigationTeam]) -> None:
        data = dict(serializer.validated_data)
        case = data.pop("case")
        agency = acting_agency(self.request)
        if not selectors.can_change_case(user=self.request.user, case=case, agency=agency):
            raise PermissionDenied(_("Only the lead agency forms a JIT for its case."))
        jit = jits.jit_create(actor=self.request.user, case=case, **data)
        serializer.instance = selectors.access_jit(user=self.request.user, pk=jit.pk, agency=agency)


class JITDetailView(generics.RetrieveUpdateAPIView):
    serializer_class = JITSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        agency = acting_agency(self.request)
        jit = selectors.access_jit(user=self.request.user, pk=self.kwargs["pk"], agency=agency)
        if self.request.method == "PATCH" and not selectors.can_manage_jit(
            user=self.request.user, jit=jit, agency=agency
        ):
            raise PermissionDenied(_("Only the lead agency changes the JIT agreement."))
        return jit

    def perform_update(self, serializer: BaseSerializer[JointInvestigationTeam]) -> None:
        jit = serializer.instance
        assert jit is not None  # an update always has its object
        jits.jit_update(actor=self.request.user, jit=jit, **serializer.validated_data)
        serializer.instance = selectors.access_jit(
            user=self.request.user, pk=jit.pk, agency=acting_agency(self.request)
        )


class JITMembersView(APIView):
    pagination_class = IdCursor

    @extend_schema(responses=JITMemberSerializer(many=True), summary="Members of the JIT")
    def get(self, request: Request, pk: int) -> Response:
        jit = selectors.access_jit(user=request.user, pk=pk, agency=acting_agency(request))
        members = jit.memberships.select_related("agency")
        return list_response(request, self, members, JITMemberSerializer)

    @extend_schema(
        request=JITMemberInviteSerializer,
        responses={201: JITMemberSerializer},
        summary="Invite an agency (another jurisdiction needs a legal basis on the JIT)",
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = acting_agency(request)
        jit = selectors.access_jit(user=request.user, pk=pk, agency=agency)
        if not selectors.can_manage_jit(user=request.user, jit=jit, agency=agency):
            raise PermissionDenied(_("Only the lead agency invites to its JIT."))
        invite = JITMemberInviteSerializer(data=request.data)
        invite.is_valid(raise_exception=True)
        membership = jits.jit_invite(actor=request.user, jit=jit, **invite.validated_data)
        return Response(JITMemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class JITMemberActionView(APIView):
    action: str = ""

    @extend_schema(request=None, responses=JITMemberSerializer)
    def post(self, request: Request, pk: int, code: str) -> Response:
        agency = acting_agency(request)
        jit = selectors.access_jit(user=request.user, pk=pk, agency=agency)
        membership = selectors.access_membership(jit=jit, code=code)
        require_no_body(request)
        if self.action == "leave":
            membership = jits.jit_leave(actor=request.user, membership=membership, agency=agency)
        else:
            membership = jits.jit_respond(
                actor=request.user,
                membership=membership,
                accept=self.action == "accept",
                agency=agency,
            )
        membership = JITMembership.objects.select_related("agency").get(pk=membership.pk)
        return Response(JITMemberSerializer(membership).data)
