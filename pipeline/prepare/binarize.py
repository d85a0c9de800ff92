"""Ink masks: paper background flattened, then a global Otsu threshold (fast, and robust to stains and shading)."""

from __future__ import annotations

import cv2
import numpy as np

# The paper brightness is estimated on a coarse grid (the page's longer side in this many cells, ~2 mm
# each on A4): a 5-cell max filter removes every stroke there, while shading and stains survive.
_BACKGROUND_CELLS = 160
# On a page with almost no ink, Otsu splits the paper noise in two; ink is never lighter than this (0..255,
# after flattening the paper to 255), so the threshold is capped here.
_LIGHTEST_INK = 200


def to_gray(image: np.ndarray) -> np.ndarray:
    """Grayscale uint8 view or copy of an image given as gray, RGB or RGBA (never modifies the input)."""
    if image.ndim == 2:
        gray = image
    elif image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_RGB2GRAY if image.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
        gray = cv2.cvtColor(image, code)
    elif image.ndim == 3 and image.shape[2] == 1:
        gray = image[:, :, 0]
    else:
        raise ValueError(f"expected a grayscale or RGB image, got an array of shape {image.shape}")
    if gray.dtype != np.uint8:
        if np.issubdtype(gray.dtype, np.floating) and gray.max(initial=0.0) <= 1.0:
            gray = gray * 255.0
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    return gray


def estimate_paper(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness at every pixel, as if nothing were written on it (shading, yellowing, stains)."""
    height, width = gray.shape
    scale = min(1.0, _BACKGROUND_CELLS / max(height, width))
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(gray, small_size, interpolation=cv2.INTER_AREA)
    # A max filter wider than any stroke removes the ink; the blur smooths the blocky result.
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    paper = cv2.GaussianBlur(paper, (0, 0), 2)
    return cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)


def flatten_background(gray: np.ndarray, paper: np.ndarray | None = None) -> np.ndarray:
    """The page divided by its paper brightness, so paper is ~255 everywhere."""
    paper = estimate_paper(gray) if paper is None else paper
    return cv2.divide(gray, np.maximum(paper, 1), scale=255)


def ink_mask(gray: np.ndarray, paper: np.ndarray | None = None) -> np.ndarray:
    """uint8 mask, 255 where there is ink (print, handwriting, ruled lines), 0 on paper.

    ``paper`` is :func:`estimate_paper` of the same image, when the caller needs it too.
    """
    flat = flatten_background(gray, paper)
    otsu, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, mask = cv2.threshold(flat, min(otsu, _LIGHTEST_INK), 255, cv2.THRESH_BINARY_INV)
    return mask


def shrink_mask(mask: np.ndarray, factor: int) -> np.ndarray:
    """The mask at 1/factor scale; a small pixel is ink when enough of its block is, so thin lines survive."""
    height, width = mask.shape
    small = cv2.resize(mask, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    # A 0.3 mm ruled line is ~3.5 px at 300 dpi: a quarter-scale pixel it crosses is ~1/4 to 1 covered.
    _, small = cv2.threshold(small, 48, 255, cv2.THRESH_BINARY)
    return small
