"""Reading reports, exporting them and forwarding them upstream."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from tipline.cli.common import (
    CLI_ACTOR,
    JsonOpt,
    cli_session,
    emit_json,
    fail,
    out,
)
from tipline.config import get_settings
from tipline.errors import BadInput

reports_app = typer.Typer(help="Read reports.", no_args_is_help=True)


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

    with cli_session() as (_, db_session):
        rows = [
            ReportSummary.model_validate(r).model_dump(mode="json")
            for r in reports.list_reports(
                db_session, status=status, source=source, search=search, limit=limit
            )
        ]
    if as_json:
        emit_json(rows)
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
    from tipline.reports import filed
    from tipline.reports import service as reports
    from tipline.reports.schemas import FileOut, ReportOut

    with cli_session() as (_, db_session):
        row = reports.get_report(db_session, ref=report)
        shown = ReportOut.model_validate(row)
        shown.files = [
            FileOut.model_validate(f)
            for f in evidence.files_for_report(db_session, report_id=row.id)
        ]
        shown.as_filed = filed.as_filed(row.extra or {})
        data = shown.model_dump(mode="json")
    if as_json:
        emit_json(data)
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
    sent = data["as_filed"]
    if sent:
        out.print("  as the online service filed it:")
        for event in sent["ip_events"]:
            seen = ", ".join(
                f"{k.replace('_', ' ')} {event[k]}"
                for k in ("event", "date_time", "port", "possible_proxy")
                if event[k]
            )
            out.print(f"    IP {event['ip_address']} ({event['who']}) {seen}", markup=False)
        for line in sent["fields"]:
            out.print(f"    {line['field']}: {line['value']}", markup=False)
        for details in sent["files"]:
            for line in details["fields"]:
                out.print(
                    f"    file {details['file']} > {line['field']}: {line['value']}", markup=False
                )


@reports_app.command("export")
def reports_export(
    report: str,
    fmt: str = typer.Option("cybertipline-xml", "--format", help="cybertipline-xml"),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write."),
) -> None:
    """Write a report as a CyberTipline <report> document (validates against /ispws/xsd)."""
    from tipline.ispws.codes import IspwsError
    from tipline.ispws.export import export_xml
    from tipline.reports import service as reports

    if fmt != "cybertipline-xml":
        raise BadInput(f"unknown format {fmt!r}: use cybertipline-xml")
    with cli_session() as (_, db_session):
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
    with cli_session(settings) as (_, db_session):
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
        emit_json(result)
    else:
        out.print(f"filed upstream as report {row.upstream_report_id}")
