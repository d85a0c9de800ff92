"""The small JSON API of the review screen (typed values checked, lease kept), and a health check."""

from __future__ import annotations

from fastapi import APIRouter

from services.review import parse_input, renew_lease
from webapp.deps import CurrentReviewer, LexiconDep, SessionDep
from webapp.schemas import Health, LeaseResponse, ParseRequest, ParseResponse

router = APIRouter(tags=["api"])


@router.post("/api/parse", response_model=ParseResponse)
def parse(body: ParseRequest, _viewer: CurrentReviewer, lexicon: LexiconDep) -> ParseResponse:
    """A typed value in its canonical form, or why it cannot be saved (the save checks again)."""
    parsed = parse_input(lexicon, body.value_type, body.raw, key=body.key, reference_year=body.reference_year)
    return ParseResponse(ok=parsed.ok, value=parsed.value, message=parsed.message, warning=parsed.warning)


@router.post("/api/records/{record_id}/lease", response_model=LeaseResponse)
def renew(db: SessionDep, viewer: CurrentReviewer, record_id: str) -> LeaseResponse:
    """Keeps the record leased while its review screen is open (the screen calls this every few minutes)."""
    until = renew_lease(db, viewer, record_id)
    return LeaseResponse(held=until is not None, until=until)


@router.get("/healthz", response_model=Health)
def health() -> Health:
    return Health()
