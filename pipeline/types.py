"""Small frozen dataclasses that the stages pass to each other (arrays in, these out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class FieldState(StrEnum):
    AUTO = "auto"
    FLAGGED = "flagged"
    CORRECTED = "corrected"
    CONFIRMED = "confirmed"


class RecordStatus(StrEnum):
    AUTO_VERIFIED = "auto_verified"
    NEEDS_REVIEW = "needs_review"
    IN_REVIEW = "in_review"
    VERIFIED = "verified"
    REJECTED = "rejected"
    LOADED = "loaded"


@dataclass(frozen=True)
class PageQuality:
    """Measured on the prepared page; feeds the field score. All in [0, 1] except ``blur`` (variance)."""

    blur: float  # variance of the Laplacian: low = blurred
    contrast: float  # spread between ink and paper, 0..1
    darkness: float  # share of dark pixels, 0..1
    score: float  # 0 (unusable) .. 1 (clean)


@dataclass(frozen=True)
class PreparedPage:
    """A page turned upright and deskewed. ``rotation`` and ``skew_deg`` describe the scan as found."""

    image: np.ndarray  # grayscale uint8, 255 = paper
    rotation: int  # clockwise quarter-turn the page was scanned with: 0, 90, 180, 270
    skew_deg: float  # small extra rotation found (positive = counter-clockwise)
    quality: PageQuality
    orientation_confidence: float = 1.0


@dataclass(frozen=True)
class FieldCrop:
    """The pixels of one field of one record slot, cut from the page aligned to its template."""

    key: str
    slot: int
    image: np.ndarray  # grayscale uint8, ruled lines removed
    box_px: tuple[int, int, int, int]  # x, y, w, h in the aligned page (template frame at ``dpi``)


@dataclass(frozen=True)
class SegmentedPage:
    """The form found on a page, the page aligned to it, and the field crops of each record slot."""

    form_id: str | None  # None: the page matches no known form (``unmatched``)
    match_score: float  # 0..1, how well the page matched the chosen form
    alignment_score: float  # 0..1, residual fit of the ruled lines after alignment
    aligned: np.ndarray | None  # the page warped into the template frame
    dpi: int
    slots: tuple[tuple[FieldCrop, ...], ...] = ()  # one tuple of crops per record slot that holds a record


@dataclass(frozen=True)
class OcrResult:
    """What the engine read: the text exactly as recognised and a confidence in [0, 1] (the mean of its words)."""

    text: str
    confidence: float
    char_confidences: tuple[float, ...] = ()
    word_confidences: tuple[float, ...] = ()  # each word's confidence in [0, 1], in reading order

    @property
    def min_word_confidence(self) -> float:
        """The least sure word: one misread word in a long place or remark hides in the mean, not here
        (the mean is used when the engine gave no word confidences)."""
        return min(self.word_confidences) if self.word_confidences else self.confidence


@dataclass(frozen=True)
class ParsedValue:
    """A raw text parsed to the catalogue's canonical value. ``value`` is None for a blank field."""

    value: str | None
    ok: bool  # False: the text could not be parsed as its type (value is then the cleaned text or None)
    blank: bool = False
    reasons: tuple[str, ...] = ()  # e.g. ("not_in_lexicon",)
    lexicon_match: bool | None = None  # None: no lexicon applies to this type


@dataclass(frozen=True)
class FieldReading:
    """One field of one record after recognition and the accept-or-review decision."""

    key: str
    value_type: str
    raw_text: str
    value: str | None
    confidence: float  # the combined field score in [0, 1]
    state: FieldState
    reasons: tuple[str, ...] = ()
    engine_confidence: float = 0.0
    box_px: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass(frozen=True)
class RecordReading:
    slot: int
    fields: tuple[FieldReading, ...]
    status: RecordStatus


@dataclass(frozen=True)
class PageReading:
    """Everything the pipeline learned from one page; the flow persists it."""

    rotation: int
    skew_deg: float
    quality: PageQuality
    form_id: str | None
    match_score: float
    alignment_score: float
    records: tuple[RecordReading, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU time of the page's thread per stage
