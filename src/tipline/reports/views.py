"""The public report: `/report` pages and `POST /api/v1/reports` (DESIGN.md)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Header, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from tipline.auth.dependencies import check_public_csrf, csrf_token_for
from tipline.config import Settings
from tipline.db import Database
from tipline.deps import (
    charge_pixels,
    get_database,
    get_db,
    get_read_db,
    get_settings,
    rate_limit,
    rate_limit_person,
    write_session,
)
from tipline.errors import BadInput, TiplineError, TooLarge
from tipline.evidence import service as evidence
from tipline.reports import form as report_form
from tipline.reports import idempotency, intake
from tipline.reports.schemas import (
    FileCreated,
    PublicReportCreated,
    PublicReportIn,
    ReporterStatus,
    ReporterUpdateIn,
)
from tipline.web import i18n
from tipline.web.templating import render

api_router = APIRouter(prefix="/api/v1", tags=["public reports"])
router = APIRouter(include_in_schema=False)


def _read_upload(upload: StarletteUpload, settings: Settings) -> bytes:
    # The upload is held in memory (see app.py: multipart spooling is raised so no plaintext
    # evidence is written to a temp file); read at most one byte over the limit.
    data = upload.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise TooLarge(f"file is over the limit of {settings.max_upload_bytes} bytes")
    return data


Prepared = list[tuple[evidence.PreparedFile, str | None]]


async def _prepare(
    request: Request, settings: Settings, uploads: list[StarletteUpload]
) -> Prepared:
    """Hash and store each upload's bytes before the request's transaction begins (in the
    bounded hashing pool, each image's decoding charged to the sender's budget first)."""
    prepared: Prepared = []
    try:
        for upload in uploads:
            data = _read_upload(upload, settings)
            charge_pixels(request, data)
            done = await evidence.prepare_off_loop(
                settings=settings, data=data, allowed_types=intake.PUBLIC_FILE_TYPES
            )
            prepared.append((done, upload.filename))
    except BaseException:
        _discard(prepared)
        raise
    return prepared


def _discard(prepared: Prepared) -> None:
    for done, _name in prepared:
        evidence.discard(done)


def _attach_all(
    db_session: Session, settings: Settings, report_id: str, prepared: Prepared
) -> list[Any]:
    return [
        intake.attach_file(
            db_session,
            settings=settings,
            report_id=report_id,
            data=b"",
            filename=name,
            prepared=done,
        )
        for done, name in prepared
    ]


# JSON API ---------------------------------------------------------------------------------------


@api_router.post(
    "/reports",
    status_code=201,
    response_model=PublicReportCreated,
    responses={
        422: {"description": "A field is missing, too long, or not one of the allowed values"},
        429: {"description": "Too many reports from this address"},
    },
)
def create_public_report(
    payload: PublicReportIn,
    request: Request,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """File a report as a victim, parent, friend or educator. Anonymous is allowed."""
    ident = request_hash = None
    if idempotency_key is not None:
        ident = idempotency.key_id("reports", idempotency_key)
        request_hash = idempotency.body_hash(payload.model_dump_json().encode())
        earlier = idempotency.replay(db_session, ident=ident, request_hash=request_hash)
        if earlier is not None:
            return JSONResponse(earlier[1], status_code=earlier[0])
    rate_limit_person(request, "reports")
    report = intake.file_public_report(db_session, payload=payload)
    body = PublicReportCreated(
        report_id=report.id,
        case_number=report.case_number,
        follow_up_token=report.follow_up_token or "",
    ).model_dump()
    if ident and request_hash:
        idempotency.remember(
            db_session, ident=ident, request_hash=request_hash, status_code=201, body=body
        )
    # Commit before answering: an acknowledged report is a stored report.
    db_session.commit()
    return JSONResponse(body, status_code=201)


@api_router.post(
    "/reports/{report_id}/files",
    status_code=201,
    response_model=FileCreated,
    responses={404: {"description": "No report matches that id and token"}},
)
async def attach_report_file(
    report_id: str,
    file: UploadFile,
    request: Request,
    x_follow_up_token: str = Header(default="", alias="X-Follow-Up-Token"),
    read_session: Session = Depends(get_read_db, scope="function"),
    database: Database = Depends(get_database),
    settings: Settings = Depends(get_settings),
) -> FileCreated:
    """Attach a screenshot or other file to a report (never an intimate image: use take-down)."""
    rate_limit(request, "follow-up")
    # The token first (a cheap read), so that no one without it makes the server hash anything.
    report = await run_in_threadpool(
        partial(
            intake.find_for_reporter, read_session, token=x_follow_up_token, report_id=report_id
        )
    )
    prepared = await _prepare(request, settings, [file])
    try:
        # The turn to write is taken only now that the file is hashed.
        async with write_session(database) as db_session:
            [stored] = await run_in_threadpool(
                _attach_all, db_session, settings, report.id, prepared
            )
    except BaseException:
        _discard(prepared)
        raise
    return FileCreated(file_id=stored.id, sha256=stored.sha256)


@api_router.get(
    "/reports/{report_id}/status",
    response_model=ReporterStatus,
    responses={404: {"description": "No report matches that id and token"}},
)
def report_status(
    report_id: str,
    request: Request,
    x_follow_up_token: str = Header(default="", alias="X-Follow-Up-Token"),
    db_session: Session = Depends(get_db, scope="function"),
) -> ReporterStatus:
    """What a reporter may see of their report's progress."""
    rate_limit(request, "follow-up")
    report = intake.find_for_reporter(db_session, token=x_follow_up_token, report_id=report_id)
    return intake.reporter_status(db_session, report=report)


