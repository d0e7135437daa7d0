"""Staff and agency accounts, and the organisations that file and take the list."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from tipline.cli.common import (
    CLI_ACTOR,
    JsonOpt,
    cli_session,
    emit_json,
    out,
)

users_app = typer.Typer(help="Staff and agency accounts.", no_args_is_help=True)
orgs_app = typer.Typer(help="Online services, platforms and agencies.", no_args_is_help=True)


@users_app.command("add")
def users_add(  # noqa: PLR0917 - a typer command's options are its parameters
    email: str,
    role: str = typer.Option(..., help="admin, supervisor, analyst, agency, advocate or peer"),
    agency: str | None = typer.Option(None, help="The agency (id or name) of an agency user."),
    name: str = typer.Option("", help="The name colleagues see (else the email)."),
    time_zone: str = typer.Option("UTC", help="IANA zone for the person's pages."),
    as_json: bool = JsonOpt,
) -> None:
    """Add a staff account; prints its one-time password once."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        user, password = auth.create_user(
            db_session,
            email=email,
            role=role,
            organisation_id=agency,
            actor=CLI_ACTOR,
            display_name=name,
            time_zone=time_zone,
        )
        result = {"id": user.id, "email": user.email, "role": user.role, "password": password}
    if as_json:
        emit_json(result)
    else:
        out.print(f"{result['email']} ({result['role']}): one-time password {password}")


@users_app.command("profile")
def users_profile(
    user: str,
    name: str | None = typer.Option(None, help="The name colleagues see."),
    time_zone: str | None = typer.Option(None, help="IANA zone, e.g. America/Chicago."),
) -> None:
    """Set a person's display name or time zone (each person can also do it on /console/account)."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        found = auth.get_user(db_session, ref=user)
        auth.set_profile(
            db_session,
            user=found,
            display_name=found.display_name if name is None else name,
            time_zone=found.time_zone if time_zone is None else time_zone,
            actor=CLI_ACTOR,
        )
        shown = f"{found.email}: {found.display_name or '(no name)'}, {found.time_zone}"
    out.print(shown)


@users_app.command("list")
def users_list(as_json: bool = JsonOpt) -> None:
    """List staff accounts."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        rows = [
            {
                "id": u.id,
                "email": u.email,
                "name": u.display_name,
                "time_zone": u.time_zone,
                "role": u.role,
                "totp": u.totp_enabled,
                "locked": bool(u.locked_until),
                "organisation_id": u.organisation_id,
            }
            for u in auth.list_users(db_session)
        ]
    if as_json:
        emit_json(rows)
        return
    table = Table("email", "name", "role", "time zone", "totp", "locked")
    for r in rows:
        totp, locked = "on" if r["totp"] else "-", "yes" if r["locked"] else ""
        table.add_row(
            str(r["email"]), str(r["name"]), str(r["role"]), str(r["time_zone"]), totp, locked
        )
    out.print(table)


@users_app.command("reset-password")
def users_reset_password(user: str) -> None:
    """Give a user a new one-time password and clear a lockout."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        password = auth.reset_password(
            db_session, user=auth.get_user(db_session, ref=user), actor=CLI_ACTOR
        )
    out.print(f"one-time password: {password}")


@users_app.command("reset-totp")
def users_reset_totp(user: str) -> None:
    """Clear a user's two-step sign-in; they set it up again at the next sign-in."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        auth.reset_totp(db_session, user=auth.get_user(db_session, ref=user), actor=CLI_ACTOR)
    out.print("two-step sign-in cleared")


# What `orgs add` shows once and never again.
_SECRET_FIELDS = (
    "api_key",
    "ispws_username",
    "ispws_password",
    "hashsharing_username",
    "hashsharing_password",
)


@orgs_app.command("add")
def orgs_add(
    name: str,
    kind: str = typer.Option(..., help="esp, platform or agency"),
    country: str | None = typer.Option(None, help="ISO 3166-1 alpha-2 (agencies)."),
    region: str | None = typer.Option(None, help="ISO 3166-2 subdivision (agencies)."),
    as_json: bool = JsonOpt,
) -> None:
    """Add an organisation; prints its API key and its HTTP Basic login once (an ESP's is for
    /ispws, a platform's for NCMEC's Hash Sharing API at /hashsharing)."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        creds = auth.create_organisation(
            db_session, name=name, kind=kind, actor=CLI_ACTOR, country=country, region=region
        )
        result: dict[str, Any] = {
            "id": creds.organisation.id,
            "name": creds.organisation.name,
            "kind": creds.organisation.kind,
        }
        if creds.api_key:
            result["api_key"] = creds.api_key
        if creds.ispws_username:
            result["ispws_username"] = creds.ispws_username
            result["ispws_password"] = creds.ispws_password
        if creds.hashsharing_username:
            result["hashsharing_username"] = creds.hashsharing_username
            result["hashsharing_password"] = creds.hashsharing_password
    if as_json:
        emit_json(result)
        return
    out.print(f"{result['name']} ({result['kind']}) id {result['id']}")
    for key in _SECRET_FIELDS:
        if key in result:
            out.print(f"  {key}: {result[key]}")
    if "api_key" in result:
        out.print("  Store these now: they are not shown again.")


@orgs_app.command("new-login")
def orgs_new_login(organisation: str, as_json: bool = JsonOpt) -> None:
    """Give an ESP or a platform a new HTTP Basic password (a first login for a platform added
    before platforms had one); the old password stops working. Prints it once."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        org = auth.get_organisation(db_session, ref=organisation)
        username, password = auth.issue_basic_login(db_session, organisation=org, actor=CLI_ACTOR)
        api = "ispws" if org.kind == "esp" else "hashsharing"
        result = {f"{api}_username": username, f"{api}_password": password}
    if as_json:
        emit_json(result)
        return
    for key, value in result.items():
        out.print(f"{key}: {value}")
    out.print("Store these now: they are not shown again.")


@orgs_app.command("list")
def orgs_list(
    kind: str | None = typer.Option(None, help="Only this kind."), as_json: bool = JsonOpt
) -> None:
    """List organisations."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        rows = [
            {
                "id": o.id,
                "name": o.name,
                "kind": o.kind,
                "live_keys": sum(1 for k in o.api_keys if k.revoked_at is None),
            }
            for o in auth.list_organisations(db_session, kind=kind)
        ]
    if as_json:
        emit_json(rows)
        return
    table = Table("id", "name", "kind", "live keys")
    for r in rows:
        table.add_row(str(r["id"]), str(r["name"]), str(r["kind"]), str(r["live_keys"]))
    out.print(table)


@orgs_app.command("new-key")
def orgs_new_key(organisation: str, as_json: bool = JsonOpt) -> None:
    """Issue another API key for an organisation (for rotation); prints it once."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        org = auth.get_organisation(db_session, ref=organisation)
        key, secret = auth.issue_api_key(db_session, organisation=org, actor=CLI_ACTOR)
        result = {"key_id": key.id, "api_key": secret}
    if as_json:
        emit_json(result)
    else:
        out.print(f"api_key: {secret}  (id {result['key_id']})")


@orgs_app.command("revoke-key")
def orgs_revoke_key(key: str) -> None:
    """Revoke an API key, by its id, its prefix, or the key itself."""
    from tipline.auth import service as auth

    with cli_session() as (_, db_session):
        row = auth.revoke_api_key(db_session, key_ref=key, actor=CLI_ACTOR)
        out.print(f"revoked key {row.prefix}")
