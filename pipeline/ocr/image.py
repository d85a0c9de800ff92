"""Prepares a field crop for Tesseract: finds the ink, tells a blank field, binarizes, trims and pads."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Tesseract's line recogniser reads best when a line of writing is 30-80 px high; typed fields at 300 dpi
# are about 48 px, handwriting is often larger, and a lone digit trimmed to its ink can be tiny.
TARGET_LINE_HEIGHT_PX = 48
# A trimmed image narrower than this makes Tesseract drop a lone digit ('7' read as 'о' or nothing).
MIN_WIDTH_PX = 160
PAD_PX = 12
# Ink must stand out from the paper around it by this many grey levels somewhere in each stroke.
MIN_CONTRAST = 40
# The local-contrast window, as a share of the crop height (about 2 mm): wider than any pen or type stroke.
STROKE_WINDOW = 0.15
# Total ink needed, in multiples of the crop height: one short stroke ('1', a dash) is about 1.5 heights.
MIN_INK_HEIGHTS = 0.8
# A stroke touching the top edge that ends above this share of the height comes from the line above.
UPPER_PART = 0.45


@dataclass(frozen=True)
class InkImage:
    """A binarized field image (uint8, 255 = paper) trimmed to its ink and padded, or a blank field."""

    image: np.ndarray | None  # None when blank
    ink_pixels: int
    # writing runs into the left or right edge of the crop: it may go on beyond the box and be cut off
    cut_off: bool = False

    @property
    def blank(self) -> bool:
        return self.image is None


def _strokes(gray: np.ndarray) -> np.ndarray:
    """Boolean ink mask from local contrast: a black-hat (closing minus image) with a window wider than any
    stroke keeps writing and drops shading, stains and yellowed paper, which are wider than the window.

    Dropped from the mask: components smaller than a full stop of the smallest expected writing, and
    strokes hanging from the top edge that end in the upper part of the box (the descenders of the line
    above, cut in with the box).
    """
    height = gray.shape[0]
    window = max(9, round(height * STROKE_WINDOW) | 1)
    # the closing picks the brightest grain of the paper around each pixel, so grain must be smoothed first
    smooth = cv2.GaussianBlur(gray, (5, 5), 0)
    contrast = cv2.morphologyEx(smooth, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (window, window)))
    otsu, _ = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu needs a fair share of ink; on a lone digit in a long noisy box it splits the paper grain instead,
    # so the threshold also stays at least four noise deviations (median absolute deviation) above paper.
    sample = contrast[::3, ::3].astype(np.int16)  # every ninth pixel estimates the spread well enough
    noise = 1.4826 * float(np.median(np.abs(sample - np.median(sample))))
    ink = contrast >= max(otsu, MIN_CONTRAST / 2, 4 * noise)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    min_area = max(6, round((height * 0.035) ** 2))
    top, bottom = stats[:, cv2.CC_STAT_TOP], stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT]
    from_line_above = (top == 0) & (bottom < UPPER_PART * height)
    # a component is writing only where it is somewhere as dark against its surroundings as ink is
    inky = np.zeros(count, dtype=bool)
    inky[np.unique(labels[contrast >= MIN_CONTRAST])] = True
    keep = (stats[:, cv2.CC_STAT_AREA] >= min_area) & ~from_line_above & inky
    keep[0] = False
    return keep[labels]


def prepare_field(gray: np.ndarray) -> InkImage:
    """The crop binarized, trimmed to its ink, scaled to a readable line height and padded; or blank."""
    if gray.ndim != 2 or gray.size == 0 or gray.dtype != np.uint8:
        raise ValueError(f"a field crop must be a non-empty 2-D uint8 array, got {gray.dtype} {gray.shape}")
    strokes = _strokes(gray)
    ink_pixels = int(strokes.sum())
    if ink_pixels < MIN_INK_HEIGHTS * gray.shape[0]:
        return InkImage(image=None, ink_pixels=ink_pixels)
    ys, xs = np.nonzero(strokes)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    cut_off = bool(left == 0 or right == gray.shape[1])
    trimmed = np.where(strokes[top:bottom, left:right], 0, 255).astype(np.uint8)
    height = bottom - top
    # a multi-line box (marks) is judged by one line, roughly a third of a tall ink block
    line_height = height if height < 3 * TARGET_LINE_HEIGHT_PX else height / 3
    scale = TARGET_LINE_HEIGHT_PX / line_height
    if not 0.6 <= scale <= 1.6:
        interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        resized = cv2.resize(trimmed, None, fx=scale, fy=scale, interpolation=interpolation)
        trimmed = np.where(resized < 128, 0, 255).astype(np.uint8)
    extra = max(0, MIN_WIDTH_PX - trimmed.shape[1] - 2 * PAD_PX)
    padded = cv2.copyMakeBorder(trimmed, PAD_PX, PAD_PX, PAD_PX, PAD_PX + extra, cv2.BORDER_CONSTANT, value=255)
    return InkImage(image=padded, ink_pixels=ink_pixels, cut_off=cut_off)


# A second look at a field, to confirm a reading (see pipeline.ocr.fields): the ink image larger, and the grey
# crop left for Tesseract to binarize itself. Each changes what the recogniser sees enough that a misread
# rarely comes out the same twice, while a clean reading does (measured on the tuning pages).
CONFIRM_SCALE = 1.4
GREY_LINE_SCALE = 1.6


def enlarged(ink: np.ndarray, factor: float = CONFIRM_SCALE) -> np.ndarray:
    """A binarized field image scaled by ``factor`` and binarized again."""
    resized = cv2.resize(ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return np.where(resized < 128, 0, 255).astype(np.uint8)


def grey_line(gray: np.ndarray) -> np.ndarray:
    """The field crop as scanned, scaled to a readable line height and padded with its own edge, unbinarized."""
    scale = TARGET_LINE_HEIGHT_PX * GREY_LINE_SCALE / gray.shape[0]
    resized = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(resized, PAD_PX, PAD_PX, PAD_PX, PAD_PX, cv2.BORDER_REPLICATE)