# Pages ------------------------------------------------------------------------------------------


def _form_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    lang = i18n.language_for(request)
    catalog = i18n.translations(lang)
    response = render(
        request,
        "report_form.html",
        {
            "csrf_token": csrf_token_for(request, None),
            "choices": report_form.choices(catalog.gettext),
            "countries": report_form.countries(lang),
            "account_rows": report_form.ACCOUNT_ROWS,
            "payment_rows": report_form.PAYMENT_ROWS,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )
    return i18n.with_csrf_cookie(request, response)


async def refused_report_form(request: Request, exc: TiplineError) -> HTMLResponse:
    """The form again after a refusal that came before the view (an expired form token): what
    was typed is still in the request's parsed form, and it goes back on the page."""
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values.pop("csrf_token", None)
    values["demands"] = [v for v in form.getlist("demands") if isinstance(v, str)]
    return _form_page(request, values, {"form": exc.code}, exc.status_code)


_TOO_LARGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too large · Online safety</title><link rel="stylesheet" href="/static/css/site.css">
</head><body><main id="main">
<h1>Your report was too large to send</h1>
<p>Screenshots can be up to 50 MB each, and 20 in one report. Please go back and send it again
with fewer or smaller files, or without them: you can add files later with your case number.</p>
<h1 lang="es">Tu reporte era demasiado grande para enviarlo</h1>
<p lang="es">Cada captura puede pesar hasta 50 MB, y caben 20 en un reporte. Vuelve y envíalo de
nuevo con menos archivos o más pequeños, o sin ellos: puedes agregarlos después con tu
número de caso.</p>
<p><a href="/report">Back to the report form</a> · <a href="/report" lang="es">Volver al
formulario</a></p>
<p><a class="call" href="tel:911">Call 911</a> <a class="call" href="tel:988">Call 988</a></p>
</main></body></html>"""


def report_too_large(message: str) -> tuple[bytes, bytes]:
    """The body limit's refusal for the report form's pages: a page a person can read (in both
    languages, as the middleware knows no language), not JSON."""
    return _TOO_LARGE_PAGE.encode(), b"text/html; charset=utf-8"


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    return _form_page(request, {"incident_type": "online_enticement"}, {})


@router.post("/report", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)])
async def submit_report(
    request: Request,
    database: Database = Depends(get_database),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    form = await request.form(max_files=intake.MAX_FILES_PER_REPORT, max_fields=400)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    demands = [v for v in form.getlist("demands") if isinstance(v, str)]
    values["demands"] = demands  # type: ignore[assignment]
    uploads = [f for f in form.getlist("files") if not isinstance(f, str) and f.filename]
    lang = i18n.language_for(request)
    try:
        payload = report_form.payload_from_form(values, demands, lang)
    except ValidationError as exc:
        return _form_page(request, values, report_form.error_fields(exc), 400)
    try:
        rate_limit_person(request, "reports")
        prepared = await _prepare(request, settings, uploads)
    except TiplineError as exc:
        return _form_page(request, values, {"files": exc.code}, exc.status_code)
    # The database is used in a worker thread, never on the event loop, and only once the
    # files are hashed is the turn to write taken.
    async with write_session(database) as db_session:
        return await run_in_threadpool(
            _file_from_form, request, db_session, settings, payload, prepared, values
        )


def _file_from_form(
    request: Request,
    db_session: Session,
    settings: Settings,
    payload: PublicReportIn,
    prepared: Prepared,
    values: dict[str, Any],
) -> HTMLResponse:
    try:
        report = intake.file_public_report(db_session, payload=payload)
        _attach_all(db_session, settings, report.id, prepared)
        db_session.commit()
    except TiplineError as exc:
        db_session.rollback()
        _discard(prepared)
        return _form_page(request, values, {"files": exc.code}, exc.status_code)
    except BaseException:
        _discard(prepared)
        raise
    return render(
        request,
        "report_done.html",
        {
            "report": report,
            "token": report.follow_up_token,
            "files": len(prepared),
            "role": payload.reporter_role.value,
            "child_in_danger": payload.safe_now == "no",
            # For "Ask for support", which carries the case number and token to /support.
            "csrf_token": csrf_token_for(request, None),
        },
        status_code=200,
    )


@router.get("/report/follow-up", response_class=HTMLResponse)
def follow_up_page(request: Request) -> HTMLResponse:
    response = render(request, "follow_up.html", {"csrf_token": csrf_token_for(request, None)})
    return i18n.with_csrf_cookie(request, response)


def _status_page(
    request: Request,
    db_session: Session,
    report: Any,
    token: str,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    status = intake.reporter_status(db_session, report=report)
    response = render(
        request,
        "follow_up_status.html",
        {
            "status": status,
            "token": token,
            "self_harm_risk": report.self_harm_risk,
            "csrf_token": csrf_token_for(request, None),
            "message": message,
        },
        status_code=status_code,
    )
    return i18n.with_csrf_cookie(request, response)


async def _follow_up_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=10)


@router.post(
    "/report/follow-up", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)]
)
def follow_up(
    request: Request,
    form: FormData = Depends(_follow_up_form),
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:
    case = str(form.get("case_number", "")).strip()
    token = str(form.get("token", "")).strip()
    try:
        rate_limit(request, "follow-up")
        report = intake.find_for_reporter(db_session, token=token, case_number=case)
    except TiplineError as exc:
        return _follow_up_refused(request, db_session, exc, case)
    return _status_page(request, db_session, report, token)


def _follow_up_refused(
    request: Request, db_session: Session, exc: TiplineError, case: str
) -> HTMLResponse:
    db_session.commit()  # keep the rate limiter's view and any events of the failed attempt
    response = render(
        request,
        "follow_up.html",
        {"csrf_token": csrf_token_for(request, None), "error": exc.code, "case": case},
        status_code=exc.status_code,
    )
    return i18n.with_csrf_cookie(request, response)


@router.post(
    "/report/follow-up/add", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)]
)
async def follow_up_add(
    request: Request,
    read_session: Session = Depends(get_read_db, scope="function"),
    database: Database = Depends(get_database),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    form = await request.form(max_files=intake.MAX_FILES_PER_REPORT, max_fields=20)
    case = str(form.get("case_number", "")).strip()
    token = str(form.get("token", "")).strip()
    text = str(form.get("text", ""))
    uploads = [f for f in form.getlist("files") if not isinstance(f, str) and f.filename]
    try:
        rate_limit(request, "follow-up")
        # The token first (a cheap read), so that no one without it makes the server hash.
        await run_in_threadpool(
            partial(intake.find_for_reporter, read_session, token=token, case_number=case)
        )
        if not text.strip() and not uploads:
            raise BadInput("nothing to add", code="empty_update")
        prepared = await _prepare(request, settings, uploads)
    except TiplineError as exc:
        return await run_in_threadpool(_follow_up_refused, request, read_session, exc, case)
    async with write_session(database) as db_session:
        return await run_in_threadpool(
            _add_to_report, request, db_session, settings, case, token, text, prepared
        )


def _add_to_report(
    request: Request,
    db_session: Session,
    settings: Settings,
    case: str,
    token: str,
    text: str,
    prepared: Prepared,
) -> HTMLResponse:
    try:
        report = intake.find_for_reporter(db_session, token=token, case_number=case)
        if text.strip():
            intake.add_update(db_session, report=report, text=ReporterUpdateIn(text=text).text)
        _attach_all(db_session, settings, report.id, prepared)
    except (TiplineError, ValidationError) as exc:
        db_session.rollback()
        _discard(prepared)
        report = intake.find_for_reporter(db_session, token=token, case_number=case)
        code = exc.code if isinstance(exc, TiplineError) else "too_long"
        status = exc.status_code if isinstance(exc, TiplineError) else 400
        return _status_page(request, db_session, report, token, f"error:{code}", status)
    except BaseException:
        _discard(prepared)
        raise
    db_session.commit()
    return _status_page(request, db_session, report, token, "added")
