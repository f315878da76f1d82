"""Shared DRF helpers: service errors as 400s naming the field, newest-first pagination."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


def drf_validation_error(error: DjangoValidationError) -> ValidationError:
    """DRF's 400 for a service's ValidationError: by field, else ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


@contextmanager
def service_errors() -> Iterator[None]:
    """Run a service call; its Django ValidationError becomes DRF's 400."""
    try:
        yield
    except DjangoValidationError as error:
        raise drf_validation_error(error) from error


class IdCursor(CursorPagination):
    """Newest first by id; ``?limit=`` up to ``max_page_size``."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000
