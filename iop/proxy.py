"""The client's address behind a reverse proxy.

``TRUSTED_PROXIES`` (environment, comma-separated addresses or networks such
as ``10.0.0.5,172.16.0.0/12``) lists the proxies whose ``X-Forwarded-For``
header is believed. When a request's peer (``REMOTE_ADDR``) is one of them, the
client is the right-most address in the header that is not itself a trusted
proxy; that address replaces ``REMOTE_ADDR`` for everything after this
middleware (login lockout in django-axes, logs). A header from any other peer
is ignored, so a client cannot forge its way out of a lockout or into
someone else's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.5", "172.16.0.0/12"]`` → networks; ImproperlyConfigured on a bad value."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or network (e.g. 10.0.0.5 or 172.16.0.0/12)."
            ) from None
    return tuple(networks)


@cache
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address: REMOTE_ADDR unless it is a trusted proxy, then the
    right-most untrusted, valid address of X-Forwarded-For (REMOTE_ADDR when
    the header holds none)."""
    if not trusted or not forwarded_for or not _is_trusted(remote_addr, trusted):
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote_addr  # a malformed chain is not believed
        if not _is_trusted(hop, trusted):
            return hop
    return remote_addr


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted
            )
        return self.get_response(request)
