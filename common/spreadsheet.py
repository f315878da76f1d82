"""CSV cells a spreadsheet will not run: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is read as a formula, so such a cell gets a leading apostrophe."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text
