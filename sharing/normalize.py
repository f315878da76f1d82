"""Canonical forms of indicator values, and type detection for pasted lines.

``normalize(type, value)`` returns the canonical value or raises ``InvalidValue`` whose
message names the value and says what is wrong with it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import idna

from sharing.models import IndicatorType as T


class InvalidValue(ValueError):
    pass


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEX = re.compile(r"^[0-9a-f]+$")
_HASH_LENGTHS: dict[str, int] = {T.MD5: 32, T.SHA1: 40, T.SHA256: 64}
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")


def _bad(value: str, type_: str, reason: str) -> InvalidValue:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return InvalidValue(f"{shown!r} is not a valid {type_}: {reason}.")


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
    except ValueError as exc:
        raise _bad(value, "IPv4 address", str(exc).rstrip(".")) from None


def _ipv6(value: str) -> str:
    try:
        return ipaddress.IPv6Address(value).compressed
    except ValueError as exc:
        raise _bad(value, "IPv6 address", str(exc).rstrip(".")) from None


def _cidr(value: str) -> str:
    if "/" not in value:
        raise _bad(value, "CIDR network", "a prefix length such as /24 is required")
    try:
        return ipaddress.ip_network(value, strict=False).compressed
    except ValueError as exc:
        raise _bad(value, "CIDR network", str(exc).rstrip(".")) from None


def domain_to_ascii(value: str, *, what: str = "domain name") -> str:
    name = value.strip().rstrip(".")
    if not name or "." not in name:
        raise _bad(value, what, "it needs at least two labels, e.g. example.org")
    if name.isascii() and "xn--" not in name.lower():
        ascii_name = name.lower()  # plain ASCII: IDNA would only lower-case it
    else:
        try:
            ascii_name = idna.encode(name, uts46=True).decode("ascii").lower()
        except (idna.IDNAError, UnicodeError) as exc:
            raise _bad(value, what, str(exc)) from None
    if len(ascii_name) > 253 or not all(_LABEL.match(label) for label in ascii_name.split(".")):
        raise _bad(value, what, "labels are letters, digits and inner hyphens, up to 63 each")
    return ascii_name


def _domain(value: str) -> str:
    return domain_to_ascii(value)


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
    return domain_to_ascii(host, what="URL host")


def _url(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as exc:
        raise _bad(value, "URL", str(exc)) from None
    scheme = parts.scheme.lower()
    if not re.match(r"^[a-z][a-z0-9+.-]*$", scheme) or not parts.hostname:
        raise _bad(value, "URL", "it needs a scheme and a host, e.g. https://example.org/")
    try:
        host = _url_host(parts.hostname)
    except InvalidValue:
        raise _bad(value, "URL", f"the host {parts.hostname!r} is not a valid name") from None
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _email(value: str) -> str:
    local, at, domain = value.strip().rpartition("@")
    if not at or not _LOCAL_PART.match(local) or local.startswith(".") or ".." in local:
        raise _bad(value, "e-mail address", "expected local-part@domain")
    try:
        return f"{local.lower()}@{domain_to_ascii(domain, what='e-mail domain')}"
    except InvalidValue:
        raise _bad(value, "e-mail address", f"the domain {domain!r} is not valid") from None


def _hash(type_: str):
    length = _HASH_LENGTHS[type_]

    def check(value: str) -> str:
        lowered = value.strip().lower()
        if len(lowered) != length or not _HEX.match(lowered):
            raise _bad(value, f"{type_.upper()} hash", f"expected {length} hexadecimal digits")
        return lowered

    return check


def _asn(value: str) -> str:
    digits = value.strip().upper().removeprefix("AS")
    if not digits.isdigit() or not 0 < int(digits) < 2**32:
        raise _bad(value, "AS number", "expected AS64500 or 64500 (1 to 4294967295)")
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
            raise _bad(value, "Bitcoin address", "bech32 addresses are 42 or 62 characters")
        if not _bech32_ok(lowered):
            raise _bad(value, "Bitcoin address", "the bech32 checksum does not match")
        return lowered
    if address[:1] not in ("1", "3") or not 25 <= len(address) <= 34:
        raise _bad(value, "Bitcoin address", "expected 1…, 3… (base58) or bc1… (bech32)")
    if not _b58check(address):
        raise _bad(value, "Bitcoin address", "the base58check checksum does not match")
    return address


def _eth(value: str) -> str:
    address = value.strip()
    if not re.match(r"^0[xX][0-9a-fA-F]{40}$", address):
        raise _bad(value, "Ethereum address", "expected 0x followed by 40 hexadecimal digits")
    return "0x" + address[2:].lower()


NORMALIZERS: dict[str, Callable[[str], str]] = {
    T.IPV4: _ipv4,
    T.IPV6: _ipv6,
    T.CIDR: _cidr,
    T.DOMAIN: _domain,
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
        raise InvalidValue(
            f"{type_!r} is not an indicator type; choose from {', '.join(T.values)}."
        ) from None
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("A value is required.")
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
