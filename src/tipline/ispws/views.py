"""`/ispws`: NCMEC's CyberTipline Reporting API, served, so a service's existing client can file
to tipline by changing its base URL."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from tipline import nul, queue
from tipline.auth import service as auth
from tipline.auth.dependencies import check_csrf, current_session, require_user
from tipline.auth.models import Organisation, StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import CONSOLE_ROLES
from tipline.config import Settings
from tipline.db import Database
from tipline.deps import (
    basic_login,
    get_database,
    get_db,
    get_read_db,
    get_settings,
    raw_body,
    write_session,
)
from tipline.errors import BadInput, TiplineError
from tipline.evidence import service as evidence
from tipline.ispws import forwarding, service, xml
from tipline.ispws.codes import HTTP_STATUS, Code, IspwsError

log = logging.getLogger("tipline.ispws")
router = APIRouter(prefix="/ispws", include_in_schema=False)
console_router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])
XML_TYPE = "text/xml; charset=utf-8"


def too_large(message: str) -> tuple[bytes, bytes]:
    """The body limit's refusal as a CyberTipline client reads it: by the response code."""
    return xml.response(Code.INVALID_REQUEST, detail=message), XML_TYPE.encode()


class IspwsUnauthenticated(Exception):
    """A failed login: HTTP 401 with an empty body, as NCMEC answers."""


def _answer(request: Request, body: bytes, status: int = 200) -> Response:
    response = Response(body, status_code=status, media_type=XML_TYPE)
    response.headers["Request-ID"] = request.scope.get("state", {}).get("request_id", "")
    return response


def error_answer(request: Request, exc: IspwsError, root: str = "reportResponse") -> Response:
    fields = {"reportId": exc.report_id} if exc.report_id is not None else None
    return _answer(
        request,
        xml.response(exc.code, root=root, detail=exc.detail, fields=fields),
        HTTP_STATUS[exc.code],
    )


def unauthenticated_answer(request: Request) -> Response:
    response = _answer(request, b"", 401)
    response.headers["WWW-Authenticate"] = 'Basic realm="ispws"'
    return response


def esp(
    request: Request, db_session: Session = Depends(get_read_db, scope="function")
) -> Organisation:
    # A read transaction of its own: the login is checked before the body is hashed or stored,
    # and without the write lock (a slow or failing login must not hold up other writers).
    org = basic_login(
        request,
        lambda user, password: auth.authenticate_ispws(
            db_session, username=user, password=password
        ),
    )
    if org is None:
        raise IspwsUnauthenticated
    # Give the connection back now, not after the response: the request's own transaction
    # needs one too, and twenty ESPs filing at once must not take two each.
    db_session.close()
    return org


def _form_id(form: dict[str, object]) -> str:
    value = form.get("id")
    if not isinstance(value, str) or not value.strip():
        raise IspwsError(Code.INVALID_REQUEST, "form field id is required")
    return value


@router.get("/status")
def status(request: Request, org: Organisation = Depends(esp)) -> Response:
    return _answer(request, xml.response(Code.SUCCESS, detail=f"Remote user: {org.name}"))


@router.get("/xsd")
def schema(request: Request, org: Organisation = Depends(esp)) -> Response:
    return _answer(request, Path(xml.SCHEMA_PATH).read_bytes())


# The views below are plain functions, run in a worker thread: the database is never used on
# the event loop (a wait for SQLite's write lock there froze every request; issue 17). What
# must be awaited (the body, the form, hashing) is read by async dependencies first.


async def _form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=5)


@router.post("/submit")
def submit(
    request: Request,
    body: bytes = Depends(raw_body),
    org: Organisation = Depends(esp),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    report_id = service.submit(db_session, org=org, document=body)
    db_session.commit()
    return _answer(request, xml.response(Code.SUCCESS, fields={"reportId": report_id}))


@router.post("/upload")
async def upload(
    request: Request,
    org: Organisation = Depends(esp),
    database: Database = Depends(get_database),
    settings: Settings = Depends(get_settings),
) -> Response:
    form = await request.form(max_files=1, max_fields=5)
    report_id = _form_id(dict(form))
    named = service.report_number(report_id)
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile):
        raise IspwsError(Code.INVALID_REQUEST, "form field file is required", report_id=named)
    data = upload_file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise IspwsError(Code.MALFORMED_FILE, "file over the size limit", report_id=named)
    try:
        prepared = await evidence.prepare_off_loop(settings=settings, data=data)
    except TiplineError as exc:
        raise IspwsError(Code.MALFORMED_FILE, exc.message, report_id=named) from None
    # The turn to write is taken only now that the file is hashed.
    async with write_session(database) as db_session:
        file_id, md5 = await run_in_threadpool(
            _store_upload, db_session, settings, org, report_id, prepared, upload_file.filename
        )
    return _answer(
        request,
        xml.response(Code.SUCCESS, fields={"reportId": report_id, "fileId": file_id, "hash": md5}),
    )


def _store_upload(
    db_session: Session,
    settings: Settings,
    org: Organisation,
    report_id: str,
    prepared: evidence.PreparedFile,
    filename: str | None,
) -> tuple[str, str]:
    try:
        stored = service.upload(
            db_session,
            settings=settings,
            org=org,
            report_id=report_id,
            data=b"",
            filename=filename,
            prepared=prepared,
        )
        db_session.commit()
    except BaseException:
        evidence.discard(prepared)
        raise
    return stored


@router.post("/fileinfo")
def fileinfo(
    request: Request,
    body: bytes = Depends(raw_body),
    org: Organisation = Depends(esp),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    report_id = service.fileinfo(db_session, org=org, document=body)
    db_session.commit()
    return _answer(request, xml.response(Code.SUCCESS, fields={"reportId": report_id}))


@router.post("/finish")
def finish(
    request: Request,
    form: FormData = Depends(_form),
    org: Organisation = Depends(esp),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    try:
        report_id = _form_id(dict(form))
        files = service.finish(db_session, org=org, report_id=report_id)
    except IspwsError as exc:
        return error_answer(request, exc, root="reportDoneResponse")
    db_session.commit()
    return _answer(
        request,
        xml.response(
            Code.SUCCESS,
            root="reportDoneResponse",
            fields={"reportId": report_id, "files": [("fileId", f) for f in files]},
        ),
    )


@router.post("/retract")
def retract(
    request: Request,
    form: FormData = Depends(_form),
    org: Organisation = Depends(esp),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    report_id = _form_id(dict(form))
    service.retract(db_session, org=org, report_id=report_id)
    db_session.commit()
    return _answer(request, xml.response(Code.SUCCESS, fields={"reportId": report_id}))


# The console's side: an analyst files a report upstream and follows how it went --------------


@console_router.post("/console/reports/{ref}/forward", dependencies=[Depends(check_csrf)])
def forward_report(
    ref: str,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db_session: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Queue the report for filing upstream; the job's progress shows on /console/forwardings."""
    if not settings.upstream_url:
        raise BadInput("no upstream is configured (TIPLINE_UPSTREAM_URL)", code="no_upstream")
    queued = forwarding.queue(db_session, report_ref=ref, actor=f"user:{user.id}")
    queue.after_commit(db_session, forwarding.JOB, queued.id)
    return RedirectResponse("/console/forwardings", status_code=303)


@console_router.get("/console/forwardings", response_class=HTMLResponse)
def forwardings_page(
    request: Request,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """Reports filed upstream: each attempt's outcome, with the upstream code and Request-ID."""
    rows = forwarding.recent(db_session)
    return staff_page(request, "forwardings.html", staff_session, {"rows": rows})
