"""FastAPI dependencies shared by every domain's views: settings, database session, callers."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tipline.config import Settings
from tipline.db import Database


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


async def get_db(database: Database = Depends(get_database)) -> AsyncIterator[Session]:
    """One transaction per request: committed when the view returns, rolled back on any error.

    Async on purpose: making a Session does no I/O (the connection is taken at the first
    statement, in the view's thread), so entering needs no thread; only the closing commit,
    rollback and release of the connection run in the thread pool.
    """
    db_session = database.sessionmaker()
    try:
        yield db_session
    except BaseException:
        await run_in_threadpool(_finish, db_session, commit=False)
        raise
    await run_in_threadpool(_finish, db_session, commit=True)


def _finish(db_session: Session, *, commit: bool) -> None:
    try:
        if commit:
            db_session.commit()
        else:
            db_session.rollback()
    finally:
        db_session.close()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, scope: str) -> None:
    """Count this request against the caller's address for a public scope (ratelimit.py)."""
    request.app.state.rate_limiter.check(scope, client_address(request))
