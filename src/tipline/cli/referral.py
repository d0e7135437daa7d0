"""Routing to agencies, referrals and retention."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tipline.cli.common import (
    CLI_ACTOR,
    JsonOpt,
    cli_session,
    emit_json,
    out,
    read_text,
)

referral_app = typer.Typer(help="Routing to agencies, referrals, retention.", no_args_is_help=True)


@referral_app.command("load-agencies")
def referral_load_agencies(
    file: Path | None = typer.Argument(None, help="CSV name,country,region; default: the sample."),
    as_json: bool = JsonOpt,
) -> None:
    """Load agencies and the places each covers into the routing table."""
    from tipline.referral import routing

    text = read_text(file, routing.sample_agencies)
    with cli_session() as (_, db_session):
        count = routing.load_agencies(db_session, text=text, actor=CLI_ACTOR)
    emit_json({"rules": count}) if as_json else out.print(f"{count} routing rules set")


@referral_app.command("load-geo")
def referral_load_geo(
    file: Path | None = typer.Argument(None, help="CSV start,end,country,region; default: sample."),
    as_json: bool = JsonOpt,
) -> None:
    """Replace the offline IP geolocation table used by routing."""
    from tipline.referral import routing

    text = read_text(file, routing.sample_geo)
    with cli_session() as (_, db_session):
        count = routing.load_geo(db_session, text=text, actor=CLI_ACTOR)
    emit_json({"ranges": count}) if as_json else out.print(f"{count} address ranges loaded")


@referral_app.command("route")
def referral_route(report: str, as_json: bool = JsonOpt) -> None:
    """The agencies routing suggests for a report (and the rest of its incident), and why."""
    from tipline.referral import routing
    from tipline.referral import service as referral
    from tipline.reports import service as reports

    with cli_session() as (_, db_session):
        found = reports.get_report(db_session, ref=report)
        group = referral.referral_group(db_session, report=found)
        candidates = [c.as_dict() for c in routing.route(db_session, reports=group)]
    if as_json:
        emit_json(candidates)
        return
    table = Table("agency", "confidence", "why")
    for c in candidates:
        table.add_row(str(c["agency"]), f"{c['confidence']:.0%}", "; ".join(c["reasons"]))
    out.print(table)


@referral_app.command("refer")
def referral_refer(
    report: str,
    agency: str = typer.Option(..., help="Agency id or name."),
    reason: str = typer.Option("", help="Why, when not routing's first suggestion."),
    as_json: bool = JsonOpt,
) -> None:
    """Refer a report (and the rest of its incident) to an agency."""
    from tipline.referral import service as referral

    with cli_session() as (_, db_session):
        made = referral.refer(
            db_session,
            report_ref=report,
            agency_ref=agency,
            actor=CLI_ACTOR,
            override_reason=reason,
        )
        result = {"referral": made.number, "agency": made.agency_id, "reports": len(made.links)}
    emit_json(result) if as_json else out.print(f"referred as {result['referral']}")


@referral_app.command("purge")
def referral_purge(as_json: bool = JsonOpt) -> None:
    """Destroy evidence whose retention has ended or whose agency asked for destruction."""
    from tipline.referral import retention

    with cli_session() as (settings, db_session):
        count = retention.purge(db_session, settings=settings)
    emit_json({"destroyed": count}) if as_json else out.print(f"{count} files destroyed")
