"""Reliability under hostile input (issue 17): SSRF through IPv6 translation prefixes, forged
X-Forwarded-For, cookies and HSTS over HTTPS, and a 413 a client can actually read."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from ipaddress import IPv4Address, IPv6Address, ip_network
from typing import Any

import httpcore
import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from accounts import csrf, make_user
from tipline.app import create_app
from tipline.auth.dependencies import PRE_SESSION_CSRF_COOKIE, SESSION_COOKIE
from tipline.config import Settings
from tipline.db import Database
from tipline.deps import client_address
from tipline.errors import ConfigError
from tipline.notices import checker, urls
from tipline.ratelimit import PublicRateLimiter
from tipline.server import uvicorn_config
from tipline.web.bodylimit import DRAIN_BYTES, DRAIN_SECONDS
from tipline.web.forwarded import TrustedProxies, parse_networks

# 1. SSRF through NAT64, 6to4 and the other prefixes that carry an IPv4 address ---------------

# The IANA special-purpose ranges that are not globally reachable, so that hypothesis lands in
# each of them often (a uniformly drawn address is private only about one time in twelve).
NON_GLOBAL_NETWORKS = [
    ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
    )
]
non_global_ipv4 = (
    st.one_of(
        st.sampled_from(NON_GLOBAL_NETWORKS).flatmap(
            lambda n: st.integers(int(n.network_address), int(n.broadcast_address))
        ),
        st.integers(0, 2**32 - 1),
    )
    .map(IPv4Address)
    .filter(lambda address: not address.is_global)
)

_M32, _M48, _M64, _M80 = 2**32 - 1, 2**48 - 1, 2**64 - 1, 2**80 - 1


def _rfc6052(prefix: int, length: int, v4: int, suffix: int) -> int:
    """RFC 6052 section 2.2: the IPv4 address follows the prefix, skipping bits 64-71 ("u");
    the suffix fills what is left."""
    octets = bytearray(prefix.to_bytes(16, "big"))
    position = length // 8
    for byte in v4.to_bytes(4, "big"):
        if position == 8:
            position = 9
        octets[position] = byte
        position += 1
    return int.from_bytes(octets, "big") | (suffix & ((1 << (8 * (16 - position))) - 1))


# Each way an IPv4 address rides inside an IPv6 one; `noise` fills the bits that carry nothing.
EMBEDDINGS: dict[str, Callable[[int, int], int]] = {
    "nat64 64:ff9b::/96": lambda v4, noise: (0x0064FF9B << 96) | v4,
    "local nat64 /48": lambda v4, noise: _rfc6052(0x0064FF9B0001 << 80, 48, v4, noise),
    "local nat64 /56": lambda v4, noise: _rfc6052(
        (0x0064FF9B0001 << 80) | ((noise >> 100) & 0xFF) << 72, 56, v4, noise
    ),
    "local nat64 /64": lambda v4, noise: _rfc6052(
        (0x0064FF9B0001 << 80) | ((noise >> 100) & 0xFFFF) << 64, 64, v4, noise
    ),
    "local nat64 /96": lambda v4, noise: (0x0064FF9B0001 << 80) | ((noise & _M48) << 32) | v4,
    "6to4 2002::/16": lambda v4, noise: (0x2002 << 112) | (v4 << 80) | (noise & _M80),
    "teredo client": lambda v4, noise: (0x20010000 << 96) | ((noise & _M64) << 32) | (~v4 & _M32),
    "teredo server": lambda v4, noise: (0x20010000 << 96) | (v4 << 64) | (noise & _M64),
    "mapped ::ffff:0:0/96": lambda v4, noise: (0xFFFF << 32) | v4,
    "compatible ::/96": lambda v4, noise: v4,
    "translated ::ffff:0:0:0/96": lambda v4, noise: (0xFFFF << 48) | v4,
}


@given(
    inner=non_global_ipv4,
    embedding=st.sampled_from(sorted(EMBEDDINGS)),
    noise=st.integers(0, 2**128 - 1),
)
def test_every_embedding_of_a_non_global_ipv4_is_refused(
    inner: IPv4Address, embedding: str, noise: int
) -> None:
    address = IPv6Address(EMBEDDINGS[embedding](int(inner), noise))
    assert not checker.allowed(str(address), allow_loopback=False), (embedding, address)
    assert isinstance(urls.parse(f"http://[{address}]/"), urls.Rejected), (embedding, address)


def test_the_embeddings_carry_what_they_claim() -> None:
    # The strategy itself, against the standard library's own decoding.
    v4 = int(IPv4Address("192.168.1.1"))
    assert IPv6Address(EMBEDDINGS["6to4 2002::/16"](v4, 7)).sixtofour == IPv4Address(v4)
    teredo = IPv6Address(EMBEDDINGS["teredo client"](v4, 7)).teredo
    assert teredo is not None
    assert teredo[1] == IPv4Address(v4)
    teredo = IPv6Address(EMBEDDINGS["teredo server"](v4, 7)).teredo
    assert teredo is not None
    assert teredo[0] == IPv4Address(v4)
    assert IPv6Address(EMBEDDINGS["mapped ::ffff:0:0/96"](v4, 7)).ipv4_mapped == IPv4Address(v4)
    assert str(IPv6Address(EMBEDDINGS["local nat64 /48"](v4, 0))) == "64:ff9b:1:c0a8:1:100::"


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # 169.254.169.254 through NAT64
        "64:ff9b::7f00:1",  # the translator's loopback, not ours
        "2002:a9fe:a9fe::1",
        "2002:7f00:1::1",
        "::ffff:0:a00:1",
        "64:ff9b:1::808:808",  # local-use NAT64 is refused whole
    ],
)
def test_translated_private_addresses_are_refused_even_with_loopback_allowed(
    address: str,
) -> None:
    assert not checker.allowed(address, allow_loopback=True)
    assert isinstance(urls.parse(f"http://[{address}]/", allow_loopback=True), urls.Rejected)


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "::ffff:8.8.8.8"],
)
def test_public_addresses_stay_allowed(address: str) -> None:
    assert checker.allowed(address, allow_loopback=False)
    assert isinstance(urls.parse(f"http://[{address}]/"), urls.Parsed)
    assert checker.allowed("8.8.8.8", allow_loopback=False)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address the checker opens a socket to. Only loopback is really dialled: the tests
    reach nothing else, even when the code under test would have."""
    opened: list[str] = []
    real = httpcore.SyncBackend.connect_tcp

    def connect_tcp(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        opened.append(host)
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test: no network to {host}")
        return real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return opened


class Redirector:
    """A loopback site whose /to?<url> redirects to <url>."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                target = self.path.partition("?")[2]
                self.send_response(302 if target else 200)
                if target:
                    self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    site = Redirector()
    yield site
    site.server.shutdown()
    site.server.server_close()


def test_a_nat64_literal_is_refused_without_a_connection(connections: list[str]) -> None:
    strict = checker.client(allow_loopback=False)
    for url in ("http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::]/latest/meta-data/"):
        assert checker.check(strict, url).outcome == "refused"
    assert connections == []


def test_dns_answers_in_translation_prefixes_are_refused(connections: list[str]) -> None:
    answers = ["64:ff9b::a9fe:a9fe", "2002:c0a8:101::1", "::ffff:0:a00:5", "64:ff9b:1::808:808"]
    guarded = checker.client(allow_loopback=False, resolver=lambda host, port: answers)
    assert checker.check(guarded, "http://metadata.example/x").outcome == "refused"
    assert connections == []


def test_only_the_checked_address_is_dialled(
    connections: list[str], redirector: Redirector
) -> None:
    # A name answering one private and one allowed address: the socket goes to the one that was
    # checked, never the name (which would be resolved again, and could rebind).
    mixed = checker.client(
        allow_loopback=True, resolver=lambda host, port: ["64:ff9b::a00:1", "127.0.0.1"]
    )
    found = checker.check(mixed, f"http://site.example:{redirector.port}/")
    assert found.outcome == "answers"
    assert connections == ["127.0.0.1"]


@pytest.mark.parametrize(
    "target", ["http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "http://[2002:a00:1::]/"]
)
def test_a_redirect_into_a_translation_prefix_is_refused(
    connections: list[str], redirector: Redirector, target: str
) -> None:
    loopback = checker.client(allow_loopback=True)
    found = checker.check(loopback, f"http://127.0.0.1:{redirector.port}/to?{target}")
    assert found.outcome == "refused"
    assert connections == ["127.0.0.1"]


# 2. X-Forwarded-For is believed from configured proxies only ---------------------------------


def _probe(app: FastAPI) -> FastAPI:
    """A route that answers the client address and scheme the app settled on."""

    def edge_probe(request: Request) -> dict[str, str]:
        return {"client": client_address(request), "scheme": request.url.scheme}

    app.add_api_route("/edge-probe", edge_probe)
    return app


def _notices(http_client: httpx.Client | TestClient, forwarded_for: str) -> int:
    response = http_client.post(
        "/api/v1/notices",
        json={"urls": ["https://example.com/a"]},
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )
    return response.status_code


def test_a_local_caller_cannot_rotate_its_address(app: FastAPI, http: httpx.Client) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default; tipline serve must not."""
    settings: Settings = app.state.settings
    app.state.rate_limiter = PublicRateLimiter(
        settings.model_copy(update={"notices_rate_limit": "2/minute"})
    )
    statuses = [_notices(http, f"203.0.113.{i}") for i in range(1, 4)]
    assert statuses == [200, 200, 429]
    # Nor does X-Forwarded-Proto make a plain-HTTP answer carry HSTS.
    response = http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in response.headers
    assert uvicorn_config(app, "127.0.0.1", 0).proxy_headers is False


@pytest.fixture
def proxied(settings: Settings, database: Database) -> Iterator[TestClient]:
    """The app behind a proxy at 10.0.0.2 that it is configured to trust."""
    trusting = settings.model_copy(
        update={"trusted_proxies": "10.0.0.0/24, fd00::/8", "notices_rate_limit": "2/minute"}
    )
    app = _probe(create_app(trusting, database))
    with TestClient(app, base_url="http://tipline.test", client=("10.0.0.2", 5555)) as test_client:
        yield test_client


def test_the_right_most_untrusted_address_is_the_client(proxied: TestClient) -> None:
    def seen(forwarded_for: str) -> str:
        answer = proxied.get("/edge-probe", headers={"X-Forwarded-For": forwarded_for})
        return str(answer.json()["client"])

    assert seen("198.51.100.7") == "198.51.100.7"
    # Whatever the caller wrote to the left is ignored; our own proxies to the right are skipped.
    assert seen("1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert seen("1.2.3.4, 198.51.100.7, 10.0.0.9") == "198.51.100.7"
    assert seen("198.51.100.7:4711") == "198.51.100.7"
    assert seen("[2001:db8::7]:4711, fd00::3") == "2001:db8::7"
    # Garbage where a proxy would have written an address: only the proxy can be vouched for.
    assert seen("198.51.100.7, not-an-address") == "10.0.0.2"
    # Only proxies in the chain: the left-most of them.
    assert seen("10.0.0.4, 10.0.0.3") == "10.0.0.4"
    assert proxied.get("/edge-probe").json()["client"] == "10.0.0.2"


def test_rotating_the_left_of_the_chain_does_not_escape_the_limit(proxied: TestClient) -> None:
    statuses = [_notices(proxied, f"192.0.2.{i}, 198.51.100.7") for i in range(1, 4)]
    assert statuses == [200, 200, 429]
    # Another client behind the same proxy has its own budget.
    assert _notices(proxied, "198.51.100.8") == 200


def test_an_untrusted_peer_cannot_forward(settings: Settings, database: Database) -> None:
    trusting = settings.model_copy(update={"trusted_proxies": "10.0.0.0/24"})
    app = _probe(create_app(trusting, database))
    with TestClient(app, client=("192.0.2.50", 5555)) as outsider:
        answer = outsider.get(
            "/edge-probe", headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
        ).json()
    assert answer == {"client": "192.0.2.50", "scheme": "http"}


def test_trusted_proxies_setting() -> None:
    assert parse_networks("") == ()
    assert [str(n) for n in parse_networks(" 10.0.0.1 , 192.168.0.0/16,fd00::/8 ")] == [
        "10.0.0.1/32",
        "192.168.0.0/16",
        "fd00::/8",
    ]
    with pytest.raises(ConfigError):
        parse_networks("10.0.0.1, proxy.internal")
    nobody = TrustedProxies(())
    assert not nobody
    peer = IPv4Address("127.0.0.1")
    assert nobody.client(peer, ["198.51.100.7"]) == peer


def test_a_bad_trusted_proxies_setting_stops_the_start(settings: Settings) -> None:
    with pytest.raises(ConfigError):
        create_app(settings.model_copy(update={"trusted_proxies": "10.0.0.0/33"}))


# 3. Secure cookies and HSTS over HTTPS -------------------------------------------------------


def _cookies(response: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def _sign_in(test_client: TestClient, database: Database) -> tuple[httpx.Response, httpx.Response]:
    email = make_user(database, "analyst")
    page = test_client.get("/console/login")
    signed_in = test_client.post(
        "/console/login",
        data={"email": email, "password": "correct horse battery staple", "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    return page, signed_in


def test_cookies_are_secure_and_hsts_is_sent_over_https(app: FastAPI, database: Database) -> None:
    with TestClient(app, base_url="https://tipline.test") as over_tls:
        page, signed_in = _sign_in(over_tls, database)
    for response, name in ((page, PRE_SESSION_CSRF_COOKIE), (signed_in, SESSION_COOKIE)):
        cookie = _cookies(response)[name]
        assert "; secure" in cookie.lower(), cookie
        assert cookie.lower().count("secure") == 1
        hsts = response.headers["strict-transport-security"]
        assert hsts == "max-age=31536000; includeSubDomains"


def test_plain_http_has_no_hsts_and_plain_cookies(client: TestClient, database: Database) -> None:
    page, signed_in = _sign_in(client, database)
    for response, name in ((page, PRE_SESSION_CSRF_COOKIE), (signed_in, SESSION_COOKIE)):
        assert "secure" not in _cookies(response)[name].lower()
        assert "strict-transport-security" not in response.headers


def test_the_setting_still_forces_secure_cookies(settings: Settings, database: Database) -> None:
    app = create_app(settings.model_copy(update={"secure_cookies": True}), database)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        page = test_client.get("/console/login")
    assert "; secure" in _cookies(page)[PRE_SESSION_CSRF_COOKIE].lower()
    assert "strict-transport-security" not in page.headers


def test_https_through_a_trusted_proxy(settings: Settings, database: Database) -> None:
    trusting = settings.model_copy(update={"trusted_proxies": "10.0.0.2"})
    app = _probe(create_app(trusting, database))
    with TestClient(app, base_url="http://tipline.test", client=("10.0.0.2", 5555)) as behind:
        page = behind.get("/console/login", headers={"X-Forwarded-Proto": "https"})
        probe = behind.get("/edge-probe", headers={"X-Forwarded-Proto": "http, https"})
    assert "; secure" in _cookies(page)[PRE_SESSION_CSRF_COOKIE].lower()
    assert page.headers["strict-transport-security"].startswith("max-age=31536000")
    assert probe.json()["scheme"] == "https"


# 4. A 413 the client can read ----------------------------------------------------------------


def _upload(http_client: httpx.Client, content: bytes | Iterator[bytes]) -> list[str]:
    """POST an oversized body to a 1 MiB JSON endpoint; the 413 must come back, and the body
    must have been written whole. (httpcore swallows a failed write and still reads whatever
    answer is in the socket, but a browser or most other clients report "connection reset":
    its trace is the way to see the reset.)"""
    failures: list[str] = []

    def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith(".failed"):
            failures.append(f"{event}: {info.get('exception')!r}")

    response = http_client.post(
        "/api/v1/notices",
        content=content,
        headers={"Content-Type": "application/json"},
        extensions={"trace": trace},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    return failures


def test_an_oversized_body_gets_a_readable_413(http: httpx.Client) -> None:
    body = b'{"urls": ["' + b"a" * (3 * 1024 * 1024) + b'"]}'
    assert len(body) < DRAIN_BYTES
    for _ in range(3):  # the reset is a race; it used to be lost nearly every time
        assert _upload(http, body) == []


def test_an_oversized_chunked_body_gets_a_readable_413(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(48):
            yield b"a" * 65536  # 3 MiB without a Content-Length

    for _ in range(3):
        assert _upload(http, chunks()) == []


def _raw_request(live_server: str, head: bytes, body: bytes = b"") -> tuple[bytes, float]:
    host, port = live_server.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=DRAIN_SECONDS + 10) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - started


def test_a_sender_that_stalls_is_answered_within_the_bound(live_server: str) -> None:
    head = (
        b"POST /api/v1/notices HTTP/1.1\r\nHost: tipline\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2097152\r\n\r\n"
    )
    answer, took = _raw_request(live_server, head, b'{"urls": ')
    assert answer.startswith(b"HTTP/1.1 413")
    assert DRAIN_SECONDS - 0.5 < took < DRAIN_SECONDS + 5


def test_a_body_beyond_the_drain_bound_is_answered_at_once(live_server: str) -> None:
    head = (
        b"POST /api/v1/notices HTTP/1.1\r\nHost: tipline\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1073741824\r\n\r\n"
    )
    answer, took = _raw_request(live_server, head)
    assert answer.startswith(b"HTTP/1.1 413")
    assert took < DRAIN_SECONDS


def test_a_client_waiting_for_100_continue_is_answered_at_once(live_server: str) -> None:
    head = (
        b"POST /api/v1/notices HTTP/1.1\r\nHost: tipline\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: 2097152\r\n\r\n"
    )
    answer, took = _raw_request(live_server, head)
    assert answer.startswith(b"HTTP/1.1 413")
    assert took < DRAIN_SECONDS
