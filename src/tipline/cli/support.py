"""The support desk: the services directory and the peers' profiles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from tipline.cli.common import CLI_ACTOR, JsonOpt, cli_session, emit_json, out, read_text
from tipline.errors import BadInput

support_app = typer.Typer(help="The support desk: services directory, peers.", no_args_is_help=True)


@support_app.command("load-services")
def support_load_services(
    file: Path | None = typer.Argument(
        None, help="JSON list of services; default: the national lines (national_services.json)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Add or update services (by id): national lines, or local ones by state."""
    from tipline.support import directory

    text = read_text(file, directory.national)
    with cli_session() as (_, db_session):
        count = directory.load(db_session, text=text, actor=CLI_ACTOR)
    emit_json({"services": count}) if as_json else out.print(f"{count} services in the directory")


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None


@support_app.command("peer")
def support_peer(  # noqa: PLR0917 - a typer command's options are its parameters
    user: str = typer.Argument(..., help="The peer's account (email or id; role peer)."),
    first_name: str = typer.Option(..., help="The only name families see."),
    languages: str = typer.Option("en", help="Comma-separated: en, es, other."),
    region: str = typer.Option("US", help="A US state (US-TX), US or other."),
    experiences: str = typer.Option(
        ...,
        help="Comma-separated: financial_sextortion, content_sextortion, deepfake, "
        "parent_of_victim, survivor, bereaved_parent.",
    ),
    vetted_until: str = typer.Option(..., help="The day the peer's vetting ends (YYYY-MM-DD)."),
    trained_on: str | None = typer.Option(None, help="The day training was completed."),
    as_json: bool = JsonOpt,
) -> None:
    """Set a peer's profile: no match is offered to a peer without one, or past its vetting."""
    from tipline.auth import service as auth
    from tipline.support import peers

    until = _day(vetted_until, "--vetted-until")
    assert until is not None  # noqa: S101 - the option is required
    with cli_session() as (_, db_session):
        profile = peers.save_profile(
            db_session,
            user=auth.get_user(db_session, ref=user),
            first_name=first_name,
            languages=[x.strip() for x in languages.split(",") if x.strip()],
            region=region,
            experiences=[x.strip() for x in experiences.split(",") if x.strip()],
            vetted_until=until,
            trained_on=_day(trained_on, "--trained-on"),
            actor=CLI_ACTOR,
        )
        result = {
            "user": profile.user_id,
            "first_name": profile.first_name,
            "vetted_until": profile.vetted_until.isoformat(),
        }
    if as_json:
        emit_json(result)
    else:
        out.print(f"{result['first_name']}: vetted until {result['vetted_until']}")
