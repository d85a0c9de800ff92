"""Ruled lines in an ink mask: long horizontal or vertical runs, found by morphological opening."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Segments:
    """Straight ink runs along one axis, one entry per run (arrays of equal length, in mask pixels).

    For horizontal runs ``start``/``end`` are x and ``position`` the y of the run's centre line; for
    vertical runs ``start``/``end`` are y and ``position`` is x.
    """

    start: np.ndarray
    end: np.ndarray
    position: np.ndarray
    thickness: np.ndarray

    @property
    def length(self) -> np.ndarray:
        return self.end - self.start

    def __len__(self) -> int:
        return len(self.start)

    def subset(self, keep: np.ndarray) -> Segments:
        return Segments(self.start[keep], self.end[keep], self.position[keep], self.thickness[keep])


def _merge_collinear(segments: Segments, max_gap: float) -> Segments:
    """Joins pieces of one line broken by faded print or a crossing stroke (same row, small gap)."""
    if len(segments) < 2:
        return segments
    order = np.lexsort((segments.start, segments.position))
    rows = [
        [float(segments.start[i]), float(segments.end[i]), float(segments.position[i]), float(segments.thickness[i])]
        for i in order
    ]
    merged: list[list[float]] = []
    for row in rows:
        for other in merged:
            same_line = abs(other[2] - row[2]) <= max(1.5, 0.75 * max(other[3], row[3]))
            if same_line and row[0] - other[1] <= max_gap and other[0] - row[1] <= max_gap:
                weight_a, weight_b = other[1] - other[0], row[1] - row[0]
                other[2] = (other[2] * weight_a + row[2] * weight_b) / max(weight_a + weight_b, 1e-9)
                other[0], other[1] = min(other[0], row[0]), max(other[1], row[1])
                other[3] = max(other[3], row[3])
                break
        else:
            merged.append(row)
    table = np.array(merged, dtype=np.float64).reshape(-1, 4)
    return Segments(table[:, 0], table[:, 1], table[:, 2], table[:, 3])


def horizontal_segments(mask: np.ndarray, min_length: int, *, max_gap: float | None = None) -> Segments:
    """Horizontal ink runs at least ``min_length`` pixels long (text, even bold titles, has gaps between letters)."""
    min_length = max(3, int(min_length))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (min_length, 1))
    runs = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(runs, connectivity=8)
    stats, centroids = stats[1:], centroids[1:]
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    width = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    segments = Segments(
        start=stats[:, cv2.CC_STAT_LEFT].astype(np.float64),
        end=(stats[:, cv2.CC_STAT_LEFT] + stats[:, cv2.CC_STAT_WIDTH]).astype(np.float64),
        position=centroids[:, 1].astype(np.float64),
        # Mean thickness; a slightly tilted line has a tall bounding box but a thin run.
        thickness=area / np.maximum(width, 1.0),
    )
    return _merge_collinear(segments, min_length / 2 if max_gap is None else max_gap)


def vertical_segments(mask: np.ndarray, min_length: int, *, max_gap: float | None = None) -> Segments:
    """Vertical ink runs, as :func:`horizontal_segments` on the transposed mask."""
    return horizontal_segments(np.ascontiguousarray(mask.T), min_length, max_gap=max_gap)
