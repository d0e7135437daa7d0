"""The FastAPI app factory: every domain's router, templates, static files, errors, headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartParser

from tipline import __version__
from tipline.audit.appender import Appender
from tipline.auth.views import api_router as auth_api
from tipline.auth.views import router as auth_pages
from tipline.config import Settings, get_settings
from tipline.db import Database, DatabaseBusy, database_for, is_busy
from tipline.detect.views import api_router as detect_api
from tipline.errors import LoginRequired, TiplineError
from tipline.ispws.codes import Code, IspwsError
from tipline.ispws.views import IspwsUnauthenticated, error_answer, unauthenticated_answer
from tipline.ispws.views import console_router as forwarding_pages
from tipline.ispws.views import router as ispws_api
from tipline.ispws.views import too_large as ispws_too_large
from tipline.notices import requests as notice_requests
from tipline.notices.views import api_router as notices_api
from tipline.notices.views import router as notices_pages
from tipline.ratelimit import PublicRateLimiter
from tipline.referral.views import router as referral_pages
from tipline.reports.views import api_router as reports_api
from tipline.reports.views import refused_report_form, report_too_large
from tipline.reports.views import router as reports_pages
from tipline.review.views import router as review_pages
from tipline.stats.follower import Follower
from tipline.stats.views import api_router as stats_api
from tipline.stats.views import router as stats_pages
from tipline.support.views import api_router as support_api
from tipline.support.views import router as support_pages
from tipline.takedown import service as takedown
from tipline.takedown.hashsharing_views import router as hashsharing_api
from tipline.takedown.views import api_router as takedown_api
from tipline.takedown.views import router as takedown_pages
from tipline.web.bodylimit import BodyLimit
from tipline.web.forwarded import ForwardedHeaders, TrustedProxies, parse_networks
from tipline.web.headers import SecurityHeaders
from tipline.web.templating import STATIC_DIR, render
from tipline.web.views import router as web_pages

log = logging.getLogger("tipline")
JSON_BODY_LIMIT = 1024 * 1024
_FORM_OVERHEAD = 2 * 1024 * 1024

# No inline script or style, nothing from any other origin, never framed, no referrer.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path == "/healthz"
        or "text/html" not in request.headers.get("accept", "")
    )


# A CyberTipline client reads the responseCode of an XML answer, whatever went wrong: the errors
# that do not come from /ispws itself (an unknown path, a wrong method, the service busy) keep
# their HTTP status and carry the nearest CyberTipline code.
_ISPWS_CODES = {403: Code.NOT_AUTHORISED, 404: Code.NOT_FOUND}


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if request.url.path == "/ispws" or request.url.path.startswith("/ispws/"):
        ispws_code = _ISPWS_CODES.get(
            status, Code.SERVER_ERROR if status >= 500 else Code.INVALID_REQUEST
        )
        answer = error_answer(request, IspwsError(ispws_code, message))
        answer.status_code = status
        return answer
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    staff = request.url.path.startswith(("/console", "/agency", "/peer"))
    return render(
        request,
        "console_error.html" if staff else "error.html",
        {"title": f"{status}", "message": message, "status": status, "code": code},
        status_code=status,
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TiplineError)
    async def _tipline_error(request: Request, exc: TiplineError) -> Response:
        if exc.status_code >= 500:
            log.error("configuration error: %s", exc.message)
        if request.method == "POST" and request.url.path == "/report" and not _wants_json(request):
            # The report form refused before its view ran (an expired form): the form again,
            # with what was typed and the reason, never a bare error page.
            return await refused_report_form(request, exc)
        return error_response(request, exc.status_code, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg"))
        return error_response(request, 422, "invalid_request", "; ".join(map(str, problems)))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
        response = error_response(
            request, exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        if not is_busy(exc):
            return await _unexpected(request, exc)
        return _busy(request)

    @app.exception_handler(DatabaseBusy)
    async def _database_busy(request: Request, exc: DatabaseBusy) -> Response:
        return _busy(request)

    def _busy(request: Request) -> Response:
        # Not a bug and not the caller's fault: the write lock was not free in time. Nothing was
        # stored (the transaction rolled back), so the same request can simply be sent again.
        log.warning("database busy on %s %s", request.method, request.url.path, exc_info=True)
        response = error_response(
            request, 503, "busy", "the service is busy; please try again in a moment"
        )
        response.headers["Retry-After"] = str(DatabaseBusy.retry_after)
        return response

    @app.exception_handler(IspwsError)
    async def _ispws_error(request: Request, exc: IspwsError) -> Response:
        return error_answer(request, exc)

    @app.exception_handler(IspwsUnauthenticated)
    async def _ispws_login(request: Request, exc: IspwsUnauthenticated) -> Response:
        return unauthenticated_answer(request)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(exc.to, status_code=303)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A 5xx is always a bug: log it with the request id, tell the caller nothing more.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if request.url.path.startswith("/ispws/"):
            return error_answer(request, IspwsError(Code.SERVER_ERROR))
        return error_response(request, 500, "internal", "internal error; it has been logged")


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Fail at start-up, not on the first upload, if the key is missing or exposed.
    _ = settings.master_key
    trusted_proxies = parse_networks(settings.trusted_proxies)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Few threads per process: the audit log's head row is locked from the append to the
        # commit, and a lock holder waiting for the GIL among dozens of threads stalls every
        # other writer (bench/intake.py measured 2x fewer reports/s with anyio's default 40).
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        follower = Follower(app.state.db)
        follower.start()
        appender = Appender(app.state.db, followers=(follower.poke,))
        appender.start()
        try:
            yield
        finally:
            appender.stop()
            follower.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="tipline API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        # The interactive docs load scripts from a CDN, which the CSP and the safety rules forbid.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database or database_for(settings)
    app.state.rate_limiter = PublicRateLimiter(settings)
    # Uploaded evidence stays in memory: Starlette would otherwise spool any upload over 1 MiB
    # to a temporary file, in plaintext, on disk. The body limit below bounds the memory.
    MultiPartParser.spool_max_size = settings.max_upload_bytes + _FORM_OVERHEAD

    def _body_limit(path: str) -> int:
        # JSON and XML documents are small; form posts may carry files.
        if path.startswith("/api/") and not path.endswith("/files"):
            return JSON_BODY_LIMIT
        if path in ("/ispws/submit", "/ispws/fileinfo"):
            return 2 * JSON_BODY_LIMIT
        return settings.max_upload_bytes + _FORM_OVERHEAD

    app.add_middleware(
        BodyLimit,
        limit_for=_body_limit,
        refusals={"/ispws/": ispws_too_large, "/report": report_too_large},
    )
    # Outermost but one: even a refused body gets the headers.
    app.add_middleware(
        SecurityHeaders, headers=SECURITY_HEADERS, secure_cookies=settings.secure_cookies
    )
    # Outermost: the client address and scheme are settled before anything reads them (the
    # headers above need the scheme; rate limits need the address).
    app.add_middleware(ForwardedHeaders, trusted=TrustedProxies(trusted_proxies))
    _install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    _compose_domains()
    _mount_routers(app)
    return app


def _compose_domains() -> None:
    """What one domain adds to another's answers without the other importing it: the notices a
    victim asked for are part of their take-down case's status (takedown.service)."""
    takedown.add_status_part("notices", notice_requests.case_part)


def _mount_routers(app: FastAPI) -> None:
    """Every domain's pages and API, pages first."""
    app.include_router(web_pages)
    app.include_router(reports_pages)
    app.include_router(auth_pages)
    app.include_router(forwarding_pages)
    app.include_router(review_pages)
    app.include_router(referral_pages)
    app.include_router(takedown_pages)
    app.include_router(notices_pages)
    app.include_router(stats_pages)
    app.include_router(support_pages)
    app.include_router(reports_api)
    app.include_router(takedown_api)
    app.include_router(notices_api)
    app.include_router(detect_api)
    app.include_router(stats_api)
    app.include_router(support_api)
    app.include_router(auth_api)
    app.include_router(ispws_api)
    app.include_router(hashsharing_api)
