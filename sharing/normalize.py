"""Canonical forms of indicator values, and type detection for pasted lines.

``normalize(type, value)`` returns the canonical value or raises ``InvalidValue`` whose
``reason`` names the value and says what is wrong with it, in the reader's language.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import idna
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from sharing.models import IndicatorType as T


def _sentence(message: Promise, params: dict[str, Any]) -> str:
    return str(message % params)


_deferred = lazy(_sentence, str)


def reason(message: Promise, **params: Any) -> str:
    """``message % params`` translated when it is shown, not when it is made: a paste's report
    is written by a worker and read later by a reader with a language of their own (it keeps
    the message and its parameters, and pickles into the report as they are)."""
    return _deferred(message, params)


class InvalidValue(ValueError):
    """``reason``: the refusal in words, translated when shown (``str()`` translates it now)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# A refusal of one field in a report: the field (a STIX property name, never translated), then
# why (translated when shown).
FIELD_REASON = _("%(field)s: %(reason)s")
NOT_A_DATETIME = _("%(value)s is not an ISO 8601 date-time.")
NOT_ONE_OF = _("%(value)s is not one of %(choices)s")


class FieldError(InvalidValue):
    """A refused field of a STIX object: ``reason`` reads "field: why", ``why`` alone is what
    a report that names the field itself shows (built only for a refused object)."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(reason(FIELD_REASON, field=field, reason=why))
        self.field, self.why = field, why


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEX = re.compile(r"^[0-9a-f]+$")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")

# One sentence per type (each language agrees its words with the type's own gender); the
# problem is one of ours below, never a library's message.
NOT_VALID: dict[str, Promise] = {
    T.IPV4: _("%(value)s is not a valid IPv4 address: %(problem)s."),
    T.IPV6: _("%(value)s is not a valid IPv6 address: %(problem)s."),
    T.CIDR: _("%(value)s is not a valid CIDR network: %(problem)s."),
    T.DOMAIN: _("%(value)s is not a valid domain name: %(problem)s."),
    T.URL: _("%(value)s is not a valid URL: %(problem)s."),
    T.EMAIL: _("%(value)s is not a valid e-mail address: %(problem)s."),
    T.MD5: _("%(value)s is not a valid MD5 hash: %(problem)s."),
    T.SHA1: _("%(value)s is not a valid SHA-1 hash: %(problem)s."),
    T.SHA256: _("%(value)s is not a valid SHA-256 hash: %(problem)s."),
    T.ASN: _("%(value)s is not a valid AS number: %(problem)s."),
    T.BTC: _("%(value)s is not a valid Bitcoin address: %(problem)s."),
    T.ETH: _("%(value)s is not a valid Ethereum address: %(problem)s."),
}
NOT_A_TYPE = _("%(type)s is not an indicator type; choose from %(types)s.")
VALUE_REQUIRED = _("A value is required.")
IPV4_FORM = _(
    "expected four numbers from 0 to 255 separated by dots, without leading zeros, e.g. 192.0.2.1"
)
IPV6_FORM = _(
    "expected up to eight groups of hexadecimal digits separated by colons, e.g. 2001:db8::1"
)
PREFIX_REQUIRED = _("a prefix length such as /24 is required")
NETWORK_FORM = _(
    "expected an IPv4 or IPv6 address and a prefix length that fits it, e.g. 192.0.2.0/24 "
    "or 2001:db8::/32"
)
TWO_LABELS = _("it needs at least two labels, e.g. example.org")
NOT_IDNA = _("it holds characters a domain name cannot have")
LABELS = _("labels are letters, digits and inner hyphens, up to 63 each")
URL_UNREADABLE = _("its host cannot be read")
URL_PORT = _("the port must be a whole number from 0 to 65535")
URL_PARTS = _("it needs a scheme and a host, e.g. https://example.org/")
URL_HOST = _("the host %(host)s is not a valid name")
EMAIL_FORM = _("expected local-part@domain")
EMAIL_DOMAIN = _("the domain %(domain)s is not valid")
HEX_DIGITS: dict[str, Promise] = {
    T.MD5: _("expected 32 hexadecimal digits"),
    T.SHA1: _("expected 40 hexadecimal digits"),
    T.SHA256: _("expected 64 hexadecimal digits"),
}
_HASH_LENGTHS: dict[str, int] = {T.MD5: 32, T.SHA1: 40, T.SHA256: 64}
ASN_FORM = _("expected AS64500 or 64500 (1 to 4294967295)")
BECH32_LENGTH = _("bech32 addresses are 42 or 62 characters")
BECH32_CHECKSUM = _("the bech32 checksum does not match")
BTC_FORM = _("expected 1…, 3… (base58) or bc1… (bech32)")
BASE58_CHECKSUM = _("the base58check checksum does not match")
ETH_FORM = _("expected 0x followed by 40 hexadecimal digits")


def _bad(value: str, type_: str, problem: Promise | str) -> InvalidValue:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return InvalidValue(reason(NOT_VALID[type_], value=repr(shown), problem=problem))


# ASCII dotted quads without leading zeros: exactly the strings that are already canonical.
_CANONICAL_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _ipv4(value: str) -> str:
    if _CANONICAL_IPV4.fullmatch(value):
        return value  # what str(IPv4Address(value)) returns, without building one
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise _bad(value, T.IPV4, IPV4_FORM) from None


def _ipv6(value: str) -> str:
    try:
        return ipaddress.IPv6Address(value).compressed
    except ValueError:
        raise _bad(value, T.IPV6, IPV6_FORM) from None


def _cidr(value: str) -> str:
    if "/" not in value:
        raise _bad(value, T.CIDR, PREFIX_REQUIRED)
    try:
        return ipaddress.ip_network(value, strict=False).compressed
    except ValueError:
        raise _bad(value, T.CIDR, NETWORK_FORM) from None


def domain_to_ascii(value: str) -> str:
    name = value.strip().rstrip(".")
    if not name or "." not in name:
        raise _bad(value, T.DOMAIN, TWO_LABELS)
    if name.isascii() and "xn--" not in name.lower():
        ascii_name = name.lower()  # plain ASCII: IDNA would only lower-case it
    else:
        try:
            ascii_name = idna.encode(name, uts46=True).decode("ascii").lower()
        except (idna.IDNAError, UnicodeError):
            raise _bad(value, T.DOMAIN, NOT_IDNA) from None
    if len(ascii_name) > 253 or not all(_LABEL.match(label) for label in ascii_name.split(".")):
        raise _bad(value, T.DOMAIN, LABELS)
    return ascii_name


def _url_host(host: str) -> str:
    """An IP literal or a domain name; each parser is tried only where it could succeed."""
    if ":" in host:  # IPv6 addresses have colons, names and IPv4 addresses do not
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            pass
    if host[:1].isdigit():  # IPv4 addresses start with a digit
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            pass
    return domain_to_ascii(host)


def _url(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        raise _bad(value, T.URL, URL_UNREADABLE) from None
    try:
        port = parts.port
    except ValueError:
        raise _bad(value, T.URL, URL_PORT) from None
    scheme = parts.scheme.lower()
    if not re.match(r"^[a-z][a-z0-9+.-]*$", scheme) or not parts.hostname:
        raise _bad(value, T.URL, URL_PARTS)
    try:
        host = _url_host(parts.hostname)
    except InvalidValue:
        problem = reason(URL_HOST, host=repr(parts.hostname))
        raise _bad(value, T.URL, problem) from None
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _email(value: str) -> str:
    local, at, domain = value.strip().rpartition("@")
    if not at or not _LOCAL_PART.match(local) or local.startswith(".") or ".." in local:
        raise _bad(value, T.EMAIL, EMAIL_FORM)
    try:
        return f"{local.lower()}@{domain_to_ascii(domain)}"
    except InvalidValue:
        raise _bad(value, T.EMAIL, reason(EMAIL_DOMAIN, domain=repr(domain))) from None


def _hash(type_: str) -> Callable[[str], str]:
    length = _HASH_LENGTHS[type_]

    def check(value: str) -> str:
        lowered = value.strip().lower()
        if len(lowered) != length or not _HEX.match(lowered):
            raise _bad(value, type_, HEX_DIGITS[type_])
        return lowered

    return check


def _asn(value: str) -> str:
    digits = value.strip().upper().removeprefix("AS")
    if not digits.isdigit() or not 0 < int(digits) < 2**32:
        raise _bad(value, T.ASN, ASN_FORM)
    return f"AS{int(digits)}"


def _b58check(value: str) -> bool:
    number = 0
    for char in value:
        if char not in _B58_INDEX:
            return False
        number = number * 58 + _B58_INDEX[char]
    raw = number.to_bytes(25, "big") if number < 256**25 else b""
    if len(raw) != 25:
        return False
    payload, checksum = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum


def _bech32_ok(value: str) -> bool:
    hrp, _, data = value.rpartition("1")
    if hrp != "bc" or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    values = [_BECH32.index(c) for c in data]
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum in (1, 0x2BC830A3)  # bech32 (v0) or bech32m (v1+)


def _btc(value: str) -> str:
    address = value.strip()
    if address.lower().startswith("bc1"):
        lowered = address.lower()
        if address not in (lowered, address.upper()) or len(lowered) not in (42, 62):
            raise _bad(value, T.BTC, BECH32_LENGTH)
        if not _bech32_ok(lowered):
            raise _bad(value, T.BTC, BECH32_CHECKSUM)
        return lowered
    if address[:1] not in ("1", "3") or not 25 <= len(address) <= 34:
        raise _bad(value, T.BTC, BTC_FORM)
    if not _b58check(address):
        raise _bad(value, T.BTC, BASE58_CHECKSUM)
    return address


def _eth(value: str) -> str:
    address = value.strip()
    if not re.match(r"^0[xX][0-9a-fA-F]{40}$", address):
        raise _bad(value, T.ETH, ETH_FORM)
    return "0x" + address[2:].lower()


NORMALIZERS: dict[str, Callable[[str], str]] = {
    T.IPV4: _ipv4,
    T.IPV6: _ipv6,
    T.CIDR: _cidr,
    T.DOMAIN: domain_to_ascii,
    T.URL: _url,
    T.EMAIL: _email,
    T.MD5: _hash(T.MD5),
    T.SHA1: _hash(T.SHA1),
    T.SHA256: _hash(T.SHA256),
    T.ASN: _asn,
    T.BTC: _btc,
    T.ETH: _eth,
}


def normalize(type_: str, value: str) -> str:
    """The canonical value, or InvalidValue naming the value."""
    try:
        normalizer = NORMALIZERS[type_]
    except KeyError:
        types = ", ".join(T.values)
        raise InvalidValue(reason(NOT_A_TYPE, type=repr(type_), types=types)) from None
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(reason(VALUE_REQUIRED))
    return normalizer(value.strip())


def detect_type(value: str) -> str | None:
    """Best guess of the type of a pasted value (None when nothing fits)."""
    v = value.strip()
    if not v:
        return None
    lowered = v.lower()
    if "/" in v and "://" not in v:
        return T.CIDR
    if "://" in v:
        return T.URL
    for type_, check in ((T.IPV4, ipaddress.IPv4Address), (T.IPV6, ipaddress.IPv6Address)):
        try:
            check(v)
            return type_
        except ValueError:
            pass
    if _HEX.match(lowered):
        by_length = {32: T.MD5, 40: T.SHA1, 64: T.SHA256}
        if len(lowered) in by_length:
            return by_length[len(lowered)]
    if re.match(r"^(?i:as)?\d+$", v) and lowered.startswith("as"):
        return T.ASN
    if re.match(r"^0[xX][0-9a-fA-F]{40}$", v):
        return T.ETH
    if lowered.startswith("bc1") or (v[:1] in "13" and 25 <= len(v) <= 34 and "." not in v):
        return T.BTC
    if "@" in v:
        return T.EMAIL
    if "." in v:
        return T.DOMAIN
    return None
