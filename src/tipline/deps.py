"""FastAPI dependencies shared by every domain's views: settings, database session, callers."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tipline.config import Settings
from tipline.db import Database


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def get_db(database: Database = Depends(get_database)) -> Iterator[Session]:
    """One transaction per request: committed when the view returns, rolled back on any error."""
    with database.session() as db_session:
        yield db_session


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
