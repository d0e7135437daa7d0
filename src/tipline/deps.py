"""FastAPI dependencies shared by every domain's views: settings, database session, callers."""

from __future__ import annotations

import asyncio
import base64
import binascii
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tipline.config import Settings
from tipline.db import Database, DatabaseBusy
from tipline.evidence.hashing import pixel_count
from tipline.web.i18n import PRE_SESSION_CSRF_COOKIE

# Methods whose requests only read. Their transactions start deferred (Database.reader): on
# SQLite they never take, or wait for, the write lock.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_T = TypeVar("_T")

# Ending a request's transaction has threads of its own. With one shared pool, requests waiting
# for the write lock could hold every thread while the lock's holder waited for one to commit
# and release it: a deadlock broken only by the lock timeout (issue 17).
_FINISHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)
# Each database's turn to write (`write_session`).
_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _of_this_loop(
    store: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _T], make: Callable[[], _T]
) -> _T:
    """The running loop's own one: a limiter or lock belongs to the loop it was made on, and
    tests run many loops in one process."""
    loop = asyncio.get_running_loop()
    found = store.get(loop)
    if found is None:
        found = store[loop] = make()
    return found


def _finishers() -> CapacityLimiter:
    return _of_this_loop(_FINISHERS, lambda: CapacityLimiter(8))


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


async def get_db(
    request: Request, database: Database = Depends(get_database)
) -> AsyncIterator[Session]:
    """One transaction per request: committed when the view returns, rolled back on any error.

    Views take it as `Depends(get_db, scope="function")`: the commit then comes before the
    answer is sent, so that a client told "stored" was stored, and no slow reader of an answer
    holds the write lock.

    Async on purpose: making a Session does no I/O (the connection is taken at the first
    statement, in the view's thread), so entering needs no thread; only the closing commit,
    rollback and release of the connection run in a thread (of their own: `_FINISHERS`).

    A request that may write has its whole body read first, so that a slow sender never holds
    the write lock, and then waits its turn to write (`write_session`).
    """
    if request.method in READ_METHODS:
        async with _session_finished(database.reader()) as db_session:
            yield db_session
        return
    # "Stream consumed": FastAPI has already read it, as a form.
    with suppress(RuntimeError):
        await request.body()
    async with write_session(database) as db_session:
        yield db_session


@asynccontextmanager
async def write_session(database: Database) -> AsyncIterator[Session]:
    """A transaction that may write, entered once this process's turn to write has come.

    SQLite has one writer at a time. A request waiting for that lock in a worker thread holds
    the thread; when every thread was held so, the lock's holder could not get one to go on
    with, and everything stalled until the lock timeout (the deadlock of issue 17). Writers of
    one process therefore queue here, on the event loop, holding no thread, and only the one
    whose turn it is runs. Bounded like the lock itself: past the timeout, 503. PostgreSQL
    locks rows, not the database, and needs no turn.
    """
    async with _write_turn(database), _session_finished(database.sessionmaker()) as db_session:
        yield db_session


@asynccontextmanager
async def _write_turn(database: Database) -> AsyncIterator[None]:
    if not database.url.startswith("sqlite"):
        yield
        return
    turn = _of_this_loop(_TURNS, dict).setdefault(id(database), asyncio.Lock())
    try:
        # asyncio.timeout, not wait_for: a lock acquired just as the time ran out must not be
        # lost (Lock.acquire gives the lock back when it is cancelled).
        async with asyncio.timeout(database.lock_timeout):
            await turn.acquire()
    except TimeoutError:
        raise DatabaseBusy() from None
    try:
        yield
    finally:
        turn.release()


async def get_read_db(database: Database = Depends(get_database)) -> AsyncIterator[Session]:
    """A read-only transaction of its own, whatever the method: for checking a caller's
    credentials before the request's slow work (hashing a file) and before its write lock."""
    async with _session_finished(database.reader()) as db_session:
        yield db_session


@asynccontextmanager
async def _session_finished(db_session: Session) -> AsyncIterator[Session]:
    try:
        yield db_session
    except BaseException:
        await to_thread.run_sync(_finish, db_session, False, limiter=_finishers())
        raise
    await to_thread.run_sync(_finish, db_session, True, limiter=_finishers())


def _finish(db_session: Session, commit: bool) -> None:
    try:
        if commit:
            db_session.commit()
        else:
            db_session.rollback()
    finally:
        db_session.close()


async def raw_body(request: Request) -> bytes:
    """The whole body, read on the event loop, for views that run in a thread."""
    return await request.body()


async def form_data(request: Request) -> FormData:
    """The form, read on the event loop, for views that run in a thread (so that the database
    is never used on the event loop: a wait for SQLite's lock there froze every request)."""
    return await request.form()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, scope: str, *, cost: int = 1) -> None:
    """Count this request against the caller's address for a public scope (ratelimit.py)."""
    request.app.state.rate_limiter.check(scope, client_address(request), cost=cost)


def rate_limit_person(request: Request, scope: str) -> None:
    """Count a report or a case against the person (address and form token) and the address
    (ratelimit.check_person)."""
    token = request.cookies.get(PRE_SESSION_CSRF_COOKIE, "")[:64]
    request.app.state.rate_limiter.check_person(scope, client_address(request), token)


def charge_pixels(request: Request, data: bytes) -> None:
    """Charge an image's decoding cost (its megapixels, read from its header) to the sender's
    budget before it is decoded."""
    megapixels = -(-pixel_count(data) // 1_000_000)
    rate_limit(request, "pixels", cost=megapixels)


def refuse_if_failing(request: Request) -> None:
    request.app.state.rate_limiter.refuse_if_failing(client_address(request))


def count_failure(request: Request) -> None:
    request.app.state.rate_limiter.count_failure(client_address(request))


def basic_login(request: Request, authenticate: Callable[[str, str], _T | None]) -> _T | None:
    """Who the request's HTTP Basic login belongs to, as `authenticate(username, password)`
    finds it; None when there is no readable login or it is wrong. Refused up front while the
    address is over its failed-login limit, and a wrong login counts toward that limit (/ispws
    and /hashsharing alike)."""
    refuse_if_failing(request)
    login = _basic_credentials(request)
    if login is None:
        return None
    found = authenticate(*login)
    if found is None:
        count_failure(request)
    return found


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, _, password = decoded.partition(":")
    return username, password
