"""Security headers on every response, session cookies, and CSRF tokens checked on every state-changing request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, Response

from services.users import SESSION_MAX, csrf_token

SESSION_COOKIE = "archive_session"
LOGIN_COOKIE = "archive_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# No inline script or style anywhere: the pages load their code and styles from /static only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Pages hold personal data: never kept by shared caches or the browser's back-forward history on disk.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def secret(request: Request) -> bytes:
    key: bytes = request.app.state.secret
    return key


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def request_csrf(request: Request) -> str:
    """The CSRF token pages embed for the current session ('' when signed out)."""
    token = session_token(request)
    return csrf_token(secret(request), token) if token else ""


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_MAX.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def login_csrf(request: Request, nonce: str) -> str:
    return hmac.new(secret(request), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)


def set_login_cookie(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


async def _sent_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def csrf_protect(request: Request) -> None:
    """Refuses (403) a state-changing request whose CSRF token is missing or not this session's.

    Sign-in has no session yet: its token is tied to a random cookie set with the form instead.
    """
    if request.method in SAFE_METHODS:
        return
    sent = await _sent_token(request)
    if request.url.path == "/login":
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        expected = login_csrf(request, nonce) if nonce else ""
    else:
        expected = request_csrf(request)
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token: reload the page and try again")
