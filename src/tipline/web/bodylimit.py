"""Refuse request bodies over a size limit before they are read into memory (413, JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """A pure ASGI middleware: checks Content-Length, and counts a chunked body as it streams."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(send, limit, scope["path"])
                return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, limit, scope["path"])


async def _refuse(send: Send, limit: int, path: str) -> None:
    message = f"request body over {limit} bytes"
    if path.startswith("/ispws/"):
        # A CyberTipline client reads the response code, not the status.
        from tipline.ispws.codes import Code
        from tipline.ispws.xml import response

        body, kind = response(Code.INVALID_REQUEST, detail=message), b"text/xml; charset=utf-8"
    else:
        body = json.dumps({"error": {"code": "too_large", "message": message}}).encode()
        kind = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", kind), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
