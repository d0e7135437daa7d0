"""The errors that reach a user: each maps to one HTTP status and one CLI exit code.

A service raises these for anything the caller got wrong; views and the CLI turn them into a
4xx JSON error or a one-line message. Anything else escaping is a bug (5xx, exit 1).
"""

from __future__ import annotations


class TiplineError(Exception):
    status_code = 400
    code = "bad_request"
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class BadInput(TiplineError):
    status_code = 400
    code = "bad_input"


class NotFound(TiplineError):
    status_code = 404
    code = "not_found"


class Unauthorized(TiplineError):
    status_code = 401
    code = "unauthorized"


class Forbidden(TiplineError):
    status_code = 403
    code = "forbidden"


class Conflict(TiplineError):
    status_code = 409
    code = "conflict"


class TooLarge(TiplineError):
    status_code = 413
    code = "too_large"


class UnsupportedMedia(TiplineError):
    status_code = 415
    code = "unsupported_media_type"


class Locked(TiplineError):
    status_code = 429
    code = "locked"


class ConfigError(TiplineError):
    """The installation itself is wrong (missing or exposed key, no database)."""

    status_code = 500
    code = "config"
    exit_code = 1


class IntegrityFailure(TiplineError):
    """Stored data failed its integrity check (tampered ciphertext, broken audit chain)."""

    status_code = 409
    code = "integrity"
    exit_code = 1


class LoginRequired(Exception):
    """Raised by page dependencies: the browser is sent to the sign-in page (or `to`).

    Control flow, not an error a user made, so it is not a TiplineError."""

    def __init__(self, to: str = "/console/login") -> None:
        super().__init__(to)
        self.to = to
