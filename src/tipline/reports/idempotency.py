"""Idempotency-Key: a retried request gets the first answer and never makes a second record.

The key (scoped by route) and the first answer are stored in the same transaction as the record
the request made, so either both exist or neither does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tipline.errors import BadInput, Conflict
from tipline.reports.models import IdempotencyKey

MAX_KEY_LENGTH = 255


def key_id(scope: str, key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadInput(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters",
            code="bad_idempotency_key",
        )
    return hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def replay(
    db_session: Session, *, ident: str, request_hash: str
) -> tuple[int, dict[str, Any]] | None:
    """The first answer for this key, if a request with it was already stored.

    Retries sent at the same time are put in line on the key, so the second waits for the
    first to commit and then replays its answer (without this, PostgreSQL answered the second
    with a duplicate-key 500; issue 17). SQLite needs nothing: the request's transaction holds
    the write lock from its first statement.
    """
    if db_session.get_bind().dialect.name == "postgresql":
        lock = int.from_bytes(bytes.fromhex(ident[:16]), "big", signed=True)
        db_session.execute(select(func.pg_advisory_xact_lock(lock)))
    stored = db_session.get(IdempotencyKey, ident, populate_existing=True)
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise Conflict(
            "this Idempotency-Key was used with a different request", code="idempotency_mismatch"
        )
    return stored.status_code, stored.body


def remember(
    db_session: Session, *, ident: str, request_hash: str, status_code: int, body: dict[str, Any]
) -> None:
    db_session.add(
        IdempotencyKey(id=ident, request_hash=request_hash, status_code=status_code, body=body)
    )
