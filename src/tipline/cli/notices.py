"""Notices to companies: the platform directory."""

from __future__ import annotations

from pathlib import Path

import typer

from tipline.cli.common import (
    CLI_ACTOR,
    JsonOpt,
    cli_session,
    emit_json,
    out,
    read_text,
)

notices_app = typer.Typer(
    help="Notices to companies: the platform directory.", no_args_is_help=True
)


@notices_app.command("load-directory")
def notices_load_directory(
    file: Path | None = typer.Argument(
        None, help="JSON list of platforms; default: the shipped directory (platforms.json)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Add or update platforms in the directory (by name): domains, report form, email, law."""
    from tipline.notices import directory

    text = read_text(file, directory.platforms)
    with cli_session() as (_, db_session):
        count = directory.load(db_session, text=text, actor=CLI_ACTOR)
    emit_json({"platforms": count}) if as_json else out.print(f"{count} platforms in the directory")
