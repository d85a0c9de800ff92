"""Page quality: sharpness (variance of the Laplacian), ink-paper contrast, darkness, and a combined score."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.types import PageQuality

# Laplacian variance at which the sharpness factor is one half: a 300 dpi scan blurred by a
# Gaussian of ~1.5 px falls below it, a sharp one (or a sharp one with scanner noise) is well above.
_HALF_SHARP_VARIANCE = 100.0
_DARK_LEVEL = 128
# Contrast (0..1) below which a page is unreadable, and from which it is fully readable.
_CONTRAST_RANGE = (0.15, 0.5)
# Share of dark pixels a written form never exceeds; above it the page is a dark, stained or black scan.
_DARKNESS_RANGE = (0.25, 0.6)


def _percentile(histogram: np.ndarray, share: float) -> int:
    cumulative = np.cumsum(histogram)
    return int(np.searchsorted(cumulative, share * cumulative[-1]))


def _rising(value: float, low: float, high: float) -> float:
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def measure_quality(gray: np.ndarray) -> PageQuality:
    """Quality of a grayscale page (uint8, 255 = paper)."""
    laplacian = cv2.Laplacian(gray, cv2.CV_16S)
    _, std = cv2.meanStdDev(laplacian)
    blur = float(std[0, 0]) ** 2
    # Every second pixel is plenty for the grey-level histogram and keeps thin strokes (no averaging).
    histogram = np.bincount(gray[::2, ::2].ravel(), minlength=256)
    paper = _percentile(histogram, 0.90)
    ink = _percentile(histogram, 0.01)
    contrast = max(0, paper - ink) / 255.0
    darkness = float(histogram[:_DARK_LEVEL].sum()) / max(1, int(histogram.sum()))
    score = (
        blur
        / (blur + _HALF_SHARP_VARIANCE)
        * _rising(contrast, *_CONTRAST_RANGE)
        * (1.0 - _rising(darkness, *_DARKNESS_RANGE))
    )
    return PageQuality(
        blur=round(blur, 2), contrast=round(contrast, 4), darkness=round(darkness, 4), score=round(score, 4)
    )
