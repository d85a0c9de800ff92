"""Accept or review: a field is auto-accepted only with a score at its threshold and nothing against it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.qa.thresholds import Thresholds
from pipeline.types import FieldReading, FieldState, PageQuality, RecordStatus

LOW_CONFIDENCE = "low_confidence"
PARSE_FAILED = "parse_failed"
NOT_IN_LEXICON = "not_in_lexicon"
BLANK_REQUIRED = "blank_required"
OCR_FAILED = "ocr_failed"
LOW_PAGE_QUALITY = "low_page_quality"
POOR_ALIGNMENT = "poor_alignment"
# every reason flags the field; this order is the order a reviewer reads them in
REASONS = (OCR_FAILED, BLANK_REQUIRED, PARSE_FAILED, NOT_IN_LEXICON, LOW_CONFIDENCE, LOW_PAGE_QUALITY, POOR_ALIGNMENT)


def page_reasons(thresholds: Thresholds, page_quality: PageQuality, alignment_score: float) -> tuple[str, ...]:
    """Reasons that flag every field of a page: a poor scan or a poor fit of the form."""
    reasons = []
    if page_quality.score < thresholds.min_page_quality:
        reasons.append(LOW_PAGE_QUALITY)
    if alignment_score < thresholds.min_alignment:
        reasons.append(POOR_ALIGNMENT)
    return tuple(reasons)


def decide_field(score: float, threshold: float, reasons: Iterable[str]) -> tuple[FieldState, tuple[str, ...]]:
    """``auto`` when the score reaches the threshold and no reason stands against the field, else
    ``flagged`` with every reason (``low_confidence`` added when the score of a reading falls short; a
    field whose OCR failed has no reading to be confident about)."""
    found = set(reasons)
    unknown = found - set(REASONS)
    if unknown:
        raise ValueError(f"unknown review reasons {sorted(unknown)}; known: {', '.join(REASONS)}")
    if score < threshold and OCR_FAILED not in found:
        found.add(LOW_CONFIDENCE)
    ordered = tuple(r for r in REASONS if r in found)
    return (FieldState.FLAGGED if ordered else FieldState.AUTO), ordered


def record_status(fields: Sequence[FieldReading]) -> RecordStatus:
    """``auto_verified`` when every field was accepted without review, else ``needs_review``."""
    if fields and all(f.state == FieldState.AUTO for f in fields):
        return RecordStatus.AUTO_VERIFIED
    return RecordStatus.NEEDS_REVIEW
