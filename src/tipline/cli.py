"""The `tipline` command line (DESIGN.md, "Public contracts").

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input; errors are one line, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from tipline.config import Settings, get_settings
from tipline.errors import BadInput, TiplineError

app = typer.Typer(
    help="tipline: report, review and refer, take it down, red flags, the numbers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Staff and agency accounts.", no_args_is_help=True)
orgs_app = typer.Typer(help="Online services, platforms and agencies.", no_args_is_help=True)
reports_app = typer.Typer(help="Read reports.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(reports_app, name="reports")
app.add_typer(audit_app, name="audit")
referral_app = typer.Typer(help="Routing to agencies, referrals, retention.", no_args_is_help=True)
app.add_typer(referral_app, name="referral")
notices_app = typer.Typer(
    help="Notices to companies: the platform directory.", no_args_is_help=True
)
app.add_typer(notices_app, name="notices")
platform_app = typer.Typer(
    help="A platform's side of take-down: sync the hash list, scan files.", no_args_is_help=True
)
app.add_typer(platform_app, name="platform")

out = Console()
err = Console(stderr=True)
CLI_ACTOR = "cli"

JsonOpt = typer.Option(False, "--json", help="Machine-readable output.")


def _emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, ensure_ascii=False) + "\n")


@contextmanager
def _session(settings: Settings | None = None) -> Iterator[tuple[Settings, Session]]:
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


# init, db, serve, worker, demo ---------------------------------------------------------------


def initialise(settings: Settings) -> tuple[bool, str | None]:
    """Create home, key, database and first admin. Returns (created anything, admin password)."""
    from tipline.auth import service as auth
    from tipline.config import write_master_key
    from tipline.db import upgrade

    settings.home.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.home, 0o700)
    created = write_master_key(settings.master_key_path)
    _ = settings.master_key  # refuse an exposed or damaged key before going on
    upgrade(settings.resolved_database_url)
    password = None
    with _session(settings) as (_, db_session):
        if not auth.list_users(db_session):
            _, password = auth.create_user(
                db_session, email="admin@tipline.local", role="admin", actor=CLI_ACTOR
            )
            created = True
    return created, password


@app.command()
def init(as_json: bool = JsonOpt) -> None:
    """Create the home, keys and database (idempotent); print the first admin's password once."""
    settings = get_settings()
    _, password = initialise(settings)
    if as_json:
        _emit_json(
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


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    from tipline.db import current_revision, upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url)
    out.print(f"database at revision {current_revision(settings.resolved_database_url)}")


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


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="Server processes sharing the port."),
) -> None:
    """Serve the web pages, /api/v1 and /ispws (with an in-process worker when embedded)."""
    _serve(get_settings(), host, port, workers)


@app.command()
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


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Load the demo data and stop."),
) -> None:
    """Initialise, load synthetic demo data, and serve; prints the URL and demo logins."""
    from tipline import demo as demo_data

    settings = get_settings()
    initialise(settings)
    with _session(settings) as (_, db_session):
        logins = demo_data.load(db_session, settings=settings)
    out.print(f"\ntipline demo at [bold]http://{host}:{port}/[/bold]  (staff: /console)")
    table = Table("role", "email", "password")
    for login in logins:
        table.add_row(login.role, login.email, login.password)
    out.print(table)
    out.print("Each login sets up two-step sign-in (TOTP) the first time.\n")
    if not no_serve:
        _serve(settings, host, port)


