"""Which quarter-turn a page was scanned with: from the ruled-line layout of the forms, else from an OSD callable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipeline.prepare.lines import horizontal_segments

# (clockwise rotation the page was scanned with, confidence): the OCR engine's orientation detection.
OsdFunction = Callable[[np.ndarray], tuple[int, float]]

# The forms' value lines run from 84 to 196 mm on a 210 mm page, the labels sit to their left: a block
# of equally long lines whose middle lies this far right of the page's middle says the page is upright.
_MIN_ALIGNED_LINES = 5
_MIN_LINE_SHARE = 0.25  # of the page width
_END_TOLERANCE = 0.02  # of the page width, for lines to count as sharing their ends
_MIN_OFFCENTRE = 0.05  # of the page width
_FULL_CONFIDENCE_OFFCENTRE = 0.12
_FULL_CONFIDENCE_LINES = 10


@dataclass(frozen=True)
class Orientation:
    """``rotation`` is the clockwise quarter-turn the page was scanned with; ``source`` says what decided it."""

    rotation: int
    confidence: float
    source: str  # "structure", "osd" or "default"


def orientation_from_structure(mask: np.ndarray) -> Orientation | None:
    """0 or 180 for a mask whose lines already run across, or None when it shows no form's line block.

    ``mask`` is an ink mask (255 = ink) turned so the lines are horizontal, e.g. at quarter scale.
    """
    width = mask.shape[1]
    segments = horizontal_segments(mask, round(width * _MIN_LINE_SHARE / 2))
    segments = segments.subset(segments.length >= width * _MIN_LINE_SHARE)
    if len(segments) < _MIN_ALIGNED_LINES:
        return None
    tolerance = width * _END_TOLERANCE
    # The largest group of lines that share both ends (the value lines of one form).
    same_ends = (np.abs(segments.start[:, None] - segments.start[None, :]) <= tolerance) & (
        np.abs(segments.end[:, None] - segments.end[None, :]) <= tolerance
    )
    members = same_ends[int(np.argmax(same_ends.sum(axis=1)))]
    count = int(members.sum())
    if count < _MIN_ALIGNED_LINES:
        return None
    middle = float(np.median((segments.start[members] + segments.end[members]) / 2)) / width
    offcentre = middle - 0.5
    if abs(offcentre) < _MIN_OFFCENTRE:
        return None
    confidence = min(1.0, count / _FULL_CONFIDENCE_LINES) * min(1.0, abs(offcentre) / _FULL_CONFIDENCE_OFFCENTRE)
    return Orientation(rotation=0 if offcentre > 0 else 180, confidence=round(confidence, 3), source="structure")


def orientation_from_osd(page: np.ndarray, osd: OsdFunction) -> Orientation:
    """Asks the OCR engine; its answer is checked to be a quarter-turn and its confidence clipped to [0, 1]."""
    rotation, confidence = osd(page)
    rotation = int(rotation) % 360
    if rotation not in (0, 90, 180, 270):
        raise ValueError(f"orientation detection returned {rotation} degrees, not a quarter-turn")
    return Orientation(rotation=rotation, confidence=float(np.clip(confidence, 0.0, 1.0)), source="osd")
