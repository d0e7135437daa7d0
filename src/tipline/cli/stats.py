"""The public numbers."""

from __future__ import annotations

import typer
from rich.progress import Progress

from tipline.cli.common import (
    JsonOpt,
    cli_session,
    emit_json,
    err,
    fail,
    out,
)
from tipline.errors import TiplineError


def stats_command(
    year: int | None = typer.Option(None, min=2000, max=2100, help="One calendar year."),
    rebuild: bool = typer.Option(False, help="Count everything again from the stored rows."),
    as_json: bool = JsonOpt,
) -> None:
    """The public numbers (small counts withheld), after reading the latest events."""
    from tipline.stats import rollup
    from tipline.stats import service as stats

    with cli_session():
        pass  # chain what is pending, so the numbers include it
    with cli_session() as (settings, db_session):
        if rebuild:
            with Progress(console=err, transient=True, disable=as_json) as progress:
                task = progress.add_task("counting", total=None)
                rollup.rebuild(db_session, progress=lambda n: progress.advance(task, n))
        else:
            stats.refresh(db_session)
        try:
            figures = stats.published(db_session, threshold=settings.stats_threshold, year=year)
        except TiplineError as exc:
            fail(str(exc), 2)
    if as_json:
        emit_json(figures)
        return
    withheld = f"<{figures['threshold']}"
    out.print(
        f"[bold]By the numbers[/bold] ({figures['year'] or 'all time'}, as of {figures['as_of']})"
    )
    out.print("Reports are not prevalence: most sextortion is never reported.")
    for name, total in figures["totals"].items():
        out.print(f"  {name}: {withheld if total['suppressed'] else total['count']}")
    for name, rows in figures["breakdowns"].items():
        if rows:
            shown = ", ".join(
                f"{r['key']} {withheld if r['suppressed'] else r['count']}" for r in rows
            )
            out.print(f"  {name}: {shown}")
