"""Which IP addresses tipline may contact when it checks a page: public ones only.

`ipaddress.is_global` alone is not enough for IPv6. Several prefixes carry an IPv4 address
inside them, and a packet sent to one is delivered to that IPv4 address by a translator or a
tunnel: 64:ff9b::a9fe:a9fe is the cloud metadata address 169.254.169.254 through NAT64, yet
Python calls it global. So the IPv4 address inside each of these prefixes must itself be public.
Nothing here touches the network."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

_LOW32 = 0xFFFF_FFFF

# RFC 6052 well-known NAT64 prefix: the IPv4 address is the last 32 bits.
NAT64 = ip_network("64:ff9b::/96")
# RFC 8215 local-use NAT64 prefix. Where the IPv4 address sits depends on the prefix length an
# operator chose (RFC 6052 allows /48 to /96), which cannot be known from outside; and it is
# never globally reachable, so no public page lives there. Refused whole.
NAT64_LOCAL = ip_network("64:ff9b:1::/48")
# RFC 3056 6to4: the IPv4 address is bits 16-47.
SIXTOFOUR = ip_network("2002::/16")
# RFC 4380 Teredo: the server's IPv4 address is bits 32-63, the client's is the last 32 bits
# inverted.
TEREDO = ip_network("2001::/32")
# RFC 4291 IPv4-compatible (deprecated; ::/96) and RFC 2765 IPv4-translated (::ffff:0:0:0/96):
# the last 32 bits. (IPv4-mapped ::ffff:0:0/96 is the IPv4 address itself to the kernel, and is
# handled as one.)
COMPATIBLE = ip_network("::/96")
TRANSLATED = ip_network("::ffff:0:0:0/96")


def embedded_ipv4(address: IPv6Address) -> list[IPv4Address]:
    """The IPv4 addresses a packet to `address` may end up at, other than itself."""
    value = int(address)
    found: list[IPv4Address] = []
    if address in NAT64 or address in COMPATIBLE or address in TRANSLATED:
        found.append(IPv4Address(value & _LOW32))
    if address in SIXTOFOUR:
        found.append(IPv4Address((value >> 80) & _LOW32))
    if address in TEREDO:
        found.append(IPv4Address((value >> 64) & _LOW32))  # the server
        found.append(IPv4Address(~value & _LOW32))  # the client
    return found


def _public_ipv4(address: IPv4Address) -> bool:
    return address.is_global and not address.is_multicast


def is_public(text: str, *, allow_loopback: bool) -> bool:
    """May tipline connect to this address? `allow_loopback` (the tests' setting) admits
    127.0.0.0/8 and ::1 themselves, never a loopback address inside a translation prefix (that
    would be the translator's own loopback, not ours). Raises ValueError for a non-address."""
    address = ip_address(text.strip("[]").split("%", 1)[0])
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return allow_loopback
    if isinstance(address, IPv4Address):
        return _public_ipv4(address)
    if not address.is_global or address.is_multicast or address in NAT64_LOCAL:
        return False
    return all(_public_ipv4(inner) for inner in embedded_ipv4(address))
