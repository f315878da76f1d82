"""DRF's JSON parser, answering 400 (never 500) for a too-deeply nested body or a bare scalar."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

TOO_DEEP = "JSON parse error - the body is nested too deeply."
NOT_A_DOCUMENT = "JSON parse error - the body must be a JSON object or array, not {kind}."

_KINDS = {
    type(None): "null",
    bool: "true or false",
    int: "a number",
    float: "a number",
    str: "a string",
}


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if not isinstance(data, dict | list):
            raise ParseError(NOT_A_DOCUMENT.format(kind=_KINDS.get(type(data), "a scalar")))
        return data
