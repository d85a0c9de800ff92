"""Jinja2 templates with what every page needs: the user, the CSRF token, labels of states."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from webapp.security import request_csrf

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
# Messages shown after a redirect are chosen by code, so a link cannot make the page say anything else.
NOTICES = {
    "saved": "Record saved and verified.",
    "rejected": "Record rejected.",
    "released": "Record returned to the queue.",
    "empty": "No record is waiting for review in your offices.",
    "taken": "Someone else is reviewing that record.",
    "signed_out": "You are signed out.",
    "password_changed": "Your password is changed.",
}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


templates.env.filters["when"] = _when


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    base = {"viewer": viewer, "csrf": request_csrf(request) if viewer else "", "notice": notice}
    return templates.TemplateResponse(request, name, base | (context or {}), status_code=status_code)
