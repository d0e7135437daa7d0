"""Who is calling, and over what: the connection's own peer address and scheme, or what
X-Forwarded-For and X-Forwarded-Proto say, when and only when the peer is a configured proxy
(TIPLINE_TRUSTED_PROXIES).

Rate limits and failed-login counts are kept per client address; a header anyone can write must
not choose that address, or one caller becomes as many callers as it likes (issue 17). uvicorn's
own proxy-header handling trusts 127.0.0.1 and ::1 by default, so it is switched off
(server.py) and this middleware is the one place the headers are read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from tipline.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(spec: str) -> tuple[Network, ...]:
    """`10.0.0.1, 192.168.0.0/16, fd00::/8` -> networks; empty -> none (trust no one)."""
    networks = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"TIPLINE_TRUSTED_PROXIES: {item!r} is not an address or a network"
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    """An X-Forwarded-For entry: a bare address, or one with a port ("1.2.3.4:5", "[::1]:5")."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    def __init__(self, networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, address: Address | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: Address, forwarded_for: list[str]) -> Address:
        """The right-most address in the chain that is not one of our proxies: every entry to
        its right was written by a proxy we trust, so it is the address our outermost proxy saw.
        Anything further left was written by the caller and may be anything."""
        if not self.trusts(peer):
            return peer
        nearest = peer
        for entry in reversed(forwarded_for):
            if not entry.strip():
                continue
            address = _address(entry)
            if address is None:
                # A proxy always writes a valid address; this one was not written by one of
                # ours. The nearest trusted hop is all that can be vouched for.
                return nearest
            if not self.trusts(address):
                return address
            nearest = address
        return nearest


class ForwardedHeaders:
    """A pure ASGI middleware: from a trusted proxy, the scope's client and scheme become the
    ones the proxy reports; from anyone else, the headers are ignored."""

    def __init__(self, app: ASGIApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.trusted:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        peer = _address(client[0]) if client else None
        if peer is None or not self.trusted.trusts(peer):
            await self.app(scope, receive, send)
            return
        forwarded_for: list[str] = []
        proto: str | None = None
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                forwarded_for.extend(value.decode("latin-1").split(","))
            elif name == b"x-forwarded-proto":
                # A proxy that appends rather than replaces puts its own value last.
                proto = value.decode("latin-1").split(",")[-1].strip().lower()
        scope = dict(scope)
        if forwarded_for:
            scope["client"] = (str(self.trusted.client(peer, forwarded_for)), 0)
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")
        await self.app(scope, receive, send)
