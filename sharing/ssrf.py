"""SSRF guard for partner endpoint URLs: no loopback, private, link-local or metadata hosts.

``SHARING_ENDPOINT_ALLOWED_NETWORKS`` (CIDRs) lets tests and the demo use loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba
    ipaddress.ip_address("192.0.0.192"),  # Oracle
}


NOT_HTTP = "Use an http(s) URL with a host name."
PUBLIC_ONLY = "partner endpoints must be reachable on public addresses."


class UnsafeURL(ValueError):
    pass


def _allowed_networks() -> list:
    return [
        ipaddress.ip_network(n, strict=False) for n in settings.SHARING_ENDPOINT_ALLOWED_NETWORKS
    ]


def _refusal(address) -> str | None:
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private or address.is_reserved or address.is_unspecified:
        return "a private or reserved address"
    if address.is_multicast:
        return "a multicast address"
    if address.version == 4 and address in ipaddress.ip_network("100.64.0.0/10"):
        return "a carrier-grade NAT address"
    return None


def check_url(url: str) -> None:
    """Raise UnsafeURL unless every address the host resolves to is public (or allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(NOT_HTTP)
    if parts.username is not None or parts.password is not None:
        # They would end up in audit summaries and API responses; the signature authenticates.
        raise UnsafeURL(
            "Do not put credentials in the URL: deliveries are authenticated by signature."
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeURL(f"The host {parts.hostname} cannot be resolved ({exc}).") from None
    allowed = _allowed_networks()
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        reason = _refusal(address)
        if reason and not any(address in network for network in allowed):
            raise UnsafeURL(
                f"The host {parts.hostname} resolves to {address}, {reason}; {PUBLIC_ONLY}"
            )
