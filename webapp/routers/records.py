"""The records list (filter by status, office, book) and a record's read-only page with its history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from pipeline.types import RecordStatus
from services.review import REVIEWABLE, list_records, review_screen, visible_books
from webapp.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from webapp.templating import render

router = APIRouter(prefix="/records", tags=["records"])
STATUSES = [s.value for s in RecordStatus]


@router.get("")
def records(
    request: Request,
    db: SessionDep,
    viewer: CurrentUser,
    status: Annotated[str, Query(max_length=24)] = "",
    office: Annotated[str, Query(max_length=16)] = "",
    book: Annotated[str, Query(max_length=12)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if status and status not in STATUSES:
        raise HTTPException(status_code=422, detail=f"unknown status {status!r}")
    book_id = int(book) if book.isdigit() else None
    listing = list_records(db, viewer, status=status or None, office=office or None, book_id=book_id, page=page)
    books = visible_books(db, viewer)
    offices = sorted(viewer.offices) if viewer.offices is not None else sorted({b[2] for b in books})
    context = {
        "listing": listing,
        "books": books,
        "offices": offices,
        "statuses": STATUSES,
        "filters": {"status": status, "office": office, "book": book},
    }
    return render(request, "records.html", context)


@router.get("/{record_id}")
def record_page(
    request: Request,
    db: SessionDep,
    viewer: CurrentUser,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    record_id: str,
) -> Response:
    screen = review_screen(db, viewer, record_id, catalogue, settings.resolved_data_dir)
    reviewable = viewer.can_review and screen.record.status in REVIEWABLE
    return render(request, "record.html", {"screen": screen, "reviewable": reviewable})