# users ----------------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    email: str,
    role: str = typer.Option(..., help="admin, supervisor, analyst or agency"),
    agency: str | None = typer.Option(None, help="The agency (id or name) of an agency user."),
    as_json: bool = JsonOpt,
) -> None:
    """Add a staff account; prints its one-time password once."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
        user, password = auth.create_user(
            db_session, email=email, role=role, organisation_id=agency, actor=CLI_ACTOR
        )
        result = {"id": user.id, "email": user.email, "role": user.role, "password": password}
    if as_json:
        _emit_json(result)
    else:
        out.print(f"{result['email']} ({result['role']}): one-time password {password}")


@users_app.command("list")
def users_list(as_json: bool = JsonOpt) -> None:
    """List staff accounts."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
        rows = [
            {
                "id": u.id,
                "email": u.email,
                "role": u.role,
                "totp": u.totp_enabled,
                "locked": bool(u.locked_until),
                "organisation_id": u.organisation_id,
            }
            for u in auth.list_users(db_session)
        ]
    if as_json:
        _emit_json(rows)
        return
    table = Table("email", "role", "totp", "locked")
    for r in rows:
        totp, locked = "on" if r["totp"] else "-", "yes" if r["locked"] else ""
        table.add_row(str(r["email"]), str(r["role"]), totp, locked)
    out.print(table)


@users_app.command("reset-password")
def users_reset_password(user: str) -> None:
    """Give a user a new one-time password and clear a lockout."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
        password = auth.reset_password(
            db_session, user=auth.get_user(db_session, ref=user), actor=CLI_ACTOR
        )
    out.print(f"one-time password: {password}")


@users_app.command("reset-totp")
def users_reset_totp(user: str) -> None:
    """Clear a user's two-step sign-in; they set it up again at the next sign-in."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
        auth.reset_totp(db_session, user=auth.get_user(db_session, ref=user), actor=CLI_ACTOR)
    out.print("two-step sign-in cleared")


# orgs -----------------------------------------------------------------------------------------


@orgs_app.command("add")
def orgs_add(
    name: str,
    kind: str = typer.Option(..., help="esp, platform or agency"),
    country: str | None = typer.Option(None, help="ISO 3166-1 alpha-2 (agencies)."),
    region: str | None = typer.Option(None, help="ISO 3166-2 subdivision (agencies)."),
    as_json: bool = JsonOpt,
) -> None:
    """Add an organisation; prints its API key (and an ESP's /ispws login) once."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
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
    if as_json:
        _emit_json(result)
        return
    out.print(f"{result['name']} ({result['kind']}) id {result['id']}")
    for key in ("api_key", "ispws_username", "ispws_password"):
        if key in result:
            out.print(f"  {key}: {result[key]}")
    if "api_key" in result:
        out.print("  Store these now: they are not shown again.")


@orgs_app.command("list")
def orgs_list(
    kind: str | None = typer.Option(None, help="Only this kind."), as_json: bool = JsonOpt
) -> None:
    """List organisations."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
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
        _emit_json(rows)
        return
    table = Table("id", "name", "kind", "live keys")
    for r in rows:
        table.add_row(str(r["id"]), str(r["name"]), str(r["kind"]), str(r["live_keys"]))
    out.print(table)


