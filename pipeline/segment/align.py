"""Aligns a page to its form: a homography from template mm to the page, fitted to matched ruled lines."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.forms.catalogue import FormTemplate
from pipeline.forms.render import page_size_px
from pipeline.segment.geometry import TemplateLines, apply, mm_to_px_matrix, resize_matrix, template_lines
from pipeline.segment.identify import FormMatch, PageLines

# Residual (RMS, mm) of the ruled lines at which the alignment score halves: crops carry margins of
# about 1.5 mm, so half a millimetre off is still a good cut and two millimetres is not.
_HALF_SCORE_RESIDUAL_MM = 1.0
_RANSAC_THRESHOLD_MM = 1.0
_SAMPLES_PER_LINE = 5


@dataclass(frozen=True)
class Alignment:
    """``homography`` maps template mm to the pixels of :class:`PageLines`; ``residual_mm`` is the RMS
    distance, across the lines, between the mapped template lines and the page's."""

    homography: np.ndarray
    residual_mm: float
    coverage: float  # share of the visible template lines matched to page lines
    score: float


def _correspondences(
    model: TemplateLines, lines: PageLines, match: FormMatch, guess: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Template points (mm) and page points (px): each matched line's ends where the page line is whole,
    otherwise points across its middle (placed along the line by ``guess``)."""
    source: list[tuple[float, float]] = []
    target: list[tuple[float, float]] = []
    scale = float(np.sqrt(abs(np.linalg.det(guess[:2, :2]))))
    for template, segments, pairs, horizontal in (
        (model.horizontal, lines.horizontal, match.horizontal_pairs, True),
        (model.vertical, lines.vertical, match.vertical_pairs, False),
    ):
        for t, d in pairs:
            start, end, position = template[t]
            whole = abs(segments.length[d] - scale * (end - start)) <= scale
            along_mm = (start, end) if whole else ((start + end) / 2,)
            for along, page_along in zip(along_mm, (segments.start[d], segments.end[d]), strict=False):
                point = (along, position) if horizontal else (position, along)
                if not whole:
                    guessed = apply(guess, np.array([point[0]]), np.array([point[1]]))
                    page_along = float(guessed[0 if horizontal else 1][0])
                page_across = float(segments.position_at(page_along)[d])
                source.append(point)
                target.append((page_along, page_across) if horizontal else (page_across, page_along))
    return np.array(source, dtype=np.float64).reshape(-1, 2), np.array(target, dtype=np.float64).reshape(-1, 2)


def _residuals_px(homography: np.ndarray, model: TemplateLines, lines: PageLines, match: FormMatch) -> np.ndarray:
    """Distances across the line between each mapped template line and its page line, at a few points."""
    residuals: list[np.ndarray] = []
    fractions = np.linspace(0.1, 0.9, _SAMPLES_PER_LINE)
    for template, segments, pairs, horizontal in (
        (model.horizontal, lines.horizontal, match.horizontal_pairs, True),
        (model.vertical, lines.vertical, match.vertical_pairs, False),
    ):
        for t, d in pairs:
            start, end, position = template[t]
            along = start + fractions * (end - start)
            across = np.full_like(along, position)
            xs, ys = apply(homography, along, across) if horizontal else apply(homography, across, along)
            page_along, page_across = (xs, ys) if horizontal else (ys, xs)
            inside = (page_along >= segments.start[d]) & (page_along <= segments.end[d])
            expected = segments.position[d] + segments.slope[d] * (page_along - segments.centre[d])
            residuals.append((page_across - expected)[inside])
    return np.concatenate(residuals) if residuals else np.zeros(0)


def fit_alignment(lines: PageLines, match: FormMatch, template: FormTemplate) -> Alignment:
    """Homography from the matched lines (RANSAC, then least squares on the inliers), with its score."""
    model = template_lines(template)
    guess = match.transform
    scale = float(np.sqrt(abs(np.linalg.det(guess[:2, :2]))))
    source, target = _correspondences(model, lines, match, guess)
    homography = guess
    if len(source) >= 4:
        found, _ = cv2.findHomography(source, target, cv2.RANSAC, _RANSAC_THRESHOLD_MM * scale)
        if found is not None:
            homography = found
    residuals = _residuals_px(homography, model, lines, match) / scale
    residual_mm = float(np.sqrt(np.mean(residuals**2))) if len(residuals) else float("inf")
    coverage = (len(match.horizontal_pairs) + len(match.vertical_pairs)) / max(1, match.visible_lines)
    score = min(1.0, coverage) / (1.0 + (residual_mm / _HALF_SCORE_RESIDUAL_MM) ** 2)
    return Alignment(homography=homography, residual_mm=round(residual_mm, 4), coverage=coverage, score=score)


def nominal_alignment(lines: PageLines, template: FormTemplate) -> Alignment:
    """For a page with no usable lines: the image taken as the whole page, edge to edge (score 0)."""
    height, width = lines.shape
    transform = np.diag([width / template.page_mm[0], height / template.page_mm[1], 1.0])
    return Alignment(homography=transform, residual_mm=float("inf"), coverage=0.0, score=0.0)


def warp_to_template(
    page: np.ndarray, alignment: Alignment, lines: PageLines, template: FormTemplate, dpi: int
) -> np.ndarray:
    """The page resampled into the template's frame at ``dpi`` (paper white where the page has no pixels)."""
    factor_y = page.shape[0] / lines.shape[0]
    factor_x = page.shape[1] / lines.shape[1]
    # Output pixel -> template mm -> (straightened) line pixel -> analysis pixel -> page pixel.
    to_page = (
        resize_matrix(factor_x, factor_y)
        @ lines.to_analysis
        @ alignment.homography
        @ np.linalg.inv(mm_to_px_matrix(dpi))
    )
    return cv2.warpPerspective(
        page,
        to_page,
        page_size_px(template, dpi),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
