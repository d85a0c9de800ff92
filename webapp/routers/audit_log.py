"""The audit log for admins: every change (who, when, record, field, old → new, reason), filtered and paged."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from database.accounts import Role
from services.audit import AuditFilter, audit_actors, audit_log, audit_offices
from services.users import Viewer
from webapp.deps import CurrentUser, SessionDep
from webapp.templating import render

router = APIRouter(prefix="/audit-log", tags=["audit"])


def current_admin(viewer: CurrentUser) -> Viewer:
    if viewer.role != Role.ADMIN:
        raise HTTPException(status_code=403, detail=f"a {viewer.role.value} cannot read the audit log")
    return viewer


CurrentAdmin = Annotated[Viewer, Depends(current_admin)]


def _date(text: str, name: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=f"{name}: not a date; use YYYY-MM-DD") from exc


@router.get("")
def audit_log_page(
    request: Request,
    db: SessionDep,
    _admin: CurrentAdmin,
    user: Annotated[str, Query(max_length=64)] = "",
    office: Annotated[str, Query(max_length=16)] = "",
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    filters = AuditFilter(
        actor=user or None,
        office=office or None,
        date_from=_date(date_from, "from"),
        date_to=_date(date_to, "to"),
    )
    listing = audit_log(db, filters, page=page)
    chosen = {"user": user, "office": office, "date_from": date_from, "date_to": date_to}
    query = urlencode({k: v for k, v in chosen.items() if v})
    context = {
        "listing": listing,
        "filters": chosen,
        "actors": audit_actors(db),
        "offices": audit_offices(db),
        "query": query + "&" if query else "",
    }
    return render(request, "audit_log.html", context)
