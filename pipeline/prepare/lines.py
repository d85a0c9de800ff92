"""Ruled lines in an ink mask: long horizontal or vertical runs, found by morphological opening."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Segments:
    """Straight ink runs along one axis, one entry per run (arrays of equal length, in mask pixels).

    For horizontal runs ``start``/``end`` are x, ``position`` is the y of the run's centre line at x =
    ``centre`` and ``slope`` is dy/dx; for vertical runs the axes swap (``start``/``end`` are y, ``position``
    is x, ``slope`` is dx/dy).
    """

    start: np.ndarray
    end: np.ndarray
    position: np.ndarray
    thickness: np.ndarray
    centre: np.ndarray
    slope: np.ndarray

    @property
    def length(self) -> np.ndarray:
        return self.end - self.start

    def __len__(self) -> int:
        return len(self.start)

    def subset(self, keep: np.ndarray) -> Segments:
        return Segments(*(getattr(self, name)[keep] for name in _FIELDS))

    def position_at(self, along: np.ndarray | float) -> np.ndarray:
        """The cross-axis coordinate of each run's centre line at the given along-axis coordinate(s)."""
        return self.position + self.slope * (along - self.centre)


_FIELDS = ("start", "end", "position", "thickness", "centre", "slope")


def _merge_collinear(segments: Segments, max_gap: float) -> Segments:
    """Joins pieces of one line broken by faded print or a crossing stroke (same row, small gap)."""
    if len(segments) < 2:
        return segments
    table = np.stack([getattr(segments, name) for name in _FIELDS], axis=1)
    table = table[np.lexsort((segments.start, segments.position))]
    merged: list[np.ndarray] = []
    for row in table:
        start, end, position, thickness, centre, slope = row
        for i, other in enumerate(merged):
            o_start, o_end, o_position, o_thickness, o_centre, o_slope = other
            # Compared where the two pieces meet, so a slightly tilted line still joins up.
            meet = (max(start, o_start) + min(end, o_end)) / 2
            gap = abs((position + slope * (meet - centre)) - (o_position + o_slope * (meet - o_centre)))
            if (
                gap <= max(1.5, 0.75 * max(thickness, o_thickness))
                and start - o_end <= max_gap
                and o_start - end <= max_gap
            ):
                weight, o_weight = end - start, o_end - o_start
                total = max(weight + o_weight, 1e-9)
                new_centre = (centre * weight + o_centre * o_weight) / total
                new_position = (
                    (position + slope * (new_centre - centre)) * weight
                    + (o_position + o_slope * (new_centre - o_centre)) * o_weight
                ) / total
                new_slope = (slope * weight + o_slope * o_weight) / total
                merged[i] = np.array(
                    [
                        min(start, o_start),
                        max(end, o_end),
                        new_position,
                        max(thickness, o_thickness),
                        new_centre,
                        new_slope,
                    ]
                )
                break
        else:
            merged.append(row)
    table = np.array(merged, dtype=np.float64).reshape(-1, len(_FIELDS))
    return Segments(*(table[:, i] for i in range(len(_FIELDS))))


def horizontal_segments(mask: np.ndarray, min_length: int, *, max_gap: float | None = None) -> Segments:
    """Horizontal ink runs at least ``min_length`` pixels long (text, even bold titles, has gaps between letters).

    A thin line that is slightly tilted, faded or badly binarized steps between neighbouring rows, so the
    mask is first thickened by a pixel up and down; this moves no line's centre.
    """
    min_length = max(3, int(min_length))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (min_length, 1))
    runs = cv2.morphologyEx(cv2.dilate(mask, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN, kernel)
    # Contours are far cheaper than labelling every pixel; a line's contour traces both of its edges,
    # so a least-squares line through it is the line's centre.
    contours, _ = cv2.findContours(runs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    table = np.zeros((len(contours), len(_FIELDS)))
    for i, contour in enumerate(contours):
        x, y, w, h = cv2.boundingRect(contour)
        vx, vy, x0, y0 = cv2.fitLine(contour, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        slope = float(vy / vx) if abs(vx) > 1e-6 else 0.0
        centre = x + (w - 1) / 2
        # Edges of the run in continuous coordinates (pixel centres at whole numbers); mean thickness,
        # as a slightly tilted line has a tall bounding box but a thin run.
        thickness = cv2.countNonZero(runs[y : y + h, x : x + w]) / w
        table[i] = (x - 0.5, x + w - 0.5, y0 + slope * (centre - x0), thickness, centre, slope)
    segments = Segments(*(table[:, i] for i in range(len(_FIELDS))))
    return _merge_collinear(segments, min_length / 2 if max_gap is None else max_gap)


def vertical_segments(mask: np.ndarray, min_length: int, *, max_gap: float | None = None) -> Segments:
    """Vertical ink runs, as :func:`horizontal_segments` on the transposed mask."""
    return horizontal_segments(np.ascontiguousarray(mask.T), min_length, max_gap=max_gap)
