"""The data sought, as structured identifiers: each item is checked and a bad one is named."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

TYPES = ("ip", "account", "domain", "email", "phone", "other")
NOT_A_LIST = gettext_noop('Give the identifiers as a list of objects, e.g. [{"type": "ip", ...}].')
NOT_AN_OBJECT = gettext_noop("Item {n}: give an object with a type and a value.")
UNKNOWN_TYPE = gettext_noop("Item {n}: the type must be one of: {types}.")
NO_VALUE = gettext_noop("Item {n}: give a value.")
BAD_IP = gettext_noop("Item {n}: '{value}' is not an IPv4 or IPv6 address.")
BAD_PORT = gettext_noop("Item {n}: the port must be a whole number from 0 to 65535.")
NEEDS_TIMESTAMP = gettext_noop(
    "Item {n}: an IP address needs a timestamp with a time zone "
    "(e.g. 2026-01-05T10:00:00+01:00): addresses are shared over time and ports."
)
BAD_DOMAIN = gettext_noop("Item {n}: '{value}' is not a domain name.")
BAD_EMAIL = gettext_noop("Item {n}: '{value}' is not an e-mail address.")
BAD_PHONE = gettext_noop(
    "Item {n}: '{value}' is not a phone number in international form (e.g. +31201234567)."
)
TOO_MANY = gettext_noop("Give at most {limit} identifiers in one request.")
UNKNOWN_KEYS = gettext_noop(
    "Item {n}: unknown keys {keys}; use type, value, port, timestamp, note."
)
BAD_TEXT = gettext_noop(
    "Item {n}: '{key}' must be text of at most {limit} characters, without NUL."
)
LIMIT = 500
KEYS = {"type", "value", "port", "timestamp", "note"}
TEXT_LIMIT = 1000
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _timestamp_with_zone(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.utcoffset() is not None


def _check(n: int, item: Any) -> None:
    if not isinstance(item, dict):
        raise ValidationError(_(NOT_AN_OBJECT).format(n=n))
    unknown = set(item) - KEYS
    if unknown:
        raise ValidationError(
            _(UNKNOWN_KEYS).format(n=n, keys=", ".join(sorted(map(str, unknown))))
        )
    for key in ("value", "timestamp", "note"):
        text = item.get(key)
        if text is not None and (
            not isinstance(text, str) or "\x00" in text or len(text) > TEXT_LIMIT
        ):
            raise ValidationError(_(BAD_TEXT).format(n=n, key=key, limit=TEXT_LIMIT))
    kind, value = item.get("type"), item.get("value")
    if kind not in TYPES:
        raise ValidationError(_(UNKNOWN_TYPE).format(n=n, types=", ".join(TYPES)))
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_(NO_VALUE).format(n=n))
    value = value.strip()
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValidationError(_(BAD_IP).format(n=n, value=value[:100])) from None
        port = item.get("port")
        valid_port = isinstance(port, int) and not isinstance(port, bool) and 0 <= port <= 65535
        if port is not None and not valid_port:
            raise ValidationError(_(BAD_PORT).format(n=n))
        if not _timestamp_with_zone(item.get("timestamp")):
            raise ValidationError(_(NEEDS_TIMESTAMP).format(n=n))
    elif kind == "domain" and not DOMAIN.match(value.lower().rstrip(".")):
        raise ValidationError(_(BAD_DOMAIN).format(n=n, value=value[:100]))
    elif kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_(BAD_EMAIL).format(n=n, value=value[:100])) from None
    elif kind == "phone" and not PHONE.match(value.replace(" ", "")):
        raise ValidationError(_(BAD_PHONE).format(n=n, value=value[:100]))


def validate_identifiers(value: Any) -> None:
    """Model-field validator: ``full_clean`` reports the first bad item under ``identifiers``."""
    if not isinstance(value, list):
        raise ValidationError(_(NOT_A_LIST))
    if len(value) > LIMIT:
        raise ValidationError(_(TOO_MANY).format(limit=LIMIT))
    for n, item in enumerate(value, start=1):
        _check(n, item)
