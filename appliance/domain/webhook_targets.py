"""Which webhook URLs the box may call: by default only public ones (SSRF).

An endpoint's host is resolved and every address it resolves to is checked: this box
itself (loopback, unspecified, its own interfaces), link-local (where clouds serve
instance metadata, 169.254.169.254 and fe80::/10), private networks (10/8, 172.16/12,
192.168/16, 100.64/10, fc00::/7, ...) and anything else not globally routable are
refused unless the admin allowed them (``webhooks.allow_private_targets``, for n8n on
the LAN or on this box). The check runs when an endpoint is saved and again before each
delivery, so a name that later resolves somewhere else is caught then.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import psutil

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a webhook address, before any lookup."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"not a URL: {error}"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "names no host"
    if parts.username or parts.password:
        return "must not carry a user name or password (the signature authenticates)"
    if port == 0:
        return "port 0 cannot be called"
    return None


def target_problem(url: str, *, allow_private: bool) -> str | None:
    """Why the box must not call ``url`` (None: it may). Resolves the host."""
    problem = url_problem(url)
    if problem is not None or allow_private:
        return problem
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as error:  # ValueError: a name IDNA cannot encode
        return f"{host} does not resolve: {getattr(error, 'strerror', None) or error}"
    own = _own_addresses()
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        reason = _forbidden(address, own)
        if reason is not None:
            return (
                f"{host} resolves to {address}, {reason}; an admin can allow such targets "
                "with webhooks.allow_private_targets"
            )
    return None


def _forbidden(address: Address, own: set[Address]) -> str | None:
    if address.is_loopback or address.is_unspecified:
        return "this box itself"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_multicast:
        return "a multicast address"
    if address in own:
        return "one of this box's own addresses"
    if not address.is_global:
        return "a private network address"
    return None


def _own_addresses() -> set[Address]:
    found: set[Address] = set()
    for addresses in psutil.net_if_addrs().values():
        for entry in addresses:
            if entry.family in (socket.AF_INET, socket.AF_INET6):
                try:
                    found.add(ipaddress.ip_address(entry.address.split("%", 1)[0]))
                except ValueError:
                    continue
    return found
