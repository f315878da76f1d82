"""DRF's JSON parser: a body must be a JSON object (every endpoint takes one), else a 400 naming
what came; a too-deeply nested body is a 400 too, never a 500 (RecursionError)."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

TOO_DEEP = "JSON parse error - the body is nested too deeply."
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


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if not isinstance(data, dict):
            raise ValidationError(
                {"non_field_errors": [NOT_AN_OBJECT.format(kind=json_kind(data))]}
            )
        return data
