"""Refuse request bodies over a size limit before they are read into memory (413, JSON).

Before answering, the rest of the body is read and dropped, up to DRAIN_BYTES and for at most
DRAIN_SECONDS. A server that answers and closes while the client is still sending leaves unread
data in its socket, and the kernel then resets the connection: the client's next write fails,
and a client that treats that as the end (a browser uploading a form, most HTTP libraries; httpx
alone ignores the failed write and looks for an answer) reports "connection reset", never the
413 saying why. The bounds keep a refused request from costing more than a few seconds and
megabytes; a body beyond them (by its Content-Length) is answered at once, since it would be
reset anyway. A client that sent `Expect: 100-continue` is answered at once too: it has sent no
body, and will send none if it is not asked for one.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 4 * 1024 * 1024
DRAIN_SECONDS = 2.0


# A refusal's body and content type, from the message saying what the limit was.
Refusal = Callable[[str], tuple[bytes, bytes]]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """A pure ASGI middleware: checks Content-Length, and counts a chunked body as it streams."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int],
        refusals: dict[str, Refusal] | None = None,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        # Path prefix -> how that API words the refusal; JSON for the rest. Given by the app,
        # so this layer needs to know no API's format (web imports no domain).
        self.refusals = refusals or {}

    def _refusal(self, path: str, limit: int) -> tuple[bytes, bytes]:
        message = f"request body over {limit} bytes"
        for prefix, refusal in self.refusals.items():
            if path.startswith(prefix):
                return refusal(message)
        body = json.dumps({"error": {"code": "too_large", "message": message}}).encode()
        return body, b"application/json"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            # Reading would make the server send "100 Continue" and ask for the body.
            waiting = headers.get(b"expect", b"").lower() == b"100-continue"
            if int(length) <= DRAIN_BYTES and not waiting:
                await _drain(receive)
            await _refuse(send, self._refusal(scope["path"], limit))
            return
        seen = 0
        ended = False
        overflowed = False
        started = False

        async def counted_receive() -> Message:
            nonlocal seen, ended, overflowed
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                ended = not message.get("more_body", False)
                if seen > limit:
                    overflowed = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if overflowed and not started:
                # FastAPI turns any error while reading a body into its own 400 ("error
                # parsing the body"); the answer to a body cut short is the 413 below.
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted_receive, tracking_send)
        if overflowed and not started:
            if not ended:
                await _drain(receive)
            await _refuse(send, self._refusal(scope["path"], limit))


async def _drain(receive: Receive) -> None:
    """Read and drop what is left of the body, within the bounds (module docstring)."""
    dropped = 0
    with anyio.move_on_after(DRAIN_SECONDS):
        while dropped <= DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            dropped += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


async def _refuse(send: Send, refusal: tuple[bytes, bytes]) -> None:
    body, kind = refusal
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", kind), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
