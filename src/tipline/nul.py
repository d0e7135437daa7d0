"""NUL characters (U+0000) in what a caller sends.

PostgreSQL's text cannot hold a NUL and SQLite's can: left alone, the same input is stored on one
database and a 500 on the other. No field of tipline has a use for one, so it is refused where it
comes in, with the field's name, on both databases alike. The public report and its follow-up
drop NUL instead (reports/schemas.py): a child's words are never refused for a character no one
can see or type.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from pydantic import AfterValidator

from tipline.errors import BadInput

NUL = "\x00"
NOT_ALLOWED = "a NUL character (U+0000) is not allowed"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse(value: str, *, field: str) -> str:
    if NUL in value:
        raise BadInput(f"{field}: {NOT_ALLOWED}", code="nul_character")
    return value


def found_in(data: Any) -> bool:
    """Whether any string in JSON-like data (keys too) holds a NUL."""
    if isinstance(data, str):
        return NUL in data
    if isinstance(data, dict):
        return any(found_in(k) or found_in(v) for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(found_in(item) for item in data)
    return False


def _no_nul(value: str) -> str:
    if NUL in value:
        raise ValueError(NOT_ALLOWED)
    return value


# A JSON body's string field that refuses NUL: a 422 naming the field, as any invalid value.
Text = Annotated[str, AfterValidator(_no_nul)]


async def refuse_in_request(request: Request) -> None:
    """A router dependency: the path, the query and every text field of a form.

    Files are left alone: their bytes are stored as bytes, their names cleaned by evidence. Every
    form route this guards declares a form field (the CSRF token at least), so FastAPI parsed
    the form before any dependency ran, and reading it here again is free.
    """
    for name, value in request.path_params.items():
        refuse(str(value), field=name)
    for name, value in request.query_params.multi_items():
        refuse(name, field="query")
        refuse(value, field=name)
    content_type = request.headers.get("content-type", "").lower()
    if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(_FORM_TYPES):
        form = await request.form()
        for name, item in form.multi_items():
            refuse(name, field="form")
            if isinstance(item, str):
                refuse(item, field=name)