@orgs_app.command("new-key")
def orgs_new_key(organisation: str, as_json: bool = JsonOpt) -> None:
    """Issue another API key for an organisation (for rotation); prints it once."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
        org = auth.get_organisation(db_session, ref=organisation)
        key, secret = auth.issue_api_key(db_session, organisation=org, actor=CLI_ACTOR)
        result = {"key_id": key.id, "api_key": secret}
    if as_json:
        _emit_json(result)
    else:
        out.print(f"api_key: {secret}  (id {result['key_id']})")


@orgs_app.command("revoke-key")
def orgs_revoke_key(key: str) -> None:
    """Revoke an API key, by its id, its prefix, or the key itself."""
    from tipline.auth import service as auth

    with _session() as (_, db_session):
        row = auth.revoke_api_key(db_session, key_ref=key, actor=CLI_ACTOR)
        out.print(f"revoked key {row.prefix}")


# reports --------------------------------------------------------------------------------------


@reports_app.command("list")
def reports_list(
    status: str | None = typer.Option(None, help="received, triaged, referred or closed"),
    source: str | None = typer.Option(None, help="public, esp or detector"),
    search: str | None = typer.Option(None, help="Case number, account or payment handle."),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = JsonOpt,
) -> None:
    """List reports, newest first."""
    from tipline.reports import service as reports
    from tipline.reports.schemas import ReportSummary

    with _session() as (_, db_session):
        rows = [
            ReportSummary.model_validate(r).model_dump(mode="json")
            for r in reports.list_reports(
                db_session, status=status, source=source, search=search, limit=limit
            )
        ]
    if as_json:
        _emit_json(rows)
        return
    table = Table("case", "source", "type", "status", "flags", "received")
    for r in rows:
        flags = ",".join(k for k in ("sextortion", "financial", "self_harm_risk") if r[k])
        table.add_row(
            r["case_number"],
            r["source"],
            r["incident_type"],
            r["status"],
            flags,
            r["received_at"][:16],
        )
    out.print(table)


@reports_app.command("show")
def reports_show(report: str, as_json: bool = JsonOpt) -> None:
    """Show one report (by id or case number)."""
    from tipline.evidence import service as evidence
    from tipline.reports import service as reports
    from tipline.reports.schemas import FileOut, ReportOut

    with _session() as (_, db_session):
        row = reports.get_report(db_session, ref=report)
        shown = ReportOut.model_validate(row)
        shown.files = [
            FileOut.model_validate(f)
            for f in evidence.files_for_report(db_session, report_id=row.id)
        ]
        data = shown.model_dump(mode="json")
    if as_json:
        _emit_json(data)
        return
    out.print(f"[bold]{data['case_number']}[/bold]  {data['status']}  ({data['source']})")
    for key in (
        "incident_type",
        "reporter_role",
        "received_at",
        "sextortion",
        "financial",
        "self_harm_risk",
        "demands",
    ):
        out.print(f"  {key}: {data[key]}")
    out.print(f"  description: {data['description']}", markup=False)
    for acc in data["accounts"]:
        out.print(f"  account ({acc['role']}): {acc['platform']} {acc['handle']}", markup=False)
    for pay in data["payments"]:
        out.print(f"  payment: {pay['method']} {pay['handle']} {pay['amount']}", markup=False)
    for f in data["files"]:
        out.print(f"  file: {f['filename']} {f['media_type']} sha256 {f['sha256']}", markup=False)


@reports_app.command("export")
def reports_export(
    report: str,
    fmt: str = typer.Option("cybertipline-xml", "--format", help="cybertipline-xml"),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write."),
) -> None:
    """Write a report as a CyberTipline <report> document (validates against /ispws/xsd)."""
    from tipline.errors import BadInput
    from tipline.ispws.codes import IspwsError
    from tipline.ispws.export import export_xml
    from tipline.reports import service as reports

    if fmt != "cybertipline-xml":
        raise BadInput(f"unknown format {fmt!r}: use cybertipline-xml")
    with _session() as (_, db_session):
        row = reports.get_report(db_session, ref=report)
        try:
            document = export_xml(row)
        except IspwsError as exc:
            raise BadInput(
                f"this report cannot be written as CyberTipline XML: {exc.detail}"
            ) from None
    if output is None:
        sys.stdout.buffer.write(document)
    else:
        output.write_bytes(document)
        out.print(f"wrote {output}")


@reports_app.command("forward")
def reports_forward(report: str, as_json: bool = JsonOpt) -> None:
    """File a report upstream (TIPLINE_UPSTREAM_URL), now, in this process."""
    from tipline.db import database_for
    from tipline.ispws import forwarding
    from tipline.ispws.client import UpstreamError, UpstreamUnavailable

    settings = get_settings()
    with _session(settings) as (_, db_session):
        queued = forwarding.queue(db_session, report_ref=report, actor=CLI_ACTOR)
        forwarding_id = queued.id
    client = forwarding.client_for(settings)
    database = database_for(settings)
    try:
        row = forwarding.forward(
            database, settings=settings, forwarding_id=forwarding_id, client=client
        )
    except (UpstreamError, UpstreamUnavailable) as exc:
        fail(f"forwarding failed (it can be retried): {exc}", 1)
        return
    finally:
        client.close()
        database.dispose()
    result = {"state": row.state, "upstream_report_id": row.upstream_report_id}
    if as_json:
        _emit_json(result)
    else:
        out.print(f"filed upstream as report {row.upstream_report_id}")


# hash -----------------------------------------------------------------------------------------


@app.command("hash")
def hash_files(
    files: list[Path] = typer.Argument(..., help="Images or videos to hash."),
    as_json: bool = JsonOpt,
) -> None:
    """SHA-256, MD5, PDQ and quality for images; vPDQ for videos. Nothing is stored."""
    from tipline.evidence.hashing import hash_bytes

    settings = get_settings()
    failures = 0
    results: list[dict[str, Any]] = []
    with Progress(console=err, transient=True, disable=len(files) < 5 or as_json) as progress:
        task = progress.add_task("hashing", total=len(files))
        for path in files:
            row: dict[str, Any] = {"path": str(path)}
            try:
                data = path.read_bytes()
                h = hash_bytes(
                    data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
                )
                row.update(
                    media_type=h.media_type,
                    sha256=h.sha256,
                    md5=h.md5,
                    pdq=h.pdq,
                    pdq_quality=h.pdq_quality,
                )
                if h.vpdq is not None:
                    row["vpdq"] = h.vpdq
            except (OSError, TiplineError) as exc:
                failures += 1
                row["error"] = exc.message if isinstance(exc, TiplineError) else exc.strerror
            results.append(row)
            if as_json:
                _emit_json(row)
            progress.advance(task)
    if not as_json:
        for row in results:
            if "error" in row:
                sys.stderr.write(f"{row['path']}: error: {row['error']}\n")
                continue
            out.print(f"{row['path']}", markup=False)
            out.print(f"  type {row['media_type']}  sha256 {row['sha256']}  md5 {row['md5']}")
            if row.get("pdq"):
                out.print(f"  pdq {row['pdq']}  quality {row['pdq_quality']}")
            if row.get("vpdq"):
                out.print(f"  vpdq {len(row['vpdq'])} frames")
    if failures:
        raise typer.Exit(2)


# audit ----------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(as_json: bool = JsonOpt) -> None:
    """Recompute the audit log's hash chain and name the first broken link."""
    from tipline.audit import service as audit

    with _session():
        pass  # leaving a session chains what is pending, as the appender would
    with _session() as (_, db_session):
        total = audit.count_events(db_session)
        with Progress(console=err, transient=True, disable=as_json or total < 10_000) as progress:
            task = progress.add_task("verifying", total=total)
            result = audit.verify(db_session, progress=lambda n: progress.advance(task, n))
    if as_json:
        _emit_json(
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


# stats --------------------------------------------------------------------------------------


@app.command("stats")
def stats_command(
    year: int | None = typer.Option(None, min=2000, max=2100, help="One calendar year."),
    rebuild: bool = typer.Option(False, help="Count everything again from the stored rows."),
    as_json: bool = JsonOpt,
) -> None:
    """The public numbers (small counts withheld), after reading the latest events."""
    from tipline.errors import TiplineError
    from tipline.stats import rollup
    from tipline.stats import service as stats

    with _session():
        pass  # chain what is pending, so the numbers include it
    with _session() as (settings, db_session):
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
        _emit_json(figures)
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


# referral -----------------------------------------------------------------------------------


def _read_text(path: Path | None, default: Callable[[], str]) -> str:
    if path is None:
        return default()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None


@referral_app.command("load-agencies")
def referral_load_agencies(
    file: Path | None = typer.Argument(None, help="CSV name,country,region; default: the sample."),
    as_json: bool = JsonOpt,
) -> None:
    """Load agencies and the places each covers into the routing table."""
    from tipline.referral import routing

    text = _read_text(file, routing.sample_agencies)
    with _session() as (_, db_session):
        count = routing.load_agencies(db_session, text=text, actor=CLI_ACTOR)
    _emit_json({"rules": count}) if as_json else out.print(f"{count} routing rules set")


@notices_app.command("load-directory")
def notices_load_directory(
    file: Path | None = typer.Argument(None, help="JSON list of platforms; default: the sample."),
    as_json: bool = JsonOpt,
) -> None:
    """Add or update platforms in the directory (by name): domains, report form, email, law."""
    from tipline.notices import directory

    text = _read_text(file, directory.sample)
    with _session() as (_, db_session):
        count = directory.load(db_session, text=text, actor=CLI_ACTOR)
    _emit_json({"platforms": count}) if as_json else out.print(
        f"{count} platforms in the directory"
    )


@referral_app.command("load-geo")
def referral_load_geo(
    file: Path | None = typer.Argument(None, help="CSV start,end,country,region; default: sample."),
    as_json: bool = JsonOpt,
) -> None:
    """Replace the offline IP geolocation table used by routing."""
    from tipline.referral import routing

    text = _read_text(file, routing.sample_geo)
    with _session() as (_, db_session):
        count = routing.load_geo(db_session, text=text, actor=CLI_ACTOR)
    _emit_json({"ranges": count}) if as_json else out.print(f"{count} address ranges loaded")


@referral_app.command("route")
def referral_route(report: str, as_json: bool = JsonOpt) -> None:
    """The agencies routing suggests for a report (and the rest of its incident), and why."""
    from tipline.referral import routing
    from tipline.referral import service as referral
    from tipline.reports import service as reports

    with _session() as (_, db_session):
        found = reports.get_report(db_session, ref=report)
        group = referral.referral_group(db_session, report=found)
        candidates = [c.as_dict() for c in routing.route(db_session, reports=group)]
    if as_json:
        _emit_json(candidates)
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

    with _session() as (_, db_session):
        made = referral.refer(
            db_session,
            report_ref=report,
            agency_ref=agency,
            actor=CLI_ACTOR,
            override_reason=reason,
        )
        result = {"referral": made.number, "agency": made.agency_id, "reports": len(made.links)}
    _emit_json(result) if as_json else out.print(f"referred as {result['referral']}")


@referral_app.command("purge")
def referral_purge(as_json: bool = JsonOpt) -> None:
    """Destroy evidence whose retention has ended or whose agency asked for destruction."""
    from tipline.referral import retention

    with _session() as (settings, db_session):
        count = retention.purge(db_session, settings=settings)
    _emit_json({"destroyed": count}) if as_json else out.print(f"{count} files destroyed")


@app.command("scan")
def scan_conversations(
    source: Path | None = typer.Argument(
        None, help="Conversations, one JSON object per line (- for standard input)."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write results here."),
    evaluate: Path | None = typer.Option(
        None, "--evaluate", help="Labelled conversations: print precision, recall and more."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="For reviewers: each conversation message by message."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Red-flag detection over conversations (DESIGN.md formats), one result per line."""
    from tipline.detect import scan

    if evaluate is not None:
        _evaluate_detector(evaluate, as_json=as_json)
        return
    if source is None:
        raise BadInput("give a file of conversations (or - for standard input), or --evaluate")
    if explain:
        _explain_conversations(source, as_json=as_json)
        return
    sink = _open_text(output, "w") if output else sys.stdout
    try:
        with (
            _conversations(source) as rows,
            Progress(console=err, transient=True, disable=output is None) as progress,
        ):
            task = progress.add_task("scanning", total=None)
            for row in rows:
                sink.write(json.dumps(scan(row), ensure_ascii=False) + "\n")
                progress.advance(task)
    finally:
        if sink is not sys.stdout:
            sink.close()


@app.command("detect-stream")
def detect_stream(
    nats_url: str = typer.Option(
        "", "--nats", envvar="TIPLINE_NATS_URL", help="NATS server (or TIPLINE_NATS_URL)."
    ),
    namespace: str = typer.Option("tipline", help="Prefix of subjects, streams and bucket."),
    ack_wait: float = typer.Option(
        30.0, help="Seconds before an unacknowledged event is redelivered."
    ),
    idle_expiry: float = typer.Option(
        86_400.0, help="Seconds a quiet conversation's state is kept."
    ),
) -> None:
    """Detect red flags in message events from NATS JetStream; alert once per conversation."""
    import re

    from tipline.detect.stream import StreamConfig, run_forever

    if not nats_url:
        raise BadInput("set TIPLINE_NATS_URL or --nats (e.g. nats://127.0.0.1:4222)")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", namespace):
        raise BadInput("the namespace is lower-case letters, digits and _ (up to 31)")
    config = StreamConfig(
        url=nats_url, namespace=namespace, ack_wait=ack_wait, idle_expiry=idle_expiry
    )

    def ready() -> None:
        sys.stderr.write(f"ready: {config.messages_subject} -> {config.alerts_subject}\n")
        sys.stderr.flush()

    try:
        run_forever(config, on_ready=ready)
    except OSError as exc:
        raise TiplineError(f"could not reach NATS at {nats_url}: {exc}", code="nats") from None


def _open_text(path: Path, mode: str = "r") -> Any:
    try:
        return path.open(mode, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: {exc.strerror}", code="no_such_file") from None


def _explain_conversations(source: Path, *, as_json: bool) -> None:
    """Each conversation as a table: a message a row, the risk after it, what it raised."""
    from tipline.detect import explain

    with _conversations(source) as rows:
        for row in rows:
            explained = explain(row)
            if as_json:
                _emit_json(explained)
                continue
            result = explained["result"]
            table = Table(
                "#",
                "sender",
                "message",
                "risk",
                "raised here",
                title=f"{result['id']}: {result['level']}, risk {result['risk']:.2f}"
                + (" - the child is in distress" if result["victim_distress"] else ""),
            )
            for step, message in zip(explained["messages"], row["messages"], strict=True):
                raised = "\n".join(
                    f"{r['flag']}"
                    + (f" (at {r['message_index']})" if r["message_index"] != step["index"] else "")
                    + f": \u201c{r['evidence']}\u201d"
                    for r in step["raised"]
                )
                risk = f"{step['risk']:.2f}" + (" ALERT" if step["alert"] else "")
                text = str(message.get("text", ""))
                table.add_row(
                    str(step["index"]),
                    str(step["sender"]),
                    text if len(text) <= 80 else text[:79] + "\u2026",
                    risk,
                    raised,
                )
            out.print(table)


@contextmanager
def _conversations(source: Path) -> Iterator[Iterator[dict[str, Any]]]:
    """The conversations in a file, or on standard input for "-" (left open: it is not ours)."""
    from tipline.detect import service as detect

    handle = sys.stdin if str(source) == "-" else _open_text(source)
    try:
        yield detect.read_conversations(handle, source=str(source))
    finally:
        if handle is not sys.stdin:
            handle.close()


def _evaluate_detector(path: Path, *, as_json: bool) -> None:
    from tipline.detect import scan
    from tipline.detect import service as detect
    from tipline.detect.evaluate import evaluate

    with _open_text(path) as handle:
        rows = list(detect.read_conversations(handle, source=str(path)))
    if not all(isinstance(r.get("labels"), dict) for r in rows):
        raise BadInput(f'{path}: every line needs "labels": {{"flags": ..., "level": ...}}')
    figures = evaluate((r["labels"], scan(r)) for r in rows)
    if as_json:
        _emit_json(figures)
        return
    table = Table(title=f"{figures['conversations']} conversations")
    for column in ("flag", "precision", "recall", "F1", "support"):
        table.add_column(column)
    for flag, v in figures["flags"].items():
        table.add_row(
            flag,
            *(f"{v[k]:.3f}" if v[k] is not None else "-" for k in ("precision", "recall", "f1")),
            str(v["support"]),
        )
    out.print(table)
    for key in (
        "macro_f1",
        "level_accuracy",
        "false_alarm_rate",
        "hard_negative_false_alarm_rate",
        "early_warning_rate",
        "victim_distress_recall",
    ):
        value = figures[key]
        out.print(f"{key.replace('_', ' ')}: {'-' if value is None else f'{value:.3f}'}")


ServerOpt = typer.Option(..., "--server", help="The tipline server's base URL.")
ApiKeyOpt = typer.Option(
    ..., "--api-key", envvar="TIPLINE_API_KEY", help="The platform's API key (or TIPLINE_API_KEY)."
)
StoreOpt = typer.Option(
    None, "--store", help="The local copy of the hash list (default ~/.tipline-platform)."
)


@platform_app.command("sync")
def platform_sync(
    server: str = ServerOpt,
    api_key: str = ApiKeyOpt,
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Bring the local copy of the hash list up to date: adds, and withdrawals as tombstones."""
    from tipline.takedown import platform

    done = platform.sync(server=server, api_key=api_key, store=store or platform.default_store())
    result = {
        "added": done.added,
        "removed": done.removed,
        "live": done.live,
        "cursor": done.cursor,
    }
    if as_json:
        _emit_json(result)
    else:
        out.print(f"{done.added} added, {done.removed} withdrawn; {done.live} hashes on the list")


@platform_app.command("scan")
def platform_scan(  # noqa: PLR0917 - a typer command's options are its parameters
    directory: Path = typer.Argument(..., help="A file, or a directory scanned recursively."),
    server: str = ServerOpt,
    api_key: str = ApiKeyOpt,
    store: Path | None = StoreOpt,
    report: bool = typer.Option(False, "--report", help="Tell the server about each match."),
    sync_first: bool = typer.Option(True, "--sync/--no-sync", help="Sync before scanning."),
    workers: int = typer.Option(os.cpu_count() or 1, help="Hashing processes."),
    as_json: bool = JsonOpt,
) -> None:
    """Hash every image and video under DIRECTORY and match it against the local copy."""
    from tipline.takedown import platform

    store = store or platform.default_store()
    if sync_first:
        platform.sync(server=server, api_key=api_key, store=store)
    copy = platform.LocalCopy(store)
    try:
        matcher = copy.matcher()
    finally:
        copy.close()
    paths = list(platform.media_files(directory))
    matches: list[dict[str, Any]] = []
    errors = 0
    with Progress(console=err, transient=True, disable=as_json or len(paths) < 5) as progress:
        task = progress.add_task("scanning", total=len(paths))
        for hashed in platform.hashed_files(paths, workers):
            progress.advance(task)
            if "error" in hashed:
                errors += 1
                continue
            found = platform.scan_matches(matcher, hashed)
            matches.extend(found)
            if as_json:
                for line in found:
                    _emit_json(line)
    if report and matches:
        platform.report_matches(server=server, api_key=api_key, matches=matches)
    if not as_json:
        for line in matches:
            out.print(
                f"{line['path']}: {line['signal_type']} match, case {line['case_id']}, "
                f"distance {line['distance']}",
                markup=False,
            )
        out.print(f"{len(paths)} files scanned, {len(matches)} matches, {errors} unreadable")


def fail(message: str, code: int) -> None:
    """One line on stderr, never wrapped (Rich would wrap to the terminal's width)."""
    sys.stderr.write("error: " + " ".join(message.split()) + "\n")
    sys.exit(code)


def main() -> None:
    try:
        app(standalone_mode=True)
    except TiplineError as exc:
        fail(exc.message, exc.exit_code)
    except (OperationalError, ProgrammingError) as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        fail(f"database not ready ({message}); run `tipline init` or `tipline db upgrade`", 1)
