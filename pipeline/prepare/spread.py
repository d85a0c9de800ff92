"""Two-page spreads: a scan of an open book cut at its gutter into its two pages, in reading order."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.prepare.binarize import to_gray
from pipeline.prepare.orientation import OsdFunction
from pipeline.prepare.page import analysis_mask, find_rotation_and_skew, prepare_page, upright_page
from pipeline.types import PreparedPage

# Two A4 pages side by side are 420 x 297 mm (1.41:1); a single page, even landscape, is not this wide
# with its lines running along the long side unless it is a spread.
_MIN_SPREAD_ASPECT = 1.2
_GUTTER_ZONE = (0.4, 0.6)  # share of the long side where the gutter may be
# The gutter column holds at most this share of the typical column's ink (text and lines stop there).
_MAX_GUTTER_INK = 0.15
_SMOOTHING = 0.01  # of the long side
# Records of a spread's second page are numbered from this slot on, after any first page's (a form holds
# one or two): a record stays keyed by (scan page, slot), and its slot says which page of the spread it is on.
SPREAD_SLOT_OFFSET = 100


def find_gutter(mask: np.ndarray) -> int | None:
    """Column (in the mask) of the gutter of a spread whose pages stand side by side, or None.

    Long vertical runs (the gutter's shadow, the pages' frames) are left out of the column profile, so
    the gutter shows as the emptiest column band near the middle.
    """
    height, width = mask.shape
    vertical = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((max(3, height // 4), 1), np.uint8))
    profile = np.count_nonzero((mask > 0) & (vertical == 0), axis=0).astype(np.float64)
    window = max(1, round(width * _SMOOTHING))
    profile = np.convolve(profile, np.ones(window) / window, mode="same")
    typical = float(np.median(profile[round(width * 0.1) : round(width * 0.9)]))
    low, high = round(width * _GUTTER_ZONE[0]), round(width * _GUTTER_ZONE[1])
    gutter = low + int(np.argmin(profile[low:high]))
    if typical <= 0 or profile[gutter] > _MAX_GUTTER_INK * typical:
        return None
    return gutter


def _halves(gray: np.ndarray, mask: np.ndarray, side_by_side: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The scan cut at its gutter into two halves in image order (left/right, or top/bottom), or None."""
    oriented = mask if side_by_side else np.ascontiguousarray(mask.T)
    gutter = find_gutter(oriented)
    if gutter is None:
        return None
    cut = round((gutter + 0.5) * (gray.shape[1] if side_by_side else gray.shape[0]) / oriented.shape[1])
    if side_by_side:
        return gray[:, :cut].copy(), gray[:, cut:].copy()
    return gray[:cut].copy(), gray[cut:].copy()


def prepare_spread(image: np.ndarray, *, osd: OsdFunction | None = None) -> tuple[PreparedPage, ...]:
    """:func:`prepare_page` for a scan that may hold two pages: one prepared page, or two in reading order.

    A scan that is landscape once turned upright (by the forms' ruled lines; by its shape when it has
    none) and has an empty band across its middle is cut there and each half prepared. The halves are kept
    only if both come out as upright portrait pages. Which half comes first depends on how the spread was
    turned: the left page is on the left when scanned upright, on the right at 180 degrees, on top at 90
    (clockwise) and at the bottom at 270.
    """
    gray = to_gray(image)
    mask = analysis_mask(gray)
    orientation, skew_deg = find_rotation_and_skew(gray, mask)
    sideways = orientation.source == "structure" and orientation.rotation in (90, 270)
    height, width = gray.shape
    upright_width, upright_height = (height, width) if sideways else (width, height)
    if upright_width >= _MIN_SPREAD_ASPECT * upright_height:
        halves = _halves(gray, mask, side_by_side=not sideways)
        if halves is not None:
            prepared = tuple(prepare_page(half, osd=osd) for half in halves)
            if all(page.image.shape[0] > page.image.shape[1] for page in prepared):
                surest = max(prepared, key=lambda page: page.orientation_confidence)
                return prepared[::-1] if surest.rotation in (180, 270) else prepared
    if orientation.source == "structure":
        # what prepare_page finds too (the ruled lines decide before OSD is asked), without measuring again
        return (upright_page(gray, orientation, skew_deg),)
    return (prepare_page(gray, osd=osd),)
