"""Sending an analyst's notice: by email through the configured SMTP relay, or to a platform's
API. Each send says plainly whether the notice certainly did not leave (safe to try again) or
may have (never sent again without a person deciding)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx

from tipline.errors import BadInput


class NotSent(Exception):
    """Certainly not delivered: a retry cannot double-send."""


class MaybeSent(Exception):
    """The relay or API may have taken it: do not send again automatically."""


def smtp_relay(url: str | None) -> tuple[str, int, bool, str | None, str | None]:
    """smtp://[user:password@]host:port or smtps://... -> (host, port, tls, user, password)."""
    if not url:
        raise BadInput("no SMTP relay is configured (TIPLINE_SMTP_URL)", code="no_smtp")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadInput("TIPLINE_SMTP_URL is smtp://host:port or smtps://host:port", code="bad_smtp")
    tls = parts.scheme == "smtps"
    return parts.hostname, parts.port or (465 if tls else 25), tls, parts.username, parts.password


def send_email(
    *, relay_url: str | None, sender: str, to: str, subject: str, body: str, message_id: str
) -> None:
    host, port, tls, user, password = smtp_relay(relay_url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    # The same Message-ID on every attempt: a relay or a recipient that saw it drops a repeat.
    message["Message-ID"] = message_id
    message.set_content(body)
    try:
        smtp: Any = (
            smtplib.SMTP_SSL(host, port, timeout=20, context=ssl.create_default_context())
            if tls
            else smtplib.SMTP(host, port, timeout=20)
        )
        smtp.ehlo()
        if not tls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if user:
            smtp.login(user, password or "")
    except (OSError, smtplib.SMTPException) as exc:
        raise NotSent(f"relay not reached: {type(exc).__name__}") from None
    try:
        smtp.send_message(message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        # Refused outright, before or at the end of the message: nothing was accepted.
        raise NotSent(f"relay refused it: {type(exc).__name__}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MaybeSent(f"connection lost while sending: {type(exc).__name__}") from None
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()


def send_api(http: httpx.Client, *, api_url: str, payload: dict[str, Any], key: str) -> None:
    """POST the notice; the Idempotency-Key lets the platform drop a repeat of the same one."""
    try:
        response = http.post(api_url, json=payload, headers={"Idempotency-Key": key})
    except httpx.ConnectError as exc:
        raise NotSent(f"API not reached: {type(exc).__name__}") from None
    except httpx.HTTPError as exc:
        raise MaybeSent(f"no answer from the API: {type(exc).__name__}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise NotSent(f"API answered {response.status_code}")  # retried with the same key
    if response.status_code >= 400:
        raise NotSent(f"API refused it ({response.status_code})")
