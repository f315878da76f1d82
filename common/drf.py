"""Shared DRF glue: one exception handler for service errors, keyset pagination for lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import StateConflict
from common.keyset import INVALID_CURSOR, InvalidCursor, KeysetPage, keyset_page


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow this."
    default_code = "conflict"


def drf_validation_error(error: DjangoValidationError) -> ValidationError:
    """DRF's 400 for a service's ValidationError: by field, else ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Services raise Django's errors; every API view answers them in DRF's shape.

    ``ValidationError`` -> 400 by field, ``StateConflict`` -> 409; ``PermissionDenied`` -> 403
    and ``Http404`` -> 404 (DRF's own mapping). The request's transaction is rolled back, so
    nothing is half written.
    """
    if isinstance(exc, DjangoValidationError):
        exc = drf_validation_error(exc)
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc))
    return drf_exception_handler(exc, context)


class IdCursor(BasePagination):
    """Every list's pagination: keyset on ``ordering`` (newest first by id), no count.

    ``?limit=`` (up to ``max_page_size``) and the opaque ``?cursor=`` of the ``next`` and
    ``previous`` links, which keep the other query parameters (filters, search). A cursor we
    did not make is a 400 naming ``cursor``. Subclasses set ``ordering`` (unique, indexed,
    ending with the primary key), or override ``get_ordering`` for a queryset-dependent one.
    """

    ordering: Sequence[str] = ("-id",)
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000
    cursor_query_param = "cursor"

    def get_ordering(self, queryset: Any) -> Sequence[str]:
        return (self.ordering,) if isinstance(self.ordering, str) else self.ordering

    def get_page_size(self, request: Request) -> int:
        try:
            size = int(request.query_params[self.page_size_query_param])
        except (KeyError, ValueError):
            return self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.base_url = request.build_absolute_uri()
        try:
            self.page: KeysetPage = keyset_page(
                queryset,
                ordering=self.get_ordering(queryset),
                cursor=request.query_params.get(self.cursor_query_param) or None,
                size=self.get_page_size(request),
                # A view whose list is reached through grant indexes offers a window.
                window=view.get_page_window() if hasattr(view, "get_page_window") else None,
            )
        except InvalidCursor:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        return self.page.object_list

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        return self._link(self.page.next_cursor)

    def get_previous_link(self) -> str | None:
        return self._link(self.page.previous_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The following page; null on the last"},
                "previous": {**link, "description": "The page before; null on the first"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}, "
                f"at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
        ]


def list_response(
    request: Request, view: Any, queryset: Any, serializer_class: Any, **kwargs: Any
) -> Response:
    """A keyset page of ``queryset`` (the view's ``pagination_class``, else ``IdCursor``)
    serialised with ``serializer_class``, for an ``APIView`` whose GET is a list."""
    paginator = getattr(view, "pagination_class", None) or IdCursor
    pager = paginator()
    page = pager.paginate_queryset(queryset, request, view=view)
    return pager.get_paginated_response(serializer_class(page, many=True, **kwargs).data)
