"""prepare_page: a scanned page turned upright and deskewed, with what was found and the page's quality."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.prepare.binarize import ink_mask, shrink_mask, to_gray
from pipeline.prepare.deskew import SkewEstimate, estimate_skew_both_axes, rotate_upright
from pipeline.prepare.orientation import (
    Orientation,
    OsdFunction,
    orientation_from_osd,
    orientation_from_structure,
)
from pipeline.prepare.quality import measure_quality
from pipeline.types import PreparedPage

# Skew and orientation are measured on the page shrunk to about 75 dpi (A4's 297 mm in ~880 px): ruled
# lines are still a pixel thick, and the profile search takes a few milliseconds.
_ANALYSIS_LONG_SIDE = 880


def analysis_mask(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink) of the page shrunk to the analysis size.

    Binarized at twice that size and then shrunk: a thin, faint line binarized at the small size breaks
    into dashes wherever it straddles two rows.
    """
    height, width = gray.shape
    scale = min(1.0, 2 * _ANALYSIS_LONG_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    mask = ink_mask(cv2.resize(gray, size, interpolation=cv2.INTER_AREA))
    return shrink_mask(mask, 2) if scale < 1.0 else mask


def _turned(mask: np.ndarray, quarter: int, skew_deg: float) -> np.ndarray:
    turned = rotate_upright(mask, quarter, skew_deg, border=0)
    # Interpolation greys a one-pixel line that lands between two rows; keep both rows rather than neither.
    return np.where(turned >= 64, np.uint8(255), np.uint8(0))


def find_rotation_and_skew(
    gray: np.ndarray, mask: np.ndarray, osd: OsdFunction | None = None
) -> tuple[Orientation, float]:
    """The scan's quarter-turn and its skew (degrees, counter-clockwise), from the analysis mask.

    The form's line block decides first (trying the axis the lines look sharper along first); pages
    without it are asked of ``osd`` (given the deskewed, binarized page as scanned); else 0, confidence 0.
    """
    across, down = estimate_skew_both_axes(mask)
    candidates: list[tuple[int, SkewEstimate]] = [(0, across), (90, down)]
    if down.sharpness > across.sharpness:
        candidates.reverse()
    for quarter, skew in candidates:
        found = orientation_from_structure(_turned(mask, quarter, skew.angle))
        if found is not None:
            rotation = (quarter + found.rotation) % 360
            return Orientation(rotation, found.confidence, found.source), skew.angle
    sharper = candidates[0][1]
    if osd is None:
        return Orientation(rotation=0, confidence=0.0, source="default"), sharper.angle
    binarized = 255 - ink_mask(rotate_upright(gray, 0, sharper.angle))
    found = orientation_from_osd(binarized, osd)
    skew = across if found.rotation in (0, 180) else down
    return found, skew.angle


def prepare_page(image: np.ndarray, *, osd: OsdFunction | None = None) -> PreparedPage:
    """Turns a scanned page (grayscale or RGB) upright and deskews it; the input array is left as it is.

    ``osd`` is the OCR engine's orientation detection, used only for pages without a form's ruled lines:
    it gets the page as scanned (deskewed, binarized, 255 = paper) and returns the clockwise rotation the
    page was scanned with and a confidence in [0, 1].
    """
    gray = to_gray(image)
    orientation, skew_deg = find_rotation_and_skew(gray, analysis_mask(gray), osd)
    return upright_page(gray, orientation, skew_deg)


def upright_page(gray: np.ndarray, orientation: Orientation, skew_deg: float) -> PreparedPage:
    """The grey scan turned by what :func:`find_rotation_and_skew` found, with its quality."""
    return PreparedPage(
        image=rotate_upright(gray, orientation.rotation, skew_deg),
        rotation=orientation.rotation,
        skew_deg=round(skew_deg, 3),
        quality=measure_quality(gray),
        orientation_confidence=orientation.confidence,
    )
