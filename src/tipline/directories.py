"""What the shipped directories share (the companies notices go to, the support services): a
JSON list in a file, every entry checked before anything is written, then each added or updated
by its key."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.db import utcnow
from tipline.errors import BadInput


def parse_list(text: str, *, most: int, what: str, refuse: Callable[[str], BadInput]) -> list[Any]:
    """The entries of a directory file, or a one-line error naming what is wrong and where."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(raw, list) or len(raw) > most:
        raise refuse(f"a JSON list of at most {most} {what}")
    return raw


def upsert(db_session: Session, model: Any, key: str, entries: Iterable[dict[str, Any]]) -> None:
    """Add each entry, or update the row with the same key; stamps `updated_at`."""

    existing = {getattr(row, key): row for row in db_session.scalars(select(model))}
    for entry in entries:
        row = existing.get(entry[key]) or model(**{key: entry[key]})
        for name, value in entry.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        db_session.add(row)
