"""Batches for operators, managers and admins: each run, its counts and its quarantined files and failed pages."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from database.accounts import Role
from pipeline.config import Settings
from pipeline.errors import NotFound
from services.batches import problems_of_batch
from services.dashboard import batch_of, batches
from services.users import Viewer
from webapp.deps import CurrentUser, SessionDep, SettingsDep
from webapp.templating import render

router = APIRouter(prefix="/batches", tags=["batches"])
BATCH_ROLES = frozenset({Role.OPERATOR, Role.MANAGER, Role.ADMIN})
SUMMARY_KEYS = (
    "files",
    "pages",
    "pages_done",
    "records",
    "auto_verified",
    "to_review",
    "loaded",
    "quarantined",
    "failed",
)


def batch_viewer(viewer: CurrentUser) -> Viewer:
    if viewer.role not in BATCH_ROLES:
        raise HTTPException(status_code=403, detail=f"a {viewer.role.value} cannot open the batches")
    return viewer


BatchViewer = Annotated[Viewer, Depends(batch_viewer)]


def prefect_run_url(settings: Settings, flow_run_id: str | None) -> str | None:
    """The run's page in the Prefect UI, when the UI's address is configured and the run is known."""
    if not settings.prefect_ui_url or not flow_run_id:
        return None
    return f"{settings.prefect_ui_url.rstrip('/')}/runs/flow-run/{flow_run_id}"


@router.get("")
def batch_list(request: Request, db: SessionDep, viewer: BatchViewer, settings: SettingsDep) -> Response:
    context = {
        "batches": batches(db, viewer.offices),
        "selected": None,
        "problems": [],
        "keys": SUMMARY_KEYS,
        "run_url": partial(prefect_run_url, settings),
    }
    return render(request, "batches.html", context)


@router.get("/{batch_id}")
def batch_page(request: Request, db: SessionDep, viewer: BatchViewer, settings: SettingsDep, batch_id: str) -> Response:
    found = batch_of(db, viewer.offices, batch_id)
    if found is None:
        raise NotFound("no such batch")
    context = {
        "batches": [found],
        "selected": found,
        "problems": problems_of_batch(db, batch_id),
        "keys": SUMMARY_KEYS,
        "run_url": partial(prefect_run_url, settings),
    }
    return render(request, "batches.html", context)
