"""The API's one exception handler: a service's errors become DRF answers naming the field."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from common.drf import exception_handler
from common.errors import StateConflict


def test_a_field_error_keeps_its_field():
    response = exception_handler(ValidationError({"tags": "A tag has at most 50 characters."}), {})
    assert response is not None and response.status_code == 400
    assert response.data == {"tags": ["A tag has at most 50 characters."]}


def test_an_error_without_a_field_is_a_non_field_error():
    response = exception_handler(ValidationError("This JIT is closed."), {})
    assert response is not None and response.status_code == 400
    assert response.data == {"non_field_errors": ["This JIT is closed."]}


def test_a_state_conflict_is_a_409_with_its_message():
    response = exception_handler(StateConflict("The notice is already published."), {})
    assert response is not None and response.status_code == 409
    assert response.data == {"detail": "The notice is already published."}


def test_permission_denied_is_a_403_and_http404_a_404():
    denied = exception_handler(PermissionDenied("Only admins can do this."), {})
    missing = exception_handler(Http404(), {})
    assert denied is not None and denied.status_code == 403
    assert denied.data == {"detail": "Only admins can do this."}
    assert missing is not None and missing.status_code == 404


def test_other_exceptions_pass_through():
    assert exception_handler(KeyError("x"), {}) is None
