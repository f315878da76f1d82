"""Shared DRF glue: one exception handler for service errors, newest-first pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import StateConflict


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


class IdCursor(CursorPagination):
    """Newest first by id; ``?limit=`` up to ``max_page_size``."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000
