"""The app factory: settings, shared state, security middleware, CSRF on every route, routers, error pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from database.session import registry_sessions, workflow_sessions
from pipeline.config import Settings, get_settings
from pipeline.errors import ArchiveError, DatabaseUnavailable, NotFound
from pipeline.forms.catalogue import load_catalogue
from pipeline.ocr.lexicon import load_lexicon
from services.redaction import install_redaction, personal_field_keys, redact_text
from services.review import Forbidden, ReviewConflict, ReviewInvalid
from services.users import secret_key
from webapp.deps import LoginRequired, PasswordChangeRequired
from webapp.routers import account, api, audit_log, auth, batches, dashboard, images, queue, records, review, search
from webapp.security import csrf_protect, security_headers
from webapp.templating import render

STATIC_DIR = Path(__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _error(request: Request, status_code: int, message: str) -> Response:
    # An error page never shows a record's values, even when a message was built with one.
    message = redact_text(message)
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return render(request, "error.html", {"status_code": status_code, "message": message}, status_code=status_code)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _password(request: Request, _exc: PasswordChangeRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "change your password first"}, status_code=403)
        return RedirectResponse("/password", status_code=303)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, _exc: NotFound) -> Response:
        return _error(request, 404, "Not found.")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(ReviewConflict)
    async def _conflict(request: Request, exc: ReviewConflict) -> Response:
        return _error(request, 409, exc.message)

    @app.exception_handler(ReviewInvalid)
    async def _invalid(request: Request, exc: ReviewInvalid) -> Response:
        return _error(request, 422, exc.message)

    @app.exception_handler(DatabaseUnavailable)
    async def _database(request: Request, _exc: DatabaseUnavailable) -> Response:
        return _error(request, 503, "The database cannot be reached; try again in a minute.")

    @app.exception_handler(ArchiveError)
    async def _archive(request: Request, exc: ArchiveError) -> Response:
        return _error(request, 400, exc.message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        return _error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            # Where and why only: pydantic's "input" and "ctx" would send the typed values back.
            errors = [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in exc.errors()]
            return JSONResponse({"detail": errors}, status_code=422)
        return _error(request, 422, "The request was not understood.")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app on the given settings' databases (the environment's when None). Databases must be migrated."""
    settings = settings or get_settings()
    app = FastAPI(
        title="archive-digitizer review",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.secret = secret_key(settings)
    app.state.catalogue = load_catalogue(settings.schemas_dir / "forms")
    install_redaction(personal_field_keys(app.state.catalogue))
    app.state.lexicon = load_lexicon(settings.schemas_dir)
    app.state.workflow = workflow_sessions(settings)
    # One database for both: the same session loads the registry (two writers on one SQLite file would block).
    same = settings.registry_database_url == settings.workflow_url
    app.state.registry = None if same else registry_sessions(settings)
    app.middleware("http")(security_headers)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth, account, audit_log, queue, review, records, images, api, dashboard, batches, search):
        app.include_router(module.router)
    _install_error_pages(app)
    return app
