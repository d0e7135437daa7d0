"""Security headers and a request id on every answer, as a plain ASGI middleware.

(Starlette's BaseHTTPMiddleware costs a task and a stream per request; this costs a closure.)

Over HTTPS (the connection's scheme, or a trusted proxy's X-Forwarded-Proto: forwarded.py, which
runs before this) every cookie is marked Secure, whichever view set it, and the answer carries
HSTS. Over plain HTTP there is no HSTS (browsers ignore it there, and the local demo runs on
http://127.0.0.1); cookies are Secure there only when TIPLINE_SECURE_COOKIES forces it.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE_PREFIXES = ("/console", "/agency", "/api/")
HSTS = "max-age=31536000; includeSubDomains"


def _secure_cookie(value: bytes) -> bytes:
    attributes = {part.strip().lower() for part in value.split(b";")[1:]}
    return value if b"secure" in attributes else value + b"; Secure"


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, headers: dict[str, str], *, secure_cookies: bool = False
    ) -> None:
        self.app = app
        self.headers = headers
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                # Echo a caller's id only when it is short and plain: it goes into a header.
                candidate = value.decode("latin-1")
                if len(candidate) <= 64 and candidate.isprintable():
                    request_id = candidate
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        no_store = scope["path"].startswith(NO_STORE_PREFIXES)
        https = scope.get("scheme") == "https"
        secure_cookies = https or self.secure_cookies

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in self.headers.items():
                    headers.setdefault(key, value)
                headers["X-Request-ID"] = request_id
                if no_store:
                    headers.setdefault("Cache-Control", "no-store")
                if https:
                    headers["Strict-Transport-Security"] = HSTS
                if secure_cookies:
                    message["headers"] = [
                        (name, _secure_cookie(value) if name == b"set-cookie" else value)
                        for name, value in message["headers"]
                    ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
