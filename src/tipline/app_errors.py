"""Control-flow exceptions for pages, kept apart from app.py so domains can raise them."""

from __future__ import annotations


class LoginRequired(Exception):
    """Raised by page dependencies: the browser is sent to the sign-in page (or `to`)."""

    def __init__(self, to: str = "/console/login") -> None:
        super().__init__(to)
        self.to = to
