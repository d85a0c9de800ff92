"""Template geometry for matching: every ruled line of a form (all slots) in mm, and mm/pixel transforms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.forms.catalogue import FormTemplate

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class TemplateLines:
    """``horizontal`` rows are (x1, x2, y), ``vertical`` rows (y1, y2, x); millimetres, every slot drawn."""

    horizontal: np.ndarray
    vertical: np.ndarray

    @property
    def count(self) -> int:
        return len(self.horizontal) + len(self.vertical)


def template_lines(template: FormTemplate) -> TemplateLines:
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    for offset in template.slot_offset_mm:
        for line in template.lines:
            if line.horizontal:
                horizontal.append((min(line.x1, line.x2), max(line.x1, line.x2), line.y1 + offset))
            else:
                vertical.append((min(line.y1, line.y2) + offset, max(line.y1, line.y2) + offset, line.x1))
    return TemplateLines(
        horizontal=np.array(horizontal, dtype=np.float64).reshape(-1, 3),
        vertical=np.array(vertical, dtype=np.float64).reshape(-1, 3),
    )


def scaling(sx: float, sy: float | None = None) -> np.ndarray:
    return np.diag([sx, sx if sy is None else sy, 1.0])


def mm_to_px_matrix(dpi: int) -> np.ndarray:
    """Template millimetres to pixels of the template drawn at ``dpi`` (pixel centres at whole numbers)."""
    return scaling(dpi / MM_PER_INCH)


def resize_matrix(factor_x: float, factor_y: float) -> np.ndarray:
    """Pixel coordinates of an image to those of the same image resized by the given factors."""
    return np.array([[factor_x, 0.0, 0.5 * factor_x - 0.5], [0.0, factor_y, 0.5 * factor_y - 0.5], [0.0, 0.0, 1.0]])


def apply(matrix: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maps points through a 3x3 projective matrix."""
    w = matrix[2, 0] * xs + matrix[2, 1] * ys + matrix[2, 2]
    return (matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]) / w, (
        matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]
    ) / w
