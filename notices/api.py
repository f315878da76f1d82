"""REST endpoints for notices: CRUD on drafts, lifecycle actions, search, public extracts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import FloatField, Prefetch, QuerySet
from django.db.models.functions import Cast
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from cases.selectors import cases_visible_to
from common.drf import IdCursor
from notices import review, selectors, services
from notices.models import Notice, NoticeReview, NoticeType
from notices.serializers import (
    NoticeNotificationSerializer,
    NoticeSerializer,
    PublicNoticeSerializer,
    ReasonSerializer,
    ReviewRequestSerializer,
)
from notifications.selectors import notifications_for

NOT_REQUESTER = "Only members of the requesting agency can do this."
NOT_REVIEWER = "Only secretariat reviewers can review notices."
CHOOSE_AGENCY = "You belong to several agencies: name the requesting_agency."


def _with_details(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.prefetch_related(
        "recipient_agencies",
        "recipient_jurisdictions",
        "photos",
        Prefetch("reviews", queryset=NoticeReview.objects.select_related("reviewer")),
    )


def _visible_cases(request: Request) -> Any:
    return cases_visible_to(user=request.user, agency=acting_agency(request))


ERRORS = {
    400: OpenApiResponse(description='Invalid input: {"field": ["message"]} for every field'),
    403: OpenApiResponse(description="You may see the notice but not do this"),
    404: OpenApiResponse(description="No such notice, or one you may not see"),
    409: OpenApiResponse(description="Not allowed in the notice's current state"),
}


def _responses() -> dict:
    return {200: NoticeSerializer, **ERRORS}


SEARCH_PARAMETERS = [
    OpenApiParameter("name", str, description="Name; accent-insensitive, tolerates typos"),
    OpenApiParameter("date_of_birth", OpenApiTypes.DATE),
    OpenApiParameter("nationality", str, description="ISO alpha-2 code"),
    OpenApiParameter("type", str, enum=NoticeType.values),
    OpenApiParameter("status", str, enum=Notice.Status.values),
]


class SearchParams(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    nationality = serializers.CharField(required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(
        choices=NoticeType.choices,
        required=False,
        allow_blank=True,
        default="",
    )
    status = serializers.ChoiceField(
        choices=Notice.Status.choices, required=False, allow_blank=True, default=""
    )


NEWEST = ("-id",)
BEST_MATCH = ("-match", "-id")


def keyset_ordering(notices: QuerySet[Notice]) -> tuple[QuerySet[Notice], Sequence[str]]:
    """The list's key: newest first; after a name search, best match first, then newest.

    The score is a float4: cast to float8, it survives the cursor's round trip exactly.
    """
    if "name_score" not in notices.query.annotations:
        return notices, NEWEST
    return notices.annotate(match=Cast("name_score", FloatField())), BEST_MATCH


class BestMatchFirst(IdCursor):
    """Newest first; a name search best match first (``keyset_ordering``)."""

    def get_ordering(self, queryset: Any) -> Sequence[str]:
        return BEST_MATCH if "match" in queryset.query.annotations else NEWEST


PUBLIC_ORDERING = ("-published_at", "-id")


class NewestPublished(IdCursor):
    ordering = PUBLIC_ORDERING


class NoticeListView(generics.ListCreateAPIView):
    """Notices you may see (searchable), and new drafts."""

    serializer_class = NoticeSerializer
    pagination_class = BestMatchFirst
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Notice]:
        params = SearchParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        criteria = dict(params.validated_data)
        notices = selectors.notices_visible_to(
            user=self.request.user, agency=acting_agency(self.request)
        )
        notices = selectors.search_notices(
            notices,
            name=criteria["name"],
            date_of_birth=criteria["date_of_birth"],
            nationality=criteria["nationality"],
            notice_type=criteria["type"],
            status=criteria["status"],
        )
        notices, _ = keyset_ordering(notices)
        return _with_details(notices)

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Notice]:
        if not getattr(self, "swagger_fake_view", False):
            kwargs["visible_cases"] = _visible_cases(self.request)  # case links of the list
        return super().get_serializer(*args, **kwargs)

    @extend_schema(parameters=SEARCH_PARAMETERS, summary="List and search visible notices")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Create a draft notice or diffusion")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = NoticeSerializer(
            data=request.data,
            visible_cases=_visible_cases(request),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        key_agency = acting_agency(request)
        agency = serializer.validated_data.get("requesting_agency")
        allowed = selectors.requesting_agencies(user=request.user, agency=key_agency)
        if agency is None:
            if allowed.count() != 1:
                raise exceptions.ValidationError({"requesting_agency": [CHOOSE_AGENCY]})
            agency = allowed.get()
        elif not allowed.filter(pk=agency.pk).exists():
            raise exceptions.ValidationError({"requesting_agency": [services.NOT_REQUESTER]})
        notice = services.notice_create(
            actor=request.user,
            agency=agency,
            notice_type=serializer.validated_data["notice_type"],
            **serializer.split(),
        )
        return _respond(request, notice.pk, code=status.HTTP_201_CREATED)


def _access(request: Request, pk: int) -> Notice:
    return selectors.access_notice(user=request.user, pk=pk, agency=acting_agency(request))


def _as_requester(request: Request, pk: int) -> Notice:
    notice = _access(request, pk)
    if not selectors.is_requester(user=request.user, notice=notice, agency=acting_agency(request)):
        raise exceptions.PermissionDenied(NOT_REQUESTER)
    return notice


def _as_reviewer(request: Request, pk: int) -> Notice:
    notice = _access(request, pk)
    if not selectors.is_reviewer(user=request.user, agency=acting_agency(request)):
        raise exceptions.PermissionDenied(NOT_REVIEWER)
    return notice


def _respond(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    notice = _with_details(Notice.objects.filter(pk=pk)).get()
    data = NoticeSerializer(notice, visible_cases=_visible_cases(request)).data
    return Response(data, status=code)


class NoticeDetailView(APIView):
    @extend_schema(responses=NoticeSerializer, summary="A notice you may see (else 404)")
    def get(self, request: Request, pk: int) -> Response:
        return _respond(request, _access(request, pk).pk)

    @extend_schema(
        request=NoticeSerializer,
        responses=_responses(),
        summary="Edit a notice while it is a draft or information was requested (else 409)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        notice = _as_requester(request, pk)
        serializer = NoticeSerializer(
            notice, data=request.data, partial=True, visible_cases=_visible_cases(request)
        )
        serializer.is_valid(raise_exception=True)
        services.notice_update(actor=request.user, notice=notice, **serializer.split())
        return _respond(request, notice.pk)


class NoticeActionView(APIView):
    """A lifecycle action on one notice: who may act, the body it takes, the service it calls.

    Access first (404 if the notice is not visible, 403 if the caller may not act), then the
    body (400; an action without parameters takes ``{}`` or nothing), then the service (400
    by field, 409 in the wrong state); the answer is the notice as it is now.
    """

    by_reviewer = False  # else by the requesting agency's members
    body: type[serializers.Serializer] = serializers.Serializer  # no fields: any object

    def perform(self, request: Request, notice: Notice, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        notice = _as_reviewer(request, pk) if self.by_reviewer else _as_requester(request, pk)
        body = self.body(data=request.data)
        body.is_valid(raise_exception=True)
        self.perform(request, notice, dict(body.validated_data))
        return _respond(request, notice.pk)


def _action_schema(summary: str, body: type[serializers.Serializer] | None = None) -> Any:
    return extend_schema_view(
        post=extend_schema(request=body, responses=_responses(), summary=summary)
    )


@_action_schema("Run the pre-checks and submit for review (400 names every missing field)")
class NoticeSubmitView(NoticeActionView):
    """The requesting agency sends its draft to review, or its notice completed after an
    information request back to the reviewer."""

    def perform(self, request: Request, notice: Notice, data: dict[str, Any]) -> None:
        services.notice_submit(actor=request.user, notice=notice)


@_action_schema(
    "Secretariat review: publish, refuse or request information", ReviewRequestSerializer
)
class NoticeReviewView(NoticeActionView):
    """Secretariat reviewers only. Publishing needs the three checks confirmed and passing
    pre-checks; refusing or asking for information needs reasons."""

    by_reviewer = True
    body = ReviewRequestSerializer

    def perform(self, request: Request, notice: Notice, data: dict[str, Any]) -> None:
        review.notice_review(actor=request.user, notice=notice, **data)


@_action_schema("The requester cancels its notice", ReasonSerializer)
class NoticeCancelView(NoticeActionView):
    """In any state but a closed one; the reason goes to the audit trail."""

    body = ReasonSerializer

    def perform(self, request: Request, notice: Notice, data: dict[str, Any]) -> None:
        services.notice_cancel(actor=request.user, notice=notice, reason=data["reasons"])


@_action_schema("The secretariat withdraws a published notice or a diffusion", ReasonSerializer)
class NoticeWithdrawView(NoticeActionView):
    """Secretariat reviewers only; the reasons are required and sent to the requester."""

    by_reviewer = True
    body = ReasonSerializer

    def perform(self, request: Request, notice: Notice, data: dict[str, Any]) -> None:
        review.notice_withdraw(actor=request.user, notice=notice, reasons=data["reasons"])


@_action_schema("Renew a notice near or past expiry: it goes through review again")
class NoticeRenewView(NoticeActionView):
    """Within six months of expiry, or once expired; the pre-checks run again."""

    def perform(self, request: Request, notice: Notice, data: dict[str, Any]) -> None:
        services.notice_renew(actor=request.user, notice=notice)


class NotificationListView(generics.ListAPIView):
    """Your notifications about notices (expiry reminders, review decisions): the notices'
    part of the notification centre (``/api/v1/notifications/``), in this list's old shape."""

    serializer_class = NoticeNotificationSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return notifications_for(user=self.request.user, agency=acting_agency(self.request)).filter(
            object_type=Notice._meta.label_lower
        )


class PublicNoticeListView(generics.ListAPIView):
    """Public extracts of published Red, Yellow and UN Special notices (no login)."""

    serializer_class = PublicNoticeSerializer
    pagination_class = NewestPublished
    permission_classes = [AllowAny]
    authentication_classes: list = []
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.public_notices()
