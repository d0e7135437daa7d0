"""The `tipline` command line (DESIGN.md, "Public contracts"), one module per topic.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input; errors are one line, never a traceback.

The topic modules import the domains inside each command, not at the top: `tipline --help` and
the light commands then start without loading the web app, the detector and the image
libraries. Measured on the 2-core CI machine: `tipline --help` takes 0.5 s so; with every domain
the commands use imported at the top, 3.0 s.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError, ProgrammingError

from tipline.cli import (
    accounts,
    db,
    detect,
    notices,
    referral,
    reports,
    server,
    stats,
    support,
    takedown,
)
from tipline.cli.common import app, fail
from tipline.cli.server import initialise
from tipline.errors import TiplineError

# The order here is the order of `tipline --help`: commands, then groups.
app.command()(server.init)
app.command()(server.serve)
app.command()(server.worker)
app.command()(server.demo)
app.command("hash")(takedown.hash_files)
app.command("stats")(stats.stats_command)
app.command("scan")(detect.scan_conversations)
app.command("detect-stream")(detect.detect_stream)
app.add_typer(db.db_app, name="db")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.orgs_app, name="orgs")
app.add_typer(reports.reports_app, name="reports")
app.add_typer(db.audit_app, name="audit")
app.add_typer(referral.referral_app, name="referral")
app.add_typer(notices.notices_app, name="notices")
app.add_typer(support.support_app, name="support")
app.add_typer(takedown.platform_app, name="platform")

__all__ = ["app", "initialise", "main"]


def main() -> None:
    try:
        app(standalone_mode=True)
    except TiplineError as exc:
        fail(exc.message, exc.exit_code)
    except (OperationalError, ProgrammingError) as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        fail(f"database not ready ({message}); run `tipline init` or `tipline db upgrade`", 1)
