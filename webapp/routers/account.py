"""The signed-in user's own account: changing their password (required at first sign-in when set by someone else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.users import MIN_PASSWORD, AccountError, change_password, resolve_session
from webapp.deps import SessionDep, SignedInUser
from webapp.security import secret, session_token
from webapp.templating import render

router = APIRouter(tags=["account"])


def _form(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "password.html", {"error": error, "min_length": MIN_PASSWORD}, status_code=status_code)


@router.get("/password")
def password_form(request: Request, _viewer: SignedInUser) -> Response:
    return _form(request)


@router.post("/password")
def password_change(
    request: Request,
    db: SessionDep,
    viewer: SignedInUser,
    current: Annotated[str, Form(max_length=256)],
    new: Annotated[str, Form(max_length=256)],
    repeated: Annotated[str, Form(max_length=256)],
) -> Response:
    """Checks the current password; the user's other sessions end, this one stays signed in."""
    web = resolve_session(db, secret(request), session_token(request))
    try:
        change_password(db, viewer.username, current, new, repeated, keep_session=web.id if web else None)
    except AccountError as exc:
        return _form(request, exc.message, status_code=422)
    start = "/queue" if viewer.can_review else "/records"
    return RedirectResponse(f"{start}?notice=password_changed", status_code=303)
