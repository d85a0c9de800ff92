"""The managers' view: progress per office, forecast, bottleneck, problems, reviewers; office → book → page."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from database.accounts import Role
from database.workflow import Book
from pipeline.errors import NotFound
from services.charts import daily_chart, progress_bar
from services.dashboard import (
    RATE_DAYS,
    book_pages,
    chart_days,
    dashboard,
    office_view,
    page_records,
    visible_book,
    visible_page,
)
from services.users import Viewer
from webapp.deps import CurrentUser, SessionDep, SettingsDep
from webapp.templating import render

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
MANAGING_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def current_manager(viewer: CurrentUser) -> Viewer:
    if viewer.role not in MANAGING_ROLES:
        raise HTTPException(status_code=403, detail=f"a {viewer.role.value} cannot open the managers' view")
    return viewer


CurrentManager = Annotated[Viewer, Depends(current_manager)]
PICTURES = {"bar": progress_bar, "chart": daily_chart, "rate_days": RATE_DAYS, "inf": math.inf}


@router.get("")
def overview(request: Request, db: SessionDep, viewer: CurrentManager, settings: SettingsDep) -> Response:
    today = datetime.now(UTC).date()
    offices_file = settings.schemas_dir / "offices.yaml"
    board = dashboard(db, offices_file, viewer.offices, today, parallel=request.app.state.workflow)
    return render(request, "dashboard.html", {"board": board, "today": today, **PICTURES})


@router.get("/offices/{code}")
def office(request: Request, db: SessionDep, viewer: CurrentManager, settings: SettingsDep, code: str) -> Response:
    if viewer.offices is not None and code not in viewer.offices:
        raise NotFound("no such office")
    today = datetime.now(UTC).date()
    found = office_view(db, settings.schemas_dir / "offices.yaml", code, today, parallel=request.app.state.workflow)
    if found is None:
        raise NotFound("no such office")
    figures, books = found
    context = {
        "office": figures,
        "books": books,
        "book_ids": _book_ids(db, code),
        "daily": chart_days(figures.per_day, today),
        "today": today,
        **PICTURES,
    }
    return render(request, "dashboard_office.html", context)


def _book_ids(db: Session, code: str) -> dict[tuple[str, int, str, str], int]:
    """Book ids by (act type, year, copy, label), the unique key of an office's books (progress rows have no id)."""
    rows = db.execute(select(Book.act_type, Book.year, Book.copy, Book.label, Book.id).where(Book.office == code))
    return {(r[0], r[1], r[2].value, r[3]): r[4] for r in rows}


@router.get("/books/{book_id}")
def book(request: Request, db: SessionDep, viewer: CurrentManager, book_id: int) -> Response:
    found = visible_book(db, viewer.offices, book_id)
    if found is None:
        raise NotFound("no such book")
    pages = book_pages(db, book_id)
    return render(request, "dashboard_book.html", {"book": found, "pages": pages})


@router.get("/pages/{page_id}")
def page(request: Request, db: SessionDep, viewer: CurrentManager, page_id: int) -> Response:
    found = visible_page(db, viewer.offices, page_id)
    if found is None:
        raise NotFound("no such page")
    the_page, the_book = found
    context = {"page": the_page, "book": the_book, "records": page_records(db, page_id)}
    return render(request, "dashboard_page.html", context)
