"""What every command shares: the app, output, one-line errors and a database session."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from tipline.config import Settings, get_settings
from tipline.errors import BadInput

app = typer.Typer(
    help="tipline: report, review and refer, take it down, red flags, the numbers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
CLI_ACTOR = "cli"

JsonOpt = typer.Option(False, "--json", help="Machine-readable output.")


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, ensure_ascii=False) + "\n")


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[tuple[Settings, Session]]:
    from tipline.audit import service as audit
    from tipline.db import database_for

    settings = settings or get_settings()
    database = database_for(settings)
    try:
        with database.session() as db_session:
            yield settings, db_session
        # A command is its own short process: chain its events before it ends.
        audit.drain(database)
    finally:
        database.dispose()


def read_text(path: Path | None, default: Callable[[], str]) -> str:
    if path is None:
        return default()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None


def open_text(path: Path, mode: str = "r") -> Any:
    try:
        return path.open(mode, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: {exc.strerror}", code="no_such_file") from None


def fail(message: str, code: int) -> None:
    """One line on stderr, never wrapped (Rich would wrap to the terminal's width)."""
    sys.stderr.write("error: " + " ".join(message.split()) + "\n")
    sys.exit(code)
