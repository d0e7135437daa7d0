"""Setting up and running: init, serve, worker, demo."""

from __future__ import annotations

import os

import typer
from rich.table import Table

from tipline.cli.common import (
    CLI_ACTOR,
    JsonOpt,
    cli_session,
    emit_json,
    out,
)
from tipline.config import Settings, get_settings


def initialise(settings: Settings) -> tuple[bool, str | None]:
    """Create home, key, database and first admin. Returns (created anything, admin password)."""
    from tipline.auth import service as auth
    from tipline.config import write_master_key
    from tipline.db import upgrade
    from tipline.support import directory as support_directory

    settings.home.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.home, 0o700)
    created = write_master_key(settings.master_key_path)
    _ = settings.master_key  # refuse an exposed or damaged key before going on
    upgrade(settings.resolved_database_url)
    password = None
    with cli_session(settings) as (_, db_session):
        support_directory.ensure_national(db_session, actor=CLI_ACTOR)
        if not auth.list_users(db_session):
            _, password = auth.create_user(
                db_session, email="admin@tipline.local", role="admin", actor=CLI_ACTOR
            )
            created = True
    return created, password


def init(as_json: bool = JsonOpt) -> None:
    """Create the home, keys and database (idempotent); print the first admin's password once."""
    settings = get_settings()
    _, password = initialise(settings)
    if as_json:
        emit_json(
            {
                "home": str(settings.home),
                "admin_email": "admin@tipline.local" if password else None,
                "admin_password": password,
            }
        )
        return
    out.print(f"tipline home: {settings.home}")
    if password:
        out.print("First admin: admin@tipline.local")
        out.print(f"One-time password (shown once): [bold]{password}[/bold]")
    else:
        out.print("Already initialised; nothing to do.")


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    from tipline import server

    _ = settings.master_key  # refuse an exposed key here, as a one-line error, not in a child
    consumer = None
    if not settings.redis_url:
        # Embedded: run the job queue in this process, so nothing else needs starting.
        from tipline import worker as jobs

        consumer = jobs.consumer(workers=1)
        consumer.start()
    try:
        if workers > 1:
            server.run_many(settings, host, port, workers)
        else:
            server.run_one(settings, host, port)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="Server processes sharing the port."),
) -> None:
    """Serve the web pages, /api/v1 and /ispws (with an in-process worker when embedded)."""
    _serve(get_settings(), host, port, workers)


def worker(workers: int = typer.Option(2, help="Worker threads.")) -> None:
    """Run background jobs only (for scale-out)."""
    from tipline import worker as jobs
    from tipline.audit.appender import Appender
    from tipline.db import database_for

    appender = Appender(database_for(get_settings()))
    appender.start()
    try:
        jobs.consumer(workers).run()
    finally:
        appender.stop()


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Load the demo data and stop."),
) -> None:
    """Initialise, load synthetic demo data, and serve; prints the URL and demo logins."""
    from tipline import demo as demo_data

    settings = get_settings()
    initialise(settings)
    with cli_session(settings) as (_, db_session):
        logins = demo_data.load(db_session, settings=settings)
    out.print(f"\ntipline demo at [bold]http://{host}:{port}/[/bold]  (staff: /console)")
    # The email and password never fold (they are copied from here); the agency's name may.
    table = Table("role", "works for")
    table.add_column("email", no_wrap=True)
    table.add_column("password", no_wrap=True)
    for login in logins:
        table.add_row(login.role, login.agency or "the hotline", login.email, login.password)
    out.print(table)
    for login in logins:
        if login.agency:
            # An agency login sees its own agency's referrals only; said once more in full, as
            # a narrow terminal folds the table's last column.
            out.print(f"{login.email} works for {login.agency}", markup=False, soft_wrap=True)
    out.print("Each login sets up two-step sign-in (TOTP) the first time.\n")
    if not no_serve:
        _serve(settings, host, port)
