"""The review screen of one leased record, and what a reviewer does there: claim, save, reject, release."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from services.review import (
    REJECT_REASONS,
    REVIEWABLE,
    FieldInput,
    ReviewInvalid,
    claim_next,
    claim_record,
    reject_record,
    release,
    review_screen,
    save_review,
)
from webapp.deps import CatalogueDep, CurrentReviewer, LexiconDep, RegistryDep, SessionDep, SettingsDep
from webapp.templating import render

router = APIRouter(prefix="/review", tags=["review"])


async def form_data(request: Request) -> FormData:
    """The posted form, read on the event loop so the route itself can run in the thread pool."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def _text(form: FormData, name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _version(form: FormData) -> int:
    raw = _text(form, "version", 12)
    return int(raw) if raw.isdigit() else -1


def _after(db: SessionDep, viewer: CurrentReviewer, form: FormData, notice: str, route: str) -> Response:
    """Either the next record (Ctrl+Enter, "save and next") or the queue."""
    if _text(form, "next", 2) == "1":
        record_id = claim_next(db, viewer, route=route)
        if record_id is not None:
            return RedirectResponse(f"/review/{record_id}", status_code=303)
        notice = "empty"
    return RedirectResponse(f"/queue?notice={notice}", status_code=303)


def _screen_page(
    request: Request,
    db: SessionDep,
    viewer: CurrentReviewer,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    record_id: str,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, FieldInput] | None = None,
    status_code: int = 200,
) -> Response:
    screen = review_screen(db, viewer, record_id, catalogue, settings.resolved_data_dir)
    if screen.record.status not in REVIEWABLE:
        return RedirectResponse(f"/records/{record_id}", status_code=303)
    context = {"screen": screen, "errors": errors or {}, "typed": typed or {}, "reject_reasons": REJECT_REASONS}
    return render(request, "review.html", context, status_code=status_code)


@router.get("/{record_id}")
def review_page(
    request: Request,
    db: SessionDep,
    viewer: CurrentReviewer,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    record_id: str,
) -> Response:
    return _screen_page(request, db, viewer, settings, catalogue, record_id)


@router.post("/{record_id}/claim")
def claim(db: SessionDep, viewer: CurrentReviewer, record_id: str) -> Response:
    if not claim_record(db, viewer, record_id, route="POST /review/claim"):
        return RedirectResponse(f"/records/{record_id}?notice=taken", status_code=303)
    return RedirectResponse(f"/review/{record_id}", status_code=303)


@router.post("/{record_id}/save")
def save(
    request: Request,
    db: SessionDep,
    viewer: CurrentReviewer,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    lexicon: LexiconDep,
    registry: RegistryDep,
    form: FormDep,
    record_id: str,
) -> Response:
    inputs = {
        name.removeprefix("value:"): FieldInput(
            raw=_text(form, name, 2000), decision=_text(form, "decision:" + name.removeprefix("value:"), 16)
        )
        for name in form
        if name.startswith("value:")
    }
    try:
        save_review(db, registry, viewer, record_id, _version(form), inputs, lexicon, route="POST /review/save")
    except ReviewInvalid as exc:
        return _screen_page(
            request, db, viewer, settings, catalogue, record_id, errors=exc.errors, typed=inputs, status_code=422
        )
    return _after(db, viewer, form, "saved", "POST /review/save")


@router.post("/{record_id}/reject")
def reject(db: SessionDep, viewer: CurrentReviewer, form: FormDep, record_id: str) -> Response:
    reject_record(
        db,
        viewer,
        record_id,
        _version(form),
        _text(form, "reason", 40),
        _text(form, "note", 500),
        route="POST /review/reject",
    )
    return _after(db, viewer, form, "rejected", "POST /review/reject")


@router.post("/{record_id}/release")
def release_record(db: SessionDep, viewer: CurrentReviewer, record_id: str) -> Response:
    release(db, viewer, record_id, route="POST /review/release")
    return RedirectResponse("/queue?notice=released", status_code=303)
