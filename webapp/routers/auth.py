"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.users import LoginThrottled, authenticate, end_session, start_session
from webapp.deps import OptionalUser, SessionDep
from webapp.security import (
    LOGIN_COOKIE,
    clear_session_cookie,
    login_csrf,
    new_login_nonce,
    secret,
    session_token,
    set_login_cookie,
    set_session_cookie,
)
from webapp.templating import render

router = APIRouter(tags=["auth"])


def _safe_next(target: str | None) -> str:
    """Only a path of this site: an absolute or protocol-relative URL would make an open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, next_url: str, error: str | None = None, status_code: int = 200) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or new_login_nonce()
    response = render(
        request,
        "login.html",
        {"login_csrf": login_csrf(request, nonce), "next_url": next_url, "error": error},
        status_code=status_code,
    )
    set_login_cookie(request, response, nonce)
    return response


@router.get("/login")
def login_form(request: Request, viewer: OptionalUser, next: str | None = None) -> Response:
    if viewer is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    ip = request.client.host if request.client else "unknown"
    try:
        user = authenticate(db, username, password, ip)
    except LoginThrottled as exc:
        return _login_page(request, _safe_next(next), exc.message, status_code=429)
    if user is None:
        # The attempt must be counted even though the answer is an error page.
        db.commit()
        return _login_page(request, _safe_next(next), "Wrong user name or password.", status_code=401)
    previous = session_token(request)
    if previous:  # a fresh token at every sign-in: a planted cookie is never promoted to a session
        end_session(db, secret(request), previous)
    token = start_session(db, user, secret(request))
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep) -> Response:
    token = session_token(request)
    if token:
        end_session(db, secret(request), token)
    response = RedirectResponse("/login?notice=signed_out", status_code=303)
    clear_session_cookie(response)
    return response
