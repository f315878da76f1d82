"""The notification centre's REST API: your notifications, and marking one read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.models import Notification
from notifications.serializers import NotificationSerializer


def _acting_agency(request: Any) -> Any:
    """The agency an API key acts for (None in the browser). The key's model lives in
    ``agencies``, above this app: its ``agency`` attribute is all that is read."""
    return getattr(request.auth, "agency", None)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Notification.Kind.values),
        ]
    )
)
class NotificationListView(generics.ListAPIView):
    """Your notifications (with a key: about what its agency may see), newest first."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Notification]:
        items = selectors.notifications_for(
            user=self.request.user, agency=_acting_agency(self.request)
        )
        params = self.request.query_params
        unread = params.get("unread", "")
        if unread not in ("", "true", "false", "1", "0"):
            raise ValidationError({"unread": [_("Give true or false.")]})
        if unread in ("true", "1"):
            items = items.filter(read_at__isnull=True)
        elif unread in ("false", "0"):
            items = items.filter(read_at__isnull=False)
        kind = params.get("kind", "")
        if kind and kind not in Notification.Kind.values:
            choices = ", ".join(Notification.Kind.values)
            raise ValidationError(
                {"kind": [_("Choose one of: %(choices)s.") % {"choices": choices}]}
            )
        return items.filter(kind=kind) if kind else items


@extend_schema_view(post=extend_schema(request=None, responses=NotificationSerializer))
class NotificationReadView(APIView):
    """Mark one of your notifications read (another user's answers 404)."""

    def post(self, request: Request, pk: int) -> Response:
        notification = selectors.access_notification(
            user=request.user, pk=pk, agency=_acting_agency(request)
        )
        services.notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)
