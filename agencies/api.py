"""REST endpoints for agencies: who am I, the directory, and an admin's member list."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import selectors
from agencies.authentication import acting_agency
from agencies.models import Agency, Membership
from agencies.serializers import AgencySerializer, MemberSerializer, MeSerializer


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


class AgencyDirectoryView(generics.ListAPIView):
    """Directory of active agencies with their 24/7 contact points."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilter

    def get_queryset(self):
        return selectors.agency_directory()


class AgencyMembersView(generics.ListAPIView):
    """Members of an agency: for that agency's admins only; anyone else gets 404."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return Membership.objects.none()
        agency = selectors.access_admin_agency(
            user=self.request.user, code=self.kwargs["code"], agency=acting_agency(self.request)
        )
        return selectors.agency_members(agency=agency)
