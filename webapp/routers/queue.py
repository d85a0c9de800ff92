"""The reviewer's queue: what waits in their offices, and "next record", which leases the most urgent one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.review import claim_next, queue_counts
from webapp.deps import CurrentReviewer, CurrentUser, SessionDep
from webapp.templating import render

router = APIRouter(tags=["queue"])


@router.get("/")
def home(viewer: CurrentUser) -> Response:
    return RedirectResponse("/queue" if viewer.can_review else "/records", status_code=303)


@router.get("/queue")
def queue(request: Request, db: SessionDep, viewer: CurrentReviewer) -> Response:
    return render(request, "queue.html", {"counts": queue_counts(db, viewer)})


@router.post("/queue/next")
def next_record(db: SessionDep, viewer: CurrentReviewer) -> Response:
    record_id = claim_next(db, viewer, route="POST /queue/next")
    if record_id is None:
        return RedirectResponse("/queue?notice=empty", status_code=303)
    return RedirectResponse(f"/review/{record_id}", status_code=303)
