"""Does a URL still answer? A HEAD (or a small GET) with a tight timeout and a size cap, whose
body is never kept; and never a connection to a private address.

The address check happens where the connection is made: every host name is resolved once, each
address checked, and the socket opened to that checked address (TLS still verifies the name).
So a name that resolves to 10.0.0.5, or one that changes its answer between a check and the
connection (DNS rebinding), or a redirect to an internal host, never reaches an internal
service. A setting lets tests reach loopback, and loopback only."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from tipline.notices.addresses import is_public

TIMEOUT = httpx.Timeout(5.0, connect=3.0)
MAX_BYTES = 64 * 1024
MAX_REDIRECTS = 3
USER_AGENT = "tipline-takedown-check/1 (removal verification; no content kept)"
# 404 Not Found, 410 Gone, 451 Unavailable For Legal Reasons: the content is down.
GONE = frozenset({404, 410, 451})

Resolver = Callable[[str, int], list[str]]


class RefusedAddress(httpcore.ConnectError):
    """The host resolved to an address tipline must never connect to."""


def _system_resolver(host: str, port: int) -> list[str]:
    return sorted(
        {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    )


def allowed(address: str, *, allow_loopback: bool) -> bool:
    """The same rule as for a pasted address (addresses.py), applied to every DNS answer and to
    every redirect's host, since each of them comes through `connect_tcp`."""
    try:
        return is_public(address, allow_loopback=allow_loopback)
    except ValueError:  # a resolver that answers something other than an address
        return False


class GuardedBackend(httpcore.SyncBackend):
    def __init__(self, *, allow_loopback: bool, resolver: Resolver = _system_resolver) -> None:
        self.allow_loopback = allow_loopback
        self.resolver = resolver
        self.refused: list[str] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        for address in addresses:
            if allowed(address, allow_loopback=self.allow_loopback):
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
        self.refused.append(host)
        raise RefusedAddress(f"{host} resolves only to addresses tipline does not contact")


def client(*, allow_loopback: bool, resolver: Resolver = _system_resolver) -> httpx.Client:
    """An httpx client whose every connection goes through the guard."""
    transport = httpx.HTTPTransport(retries=0)
    # httpx builds its own pool; swap in one with the guarded network backend.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        network_backend=GuardedBackend(allow_loopback=allow_loopback, resolver=resolver),
        max_connections=4,
    )
    return httpx.Client(
        transport=transport,
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
    )


@dataclass(frozen=True)
class Check:
    outcome: str  # answers, gone, unreachable, refused
    status: int | None = None
    detail: str = ""


def _status(http: httpx.Client, url: str) -> int:
    """HEAD first; a site that refuses HEAD gets a GET of which at most MAX_BYTES are read and
    then dropped. Only the status is kept."""
    response = http.head(url)
    if response.status_code not in (405, 501):
        return response.status_code
    with http.stream("GET", url) as streamed:
        read = 0
        for chunk in streamed.iter_raw():
            read += len(chunk)
            if read >= MAX_BYTES:
                break
        return streamed.status_code


def _outcome(status: int) -> str:
    if status in GONE:
        return "gone"
    # 401, 403, 429, 5xx: the content may well be there still; nothing can be concluded.
    return "answers" if 200 <= status < 400 else "unreachable"


def check(http: httpx.Client, url: str) -> Check:
    try:
        status = _status(http, url)
    except httpx.TooManyRedirects:
        return Check("unreachable", None, "too many redirects")
    except (RefusedAddress, httpx.HTTPError) as exc:
        # httpx re-raises the backend's refusal as a ConnectError caused by it.
        refused = isinstance(exc, RefusedAddress) or isinstance(exc.__cause__, RefusedAddress)
        return Check("refused" if refused else "unreachable", None, str(exc)[:200])
    return Check(_outcome(status), status)
