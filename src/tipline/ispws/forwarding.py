"""Forwarding a report upstream: status, submit, upload and fileinfo per file, finish.

Nothing is filed twice and nothing is lost: the upstream reportId is committed the moment it is
known; a retry first retracts that unfinished upstream report (an answer of 5102, already
finished, means an earlier finish did land and its answer was lost: that is success); success is
only a finish that answers 0. Every failure is kept, with its code and Request-ID, for staff.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.config import Settings
from tipline.db import Database, utcnow
from tipline.errors import BadInput, NotFound
from tipline.evidence import service as evidence
from tipline.ispws.client import CyberTiplineClient, UpstreamError, UpstreamUnavailable
from tipline.ispws.codes import Code
from tipline.ispws.events import IspwsEvent
from tipline.ispws.export import export_xml
from tipline.ispws.models import Forwarding
from tipline.reports import service as reports
from tipline.reports.models import Report

# The job that files a queued forwarding (ispws/tasks.py), named for queue.after_commit.
JOB = "tipline.ispws.tasks:forward_report"
ALREADY_FINISHED = int(Code.ALREADY_FINISHED)
ALREADY_RETRACTED = int(Code.ALREADY_RETRACTED)


def client_for(settings: Settings) -> CyberTiplineClient:
    if not (settings.upstream_url and settings.upstream_username and settings.upstream_password):
        raise BadInput("no upstream is configured (TIPLINE_UPSTREAM_URL and its login)")
    return CyberTiplineClient(
        settings.upstream_url, settings.upstream_username, settings.upstream_password
    )


def queue(db_session: Session, *, report_ref: str, actor: str) -> Forwarding:
    report = reports.get_report(db_session, ref=report_ref)
    forwarding = Forwarding(report_id=report.id)
    db_session.add(forwarding)
    db_session.flush()
    audit.record(
        db_session,
        actor=actor,
        action=IspwsEvent.FORWARDING_QUEUED,
        subject_type="report",
        subject_id=report.id,
        data={"forwarding_id": forwarding.id},
    )
    return forwarding


def recent(db_session: Session, *, limit: int = 200) -> list[Any]:
    """The latest forwardings with their reports' case numbers, newest first."""
    return list(
        db_session.execute(
            select(Forwarding, Report.case_number)
            .join(Report, Report.id == Forwarding.report_id)
            .order_by(Forwarding.updated_at.desc())
            .limit(limit)
        ).all()
    )


def _fileinfo(upstream_id: str, file_id: str, filename: str, viewed: bool | None) -> bytes:
    root = etree.Element("fileDetails")
    etree.SubElement(root, "reportId").text = upstream_id
    etree.SubElement(root, "fileId").text = file_id
    if filename:
        etree.SubElement(root, "originalFileName").text = filename[:255]
    if viewed is not None:
        etree.SubElement(root, "fileViewedByEsp").text = "true" if viewed else "false"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _row(db_session: Session, forwarding_id: str) -> Forwarding:
    row = db_session.get(Forwarding, forwarding_id)
    if row is None:
        raise NotFound("no such forwarding")
    return row


def _note(database: Database, forwarding_id: str, **changes: object) -> None:
    with database.session() as db_session:
        row = _row(db_session, forwarding_id)
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = utcnow()


def forward(
    database: Database, *, settings: Settings, forwarding_id: str, client: CyberTiplineClient
) -> Forwarding:
    """One attempt. Safe to repeat after any failure, at any step."""
    with database.session() as db_session:
        row = _row(db_session, forwarding_id)
        if row.state == "finished":
            return row
        row.attempts += 1
        earlier_upstream = row.upstream_report_id
        report = reports.get_report(db_session, ref=row.report_id)
        document = export_xml(report)
        files = [
            (f.id, f.filename, f.viewed_by_reporter)
            for f in evidence.files_for_report(db_session, report_id=report.id)
        ]
    try:
        if earlier_upstream:
            try:
                client.retract(earlier_upstream)
            except UpstreamError as exc:
                if exc.code == ALREADY_FINISHED:
                    return _finished(database, forwarding_id, earlier_upstream, exc.request_id)
                if exc.code != ALREADY_RETRACTED:
                    raise
        client.status()
        upstream_id = client.submit(document)
        _note(database, forwarding_id, upstream_report_id=upstream_id, state="submitted")
        for file_id, filename, viewed in files:
            with database.session() as db_session:
                data = evidence.read_file(
                    db_session,
                    settings=settings,
                    file_id=file_id,
                    actor="system",
                    reason=f"forwarded upstream as report {upstream_id}",
                )
            upstream_file, _ = client.upload(upstream_id, filename or "file", data)
            client.fileinfo(_fileinfo(upstream_id, upstream_file, filename, viewed))
        done = client.finish(upstream_id)
        return _finished(database, forwarding_id, upstream_id, done.request_id)
    except UpstreamError as exc:
        _failed(database, forwarding_id, f"code {exc.code}: {exc.description}", exc.request_id)
        raise
    except UpstreamUnavailable as exc:
        _failed(database, forwarding_id, f"no answer: {exc}", None)
        raise


def _finished(
    database: Database, forwarding_id: str, upstream_id: str, request_id: str | None
) -> Forwarding:
    with database.session() as db_session:
        row = _row(db_session, forwarding_id)
        row.state, row.upstream_report_id = "finished", upstream_id
        row.finished_at = row.updated_at = utcnow()
        row.last_request_id, row.last_error = request_id, None
        audit.record(
            db_session,
            actor="system",
            action=IspwsEvent.FORWARDED,
            subject_type="report",
            subject_id=row.report_id,
            data={"upstream_report_id": upstream_id, "request_id": request_id},
        )
        return row


def _failed(database: Database, forwarding_id: str, error: str, request_id: str | None) -> None:
    with database.session() as db_session:
        row = db_session.get(Forwarding, forwarding_id)
        if row is None:
            return
        row.state = "failed" if row.upstream_report_id is None else "submitted"
        row.last_error, row.last_request_id = error, request_id
        row.updated_at = utcnow()
        audit.record(
            db_session,
            actor="system",
            action=IspwsEvent.FORWARDING_FAILED,
            subject_type="report",
            subject_id=row.report_id,
            data={"error": error, "request_id": request_id, "attempt": row.attempts},
        )
