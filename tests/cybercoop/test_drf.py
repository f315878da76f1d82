"""The shared DRF helpers: a service's ValidationError becomes a 400 naming the field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import ValidationError as DRFValidationError

from cybercoop.drf import service_errors


def test_a_field_error_keeps_its_field():
    with pytest.raises(DRFValidationError) as caught, service_errors():
        raise ValidationError({"tags": "A tag has at most 50 characters."})
    assert caught.value.detail == {"tags": ["A tag has at most 50 characters."]}


def test_an_error_without_a_field_is_a_non_field_error():
    with pytest.raises(DRFValidationError) as caught, service_errors():
        raise ValidationError("This JIT is closed.")
    assert caught.value.detail == {"non_field_errors": ["This JIT is closed."]}


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError), service_errors():
        raise KeyError("x")
