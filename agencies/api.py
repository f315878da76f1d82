"""REST endpoints for agencies: who am I, the directory, an admin's member list; and the audit
log's signed checkpoints with the cosignatures of the agencies' witnesses."""

from __future__ import annotations

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import selectors, witnesses
from agencies.authentication import acting_agency
from agencies.models import Agency, APIKey, Membership
from agencies.serializers import (
    AgencySerializer,
    CosignatureRequestSerializer,
    CosignedSerializer,
    MemberSerializer,
    MeSerializer,
    SignedCheckpointSerializer,
)
from audit.api import LOG_READER_SCOPES, NO_CHECKPOINT
from common.drf import IdCursor


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The authenticated user and their memberships")
    def get(self, request: Request) -> Response:
        agency = acting_agency(request)
        memberships = selectors.active_memberships(user=request.user)
        if agency is not None:
            memberships = memberships.filter(agency=agency)
        data = {
            "username": request.user.username,
            "email": getattr(request.user, "email", ""),
            "acting_agency": agency.code if agency else None,
            "memberships": memberships,
        }
        return Response(MeSerializer(data).data)


class AgencyFilter(filters.FilterSet):
    country = filters.CharFilter(field_name="country__code")

    class Meta:
        model = Agency
        fields = ["country", "kind"]


class ByCode(IdCursor):
    ordering = ("code",)


class ByUsername(IdCursor):
    ordering = ("user__username", "id")


class AgencyDirectoryView(generics.ListAPIView):
    """Directory of active agencies with their 24/7 contact points."""

    serializer_class = AgencySerializer
    pagination_class = ByCode
    filterset_class = AgencyFilter

    def get_queryset(self):
        return selectors.agency_directory(
            user=self.request.user, agency=acting_agency(self.request)
        )


class AgencyMembersView(generics.ListAPIView):
    """Members of an agency: for that agency's admins only; anyone else gets 404."""

    serializer_class = MemberSerializer
    pagination_class = ByUsername

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return Membership.objects.none()
        agency = selectors.access_admin_agency(
            user=self.request.user, code=self.kwargs["code"], agency=acting_agency(self.request)
        )
        return selectors.agency_members(agency=agency)


class CheckpointView(APIView):
    key_scope_get = LOG_READER_SCOPES

    @extend_schema(
        summary="The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), with the "
        "witnesses' cosignature lines (C2SP tlog-cosignature v1) appended",
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        latest = selectors.latest_checkpoint()
        if latest is None:
            raise NotFound(NO_CHECKPOINT)
        note = selectors.cosigned_note(latest)
        return HttpResponse(note, content_type="text/plain; charset=utf-8")


class NewestCheckpoints(IdCursor):
    ordering = ("-tree_size",)


class CheckpointListView(generics.ListAPIView):
    """The log's signed checkpoints, newest first, each with the witnesses that cosigned it."""

    serializer_class = SignedCheckpointSerializer
    pagination_class = NewestCheckpoints
    key_scope_get = LOG_READER_SCOPES

    def get_queryset(self):
        return selectors.signed_checkpoints()


class CosignatureView(APIView):
    key_scope_post = APIKey.Scope.WITNESS

    @extend_schema(
        summary="Post a witness's cosignature of a signed checkpoint",
        description="The body's `note` is the checkpoint note this log signed with the "
        "cosignature line(s) of your agency's witnesses appended (C2SP tlog-cosignature v1, "
        "Ed25519). 201 when a cosignature is new, 200 when it was already on record; 400 "
        "naming `note` when the text is not a checkpoint this log signed, or no line is a "
        "valid cosignature of an active witness of your agency. An API key needs the "
        "`witness` scope.",
        request=CosignatureRequestSerializer,
        responses={201: CosignedSerializer, 200: CosignedSerializer},
    )
    def post(self, request: Request) -> Response:
        body = CosignatureRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cosigned = witnesses.cosignature_record(
            actor=request.user, note=body.validated_data["note"], agency=acting_agency(request)
        )
        data = {
            "tree_size": cosigned.checkpoint.tree_size,
            "witnesses": [witness.name for witness in cosigned.witnesses],
        }
        code = status.HTTP_201_CREATED if cosigned.created else status.HTTP_200_OK
        return Response(CosignedSerializer(data).data, status=code)
