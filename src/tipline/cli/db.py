"""The database's migrations and the audit log's check."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.progress import Progress

from tipline.cli.common import (
    JsonOpt,
    cli_session,
    emit_json,
    err,
    out,
)
from tipline.config import get_settings

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    from tipline.db import current_revision, upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url)
    out.print(f"database at revision {current_revision(settings.resolved_database_url)}")


@audit_app.command("verify")
def audit_verify(as_json: bool = JsonOpt) -> None:
    """Recompute the audit log's hash chain and name the first broken link."""
    from tipline.audit import service as audit

    with cli_session():
        pass  # leaving a session chains what is pending, as the appender would
    with cli_session() as (_, db_session):
        total = audit.count_events(db_session)
        with Progress(console=err, transient=True, disable=as_json or total < 10_000) as progress:
            task = progress.add_task("verifying", total=total)
            result = audit.verify(db_session, progress=lambda n: progress.advance(task, n))
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "events": result.events,
                "breaks": [{"seq": b.seq, "reason": b.reason} for b in result.breaks],
                # Signed checkpoints outside the database (audit/seal.py): each still in the
                # chain, and the chain not behind the latest.
                "anchors": {
                    "checked": result.anchors,
                    "latest": result.latest_anchor,
                    "keyed_from": result.keyed_from,
                },
            }
        )
    elif result.ok:
        out.print(f"audit log intact: {result.events} events")
        out.print(_anchor_line(result))
    else:
        first = result.breaks[0]
        sys.stderr.write(
            f"audit log broken at event {first.seq}: {first.reason}"
            f" ({len(result.breaks)} problem(s) in all)\n"
        )
    if not result.ok:
        raise typer.Exit(1)


def _anchor_line(result: Any) -> str:
    """The anchor check, for `audit verify`'s second line."""
    if not result.anchors:
        return "anchors: none yet"
    keyed = "no start line"
    if result.keyed_from is not None:
        keyed = f"keyed hashes from event {result.keyed_from}"
    return f"anchors: {result.anchors} checked, latest at event {result.latest_anchor}; {keyed}"
