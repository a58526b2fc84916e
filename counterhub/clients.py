"""Who is asking: the client's address, trusted from a proxy only when configured."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or behind a proxy the address it added.

    The rightmost X-Forwarded-For entry is the one our own proxy appended; entries to its
    left were sent by the client and can say anything.
    """
    if settings.COUNTERHUB_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or "unknown"


def client_key(address: str) -> str:
    """The key a client's hits are counted under: its address, or for IPv6 its /64,
    since one host commonly holds a whole /64.

    An IPv4-mapped address (`::ffff:192.0.2.1`, as dual-stack sockets and some proxies
    report IPv4 clients) is its IPv4 address: its /64 would hold every IPv4 client.
    """
    if ":" in address:
        try:
            ip = ipaddress.IPv6Address(address)
        except ValueError:
            return address
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address
