"""Where an HTTP MCP server may be: public addresses only, unless MCP_ALLOW_PRIVATE_NETWORKS is set.

The agent's CLI connects to the server from the platform's own network, on behalf of whoever chats with
the scenario: a URL on loopback, a private range or a cloud metadata address would reach internal
services. The check resolves the host when the server is saved and again when a turn starts; it cannot
pin the address the CLI will use a moment later (DNS rebinding), so an egress policy is the stronger fence.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

RESOLVE_TIMEOUT_SECONDS = 3.0


class UnsafeUrl(ValueError):
    """The URL is malformed, or points at an address the deployment does not allow (message says which)."""


def check_url_shape(url: str) -> tuple[str, int]:
    """Host and port of an http(s) URL without credentials in it; UnsafeUrl otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("The URL must start with http:// or https:// and name a host")
    if parts.username or parts.password:
        raise UnsafeUrl("Put credentials in headers, not in the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl(f"The URL's port is not valid: {exc}") from exc
    return parts.hostname, port


def _non_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_url(url: str, allow_private: bool) -> None:
    """UnsafeUrl when the URL is malformed or (unless allowed) any address of its host is not public."""
    host, port = check_url_shape(url)
    if allow_private:
        return
    try:
        addresses = [host] if _is_ip(host) else await _resolve(host, port)
    except (OSError, TimeoutError) as exc:
        raise UnsafeUrl(f"The host {host} could not be resolved ({exc})") from exc
    private = [address for address in addresses if _non_public(address)]
    if private:
        raise UnsafeUrl(
            f"The host {host} is on a loopback, private or reserved address ({private[0]}); "
            "an administrator can allow these with MCP_ALLOW_PRIVATE_NETWORKS=true"
        )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
    )
    return sorted({str(info[4][0]) for info in infos})
