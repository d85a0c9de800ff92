"""The small JSON API the review screen calls while the reviewer types, and a health check."""

from __future__ import annotations

from fastapi import APIRouter

from services.review import parse_input
from webapp.deps import CurrentReviewer, LexiconDep
from webapp.schemas import Health, ParseRequest, ParseResponse

router = APIRouter(tags=["api"])


@router.post("/api/parse", response_model=ParseResponse)
def parse(body: ParseRequest, _viewer: CurrentReviewer, lexicon: LexiconDep) -> ParseResponse:
    """A typed value in its canonical form, or why it cannot be saved (the save checks again)."""
    parsed = parse_input(lexicon, body.value_type, body.raw, key=body.key, reference_year=body.reference_year)
    return ParseResponse(ok=parsed.ok, value=parsed.value, message=parsed.message, warning=parsed.warning)


@router.get("/healthz", response_model=Health)
def health() -> Health:
    return Health()
