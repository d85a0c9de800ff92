"""Small-angle skew by projection profile: ink pixels of a shrunken mask are projected at trial angles."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_COARSE_STEP = 0.5
_FINE_STEP = 0.05
# Enough ink pixels for a sharp profile; more only costs time (a quarter-scale A4 form has ~30-60k).
_MAX_POINTS = 60_000
# Projected rows are binned at half a (shrunken) pixel: a 0.05 degree change moves the end of a
# quarter-scale line by about half a pixel, which whole-pixel bins would hardly see.
_BINS_PER_PIXEL = 2
# A profile this little sharper at its best angle than at a typical one has no lines to go by (noise,
# a black or nearly empty page): no skew is claimed.
_MIN_SHARPNESS = 1.05


@dataclass(frozen=True)
class SkewEstimate:
    """``angle`` in degrees, positive = the content is rotated counter-clockwise; ``sharpness`` compares axes."""

    angle: float
    sharpness: float


def _profile_sharpness(xs: np.ndarray, ys: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Sum of squared row counts after undoing each trial rotation: highest when lines lie flat."""
    scores = np.empty(len(angles_deg))
    for i, angle in enumerate(np.deg2rad(angles_deg)):
        # A line rotated counter-clockwise by `angle` rises to the right (y is down); this undoes it.
        rows = ys * np.cos(angle) + xs * np.sin(angle)
        counts = np.bincount(np.round(rows * _BINS_PER_PIXEL - rows.min() * _BINS_PER_PIXEL).astype(np.int64))
        scores[i] = float(np.dot(counts, counts))
    return scores


def _refine_peak(angles: np.ndarray, scores: np.ndarray) -> float:
    """The best angle, moved to the vertex of the parabola through it and its neighbours."""
    best = int(np.argmax(scores))
    if 0 < best < len(scores) - 1:
        left, mid, right = scores[best - 1 : best + 2]
        curvature = left - 2 * mid + right
        if curvature < 0:
            offset = 0.5 * (left - right) / curvature
            return float(angles[best] + np.clip(offset, -0.5, 0.5) * (angles[1] - angles[0]))
    return float(angles[best])


def _estimate(xs: np.ndarray, ys: np.ndarray, max_deg: float) -> SkewEstimate:
    coarse = np.arange(-max_deg, max_deg + 1e-9, _COARSE_STEP)
    coarse_scores = _profile_sharpness(xs, ys, coarse)
    centre = float(coarse[int(np.argmax(coarse_scores))])
    fine = centre + np.arange(-_COARSE_STEP, _COARSE_STEP + 1e-9, _FINE_STEP)
    fine_scores = _profile_sharpness(xs, ys, fine)
    sharpness = float(fine_scores.max()) / max(float(np.median(coarse_scores)), 1.0)
    if sharpness < _MIN_SHARPNESS:
        return SkewEstimate(angle=0.0, sharpness=sharpness)
    return SkewEstimate(angle=_refine_peak(fine, fine_scores), sharpness=sharpness)


def _ink_points(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ink pixel centres, spread uniformly over their pixel's area.

    Whole-pixel coordinates all project onto whole rows at exactly 0 degrees, which would make 0 look
    sharper than any small angle; spreading each point over its pixel (a fixed seed keeps it repeatable)
    removes that bias.
    """
    ys, xs = np.nonzero(mask)
    step = max(1, len(xs) // _MAX_POINTS)
    xs, ys = xs[::step].astype(np.float64), ys[::step].astype(np.float64)
    jitter = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, len(xs)))
    return xs + jitter[0], ys + jitter[1]


def _has_lines(mask: np.ndarray) -> bool:
    """Some ink, but not a page more ink than paper (black, or noise), whose profile means nothing."""
    ink = int(np.count_nonzero(mask))
    return 50 <= ink <= 0.5 * mask.size


def estimate_skew(mask: np.ndarray, max_deg: float = 5.0) -> SkewEstimate:
    """Skew of the lines of a (shrunken) ink mask whose lines run roughly horizontally."""
    if not _has_lines(mask):
        return SkewEstimate(angle=0.0, sharpness=0.0)
    xs, ys = _ink_points(mask)
    return _estimate(xs, ys, max_deg)


def estimate_skew_both_axes(mask: np.ndarray, max_deg: float = 5.0) -> tuple[SkewEstimate, SkewEstimate]:
    """Skew measured with lines taken as horizontal, and after a quarter turn counter-clockwise.

    Rotations commute, so both estimates are in the same convention; the sharper one tells whether the
    page's lines run across (scanned at 0 or 180 degrees) or down (90 or 270).
    """
    if not _has_lines(mask):
        flat = SkewEstimate(angle=0.0, sharpness=0.0)
        return flat, flat
    xs, ys = _ink_points(mask)
    width = mask.shape[1]
    # np.rot90 (counter-clockwise) sends (x, y) to (y, width - 1 - x).
    return _estimate(xs, ys, max_deg), _estimate(ys, width - 1 - xs, max_deg)


def rotate_upright(image: np.ndarray, rotation: int, skew_deg: float, *, border: int = 255) -> np.ndarray:
    """Undoes a scan's clockwise quarter-turn ``rotation`` and its counter-clockwise ``skew_deg`` in one warp.

    Always a new array; the canvas keeps the page's size (sides swapped for 90 and 270), the uncovered
    corners are filled with ``border``.
    """
    turned = np.rot90(image, k=rotation // 90)
    if abs(skew_deg) < 1e-3:
        return turned.copy()
    in_h, in_w = image.shape[:2]
    out_h, out_w = turned.shape[:2]
    matrix = cv2.getRotationMatrix2D(((in_w - 1) / 2, (in_h - 1) / 2), rotation - skew_deg, 1.0)
    matrix[0, 2] += (out_w - in_w) / 2
    matrix[1, 2] += (out_h - in_h) / 2
    return cv2.warpAffine(
        image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )
