"""DRF's JSON parser: a body must be a JSON object (every endpoint takes one), else a 400 naming
what came; a too-deeply nested body is a 400 too, never a 500 (RecursionError)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError

TOO_DEEP = "JSON parse error - the body is nested too deeply."
HAS_NUL = "JSON parse error - a string contains the NUL character (\\u0000), which is not stored."
NOT_AN_OBJECT = "The request body must be a JSON object, not {kind}."

_KINDS = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
}


def json_kind(data: Any) -> str:
    """How a JSON value that is not what was expected is named in a 400."""
    return _KINDS.get(type(data), type(data).__name__)


def has_nul(raw: bytes) -> bool:
    """Whether a JSON text has a NUL in a string: PostgreSQL's text and jsonb cannot hold it,
    so it is refused at the door (400), not at the insert (500)."""
    return b"\\u0000" in raw


def _refuse_nul(raw: bytes) -> None:
    if has_nul(raw):
        raise ParseError(HAS_NUL)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        _refuse_nul(raw)
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if not isinstance(data, dict):
            raise ValidationError(
                {"non_field_errors": [NOT_AN_OBJECT.format(kind=json_kind(data))]}
            )
        return data


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def read_json(request: Any) -> Any:
    """A bulk body (an ingest, a STIX bundle), read from the stream — such bodies exceed
    Django's in-memory limit for forms — up to ``SHARING_INGEST_MAX_BYTES`` (413 beyond);
    malformed JSON is a 400 before anything is written. The view sets ``reads_raw_body``."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.SHARING_INGEST_MAX_BYTES:
        raise PayloadTooLarge(
            f"The body is {length} bytes; the limit is {settings.SHARING_INGEST_MAX_BYTES}."
        )
    stream = request.stream
    return parse_json(stream.read() if stream is not None else b"")


def parse_json(raw: bytes) -> Any:
    """JSON bytes (a body or an uploaded file) → data; ParseError for malformed JSON, a NUL
    character or nesting too deep, before anything is written."""
    _refuse_nul(raw)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"JSON parse error - {exc}") from None
    except RecursionError:
        raise ParseError(TOO_DEEP) from None
