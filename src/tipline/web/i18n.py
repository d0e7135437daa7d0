"""Language choice and message catalogs (Babel .po files, read at start-up)."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request, Response

R = TypeVar("R", bound=Response)
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "tipline_lang"
# The public forms' CSRF cookie (auth checks it): set here with the page that minted it.
PRE_SESSION_CSRF_COOKIE = "tipline_csrf"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT_LANGUAGE or not po.exists():
        return gettext.NullTranslations()

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def parse_accept_language(header: str | None) -> str | None:
    """The best of our languages for an Accept-Language header, honouring q-values."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else None


def gettext_for(request: Request) -> Callable[[str], str]:
    """The page's language's gettext, for text built in Python (notices, chart descriptions)."""
    return translations(language_for(request)).gettext


def language_for(request: Request) -> str:
    """An explicit ?lang= wins, then the remembered choice, then the browser's preference."""
    explicit = request.query_params.get("lang")
    if explicit in LANGUAGES:
        return explicit
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return parse_accept_language(request.headers.get("accept-language")) or DEFAULT_LANGUAGE


def with_csrf_cookie(request: Request, response: R) -> R:
    """Set the pre-session CSRF cookie when a form on this page minted a new token."""
    token = getattr(request.state, "new_csrf_cookie", None)
    if token:
        response.set_cookie(
            PRE_SESSION_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",  # Secure over HTTPS: web/headers.py marks every cookie
        )
    return response
