"""Facts about an HTTP request that depend on how the site is deployed."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _ip(text: str) -> str:
    """``text`` as a normalised IP address, or "" when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""


def rate_limit_key(ip: str) -> str:
    """The address a rate limit counts: an IPv4 address as it is, an IPv6 address by its /64
    network (one household or phone is given a whole /64 and can pick any address in it)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def client_ip(request) -> str:
    """The address of the person making the request.

    ``TRUSTED_PROXIES`` (``DJANGO_TRUSTED_PROXIES``) is how many reverse proxies of our own stand
    in front of the site. Each appends the address it received the request from to
    X-Forwarded-For, so the last ``TRUSTED_PROXIES - 1`` entries name our proxies, and the one
    before them (the right-most entry we did not write) is the client. Entries further left
    were written by the client and prove nothing. With no trusted proxy the header is ignored:
    anyone can send it.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    # REMOTE_ADDR is the nearest proxy; the chain reads client → … → nearest proxy.
    chain = [entry.strip() for entry in forwarded.split(",")] + [remote]
    # With fewer entries than proxies the request skipped the outer ones; the left-most entry
    # was still written by one of ours.
    candidate = chain[max(len(chain) - 1 - proxies, 0)]
    return _ip(candidate) or remote


def client_ip_address(request) -> str | None:
    """``client_ip`` when it is an IP address, else None: for django-axes, which stores it in an
    address column (PostgreSQL's ``inet`` refuses "unknown", as a request without REMOTE_ADDR —
    a test client's ``force_login`` — would give)."""
    return _ip(client_ip(request)) or None
