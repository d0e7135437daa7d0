"""A client for NCMEC's CyberTipline Reporting API (or any service that speaks it, tipline too)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from lxml import etree

from tipline import safexml


class UpstreamError(Exception):
    """The upstream answered with a non-zero responseCode (or no valid answer)."""

    def __init__(self, code: int, description: str, request_id: str | None) -> None:
        super().__init__(f"upstream code {code}: {description} (Request-ID {request_id or '-'})")
        self.code = code
        self.description = description
        self.request_id = request_id


class UpstreamUnavailable(Exception):
    """No answer: connection refused or dropped, or a timeout. The outcome is unknown."""


@dataclass(frozen=True)
class Answer:
    code: int
    description: str
    fields: dict[str, str]
    files: list[str]
    request_id: str | None


class CyberTiplineClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=(username, password),
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: object) -> Answer:
        try:
            response = self.http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(f"{path}: {exc.__class__.__name__}") from None
        request_id = response.headers.get("Request-ID")
        if response.status_code == 401:
            raise UpstreamError(2000, "authentication failed", request_id)
        try:
            root = etree.fromstring(response.content, parser=safexml.parser())
            code = int(root.findtext("responseCode") or "1000")
        except (etree.XMLSyntaxError, ValueError):
            raise UpstreamError(
                1000, f"unreadable answer (HTTP {response.status_code})", request_id
            ) from None
        answer = Answer(
            code=code,
            description=root.findtext("responseDescription") or "",
            fields={child.tag: (child.text or "") for child in root if len(child) == 0},
            files=[f.text or "" for f in root.findall("files/fileId")],
            request_id=request_id,
        )
        if code != 0:
            raise UpstreamError(code, answer.description, request_id)
        return answer

    def status(self) -> Answer:
        return self._call("GET", "/status")

    def submit(self, document: bytes) -> str:
        answer = self._call(
            "POST", "/submit", content=document, headers={"Content-Type": "text/xml; charset=utf-8"}
        )
        return answer.fields["reportId"]

    def upload(self, report_id: str, filename: str, data: bytes) -> tuple[str, str]:
        answer = self._call(
            "POST", "/upload", data={"id": report_id}, files={"file": (filename, data)}
        )
        return answer.fields["fileId"], answer.fields.get("hash", "")

    def fileinfo(self, document: bytes) -> None:
        self._call(
            "POST",
            "/fileinfo",
            content=document,
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )

    def finish(self, report_id: str) -> Answer:
        return self._call("POST", "/finish", data={"id": report_id})

    def retract(self, report_id: str) -> Answer:
        return self._call("POST", "/retract", data={"id": report_id})
