"""Which catalogue form a page is, from its ruled lines: each template's lines are fitted to the page's.

A page's long horizontal and vertical runs are compared with every template's ruled lines (frames and
value lines, all slots) under a scale-and-shift fitted from line pairs. The score is the share of lines
that agree: matched lines over the template's lines plus long page lines that no template line explains,
so a page with fewer lines (death vs. marriage) or extra ones does not pass for another form.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.forms.catalogue import Catalogue, FormTemplate
from pipeline.prepare.binarize import ink_mask, shrink_mask
from pipeline.prepare.deskew import estimate_skew
from pipeline.prepare.lines import Segments, horizontal_segments, vertical_segments
from pipeline.segment.geometry import TemplateLines, template_lines

# A page whose best form scores below this is unmatched (a cover, an index, a blank or unknown form).
MIN_MATCH_SCORE = 0.75

# Lines are found on the page shrunk to ~150 dpi (A4's 297 mm in 1754 px): thin print is still a pixel.
_ANALYSIS_LONG_SIDE = 1754
_PAGE_LONG_MM = 297.0
_STRAIGHTEN_FROM_DEG = 0.3
_MIN_RUN_MM = 15.0  # shorter horizontal ink runs are text, not ruled lines
_HYPOTHESIS_MIN_MM = 30.0
_MAX_HYPOTHESIS_LINES = 12
_UNEXPLAINED_MIN_MM = 60.0  # page lines this long that no template line explains count against a form
# The scanner's resolution is unknown (200-400 dpi, +-5 % scale), but the page fills the image roughly.
_SCALE_RANGE = (0.75, 1.3)
_COARSE_TOLERANCE_MM = 2.5
FINE_TOLERANCE_MM = 1.5
_END_TOLERANCE_MM = 4.0
_MIN_OVERLAP = 0.6  # of a template line's length, covered by the page line matched to it
_MIN_VISIBLE_SHARE = 0.8  # of a template's lines inside the image, below which its score is lowered


@dataclass(frozen=True)
class PageLines:
    """Ruled-line candidates of a page, in pixels of its analysis image of size ``shape`` (height, width).

    A page still noticeably skewed is straightened first; ``to_analysis`` maps these (straightened)
    pixel coordinates back to the analysis image's own.
    """

    horizontal: Segments
    vertical: Segments
    shape: tuple[int, int]
    to_analysis: np.ndarray


@dataclass(frozen=True)
class FormMatch:
    """How well one template fits a page: ``transform`` (scale and shift) maps template mm to the pixels of
    :class:`PageLines`; the pairs index the template's lines and the page's segments that agree."""

    form_id: str
    score: float
    transform: np.ndarray
    horizontal_pairs: np.ndarray  # (k, 2): template line index, page segment index
    vertical_pairs: np.ndarray
    visible_lines: int  # template lines that fall inside the image


def analysis_scale(shape: tuple[int, int]) -> float:
    """The factor from a page's pixels to its analysis image (never enlarged)."""
    return min(1.0, _ANALYSIS_LONG_SIDE / max(shape))


def find_page_lines(page: np.ndarray) -> PageLines:
    """Binarizes the page at the analysis size and finds its long horizontal and vertical runs.

    Pages come deskewed from prepare_page; one that is not (a degree or more off) would lose its lines
    to the horizontal run search, so its mask is straightened first.
    """
    scale = analysis_scale(page.shape[:2])
    size = (max(1, round(page.shape[1] * scale)), max(1, round(page.shape[0] * scale)))
    mask = ink_mask(cv2.resize(page, size, interpolation=cv2.INTER_AREA))
    to_analysis = np.eye(3)
    skew = estimate_skew(shrink_mask(mask, 2)).angle
    if abs(skew) >= _STRAIGHTEN_FROM_DEG:
        centre = ((mask.shape[1] - 1) / 2, (mask.shape[0] - 1) / 2)
        straighten = np.vstack([cv2.getRotationMatrix2D(centre, -skew, 1.0), [0.0, 0.0, 1.0]])
        mask = cv2.warpAffine(mask, straighten[:2], (mask.shape[1], mask.shape[0]), flags=cv2.INTER_NEAREST)
        to_analysis = np.linalg.inv(straighten)
    min_run = round(_MIN_RUN_MM * max(mask.shape) / _PAGE_LONG_MM)
    return PageLines(
        horizontal=horizontal_segments(mask, min_run),
        vertical=vertical_segments(mask, min_run),
        shape=(mask.shape[0], mask.shape[1]),
        to_analysis=to_analysis,
    )


def _agreement(
    scale: np.ndarray,
    shift_along: np.ndarray,
    shift_across: np.ndarray,
    lines: np.ndarray,
    segments: Segments,
    tolerance_mm: float,
) -> np.ndarray:
    """(hypotheses, template lines, segments): which page segment agrees with which mapped template line.

    ``lines`` rows are (start, end, position) in mm along one axis; ``shift_along`` applies to start/end.
    """
    s = scale[:, None, None]
    start = s * lines[None, :, 0, None] + shift_along[:, None, None]
    end = s * lines[None, :, 1, None] + shift_along[:, None, None]
    position = s * lines[None, :, 2, None] + shift_across[:, None, None]
    page_position = segments.position_at((start + end) / 2)
    overlap = np.minimum(end, segments.end) - np.maximum(start, segments.start)
    end_tolerance = _END_TOLERANCE_MM * s
    return (
        (np.abs(page_position - position) <= tolerance_mm * s)
        & (overlap >= _MIN_OVERLAP * (end - start))
        & (segments.start >= start - end_tolerance)
        & (segments.end <= end + end_tolerance)
    )


def _hypotheses(lines: PageLines, model: TemplateLines, nominal: float) -> np.ndarray:
    """Scale and shift (s, tx, ty) from pairing a few long page lines with every template line of like length."""
    segments = lines.horizontal
    long_enough = np.flatnonzero(segments.length >= _HYPOTHESIS_MIN_MM * nominal * _SCALE_RANGE[0])
    if len(long_enough) == 0 or len(model.horizontal) == 0:
        return np.empty((0, 3))
    chosen = long_enough[np.linspace(0, len(long_enough) - 1, min(len(long_enough), _MAX_HYPOTHESIS_LINES)).astype(int)]
    picked = segments.subset(chosen)
    template = model.horizontal
    scale = picked.length[:, None] / (template[None, :, 1] - template[None, :, 0])
    shift_x = picked.start[:, None] - scale * template[None, :, 0]
    shift_y = picked.position_at(picked.start + picked.length / 2)[:, None] - scale * template[None, :, 2]
    found = np.stack([scale.ravel(), shift_x.ravel(), shift_y.ravel()], axis=1)
    plausible = (found[:, 0] >= nominal * _SCALE_RANGE[0]) & (found[:, 0] <= nominal * _SCALE_RANGE[1])
    return found[plausible]


def _pairs(agree: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """For each template line with an agreeing segment, the closest one: (k, 2) index pairs."""
    masked = np.where(agree, distance, np.inf)
    best = np.argmin(masked, axis=1) if masked.shape[1] else np.zeros(masked.shape[0], dtype=int)
    found = np.isfinite(masked[np.arange(len(best)), best]) if masked.shape[1] else np.zeros(0, dtype=bool)
    return np.stack([np.flatnonzero(found), best[found]], axis=1).astype(int).reshape(-1, 2)


def _match_at(params: np.ndarray, lines: PageLines, model: TemplateLines) -> tuple[np.ndarray, np.ndarray]:
    s, tx, ty = (np.array([value]) for value in params)
    pairs = []
    for template, segments, along, across in (
        (model.horizontal, lines.horizontal, tx, ty),
        (model.vertical, lines.vertical, ty, tx),
    ):
        agree = _agreement(s, along, across, template, segments, FINE_TOLERANCE_MM)[0]
        mid = s[0] * (template[:, 0] + template[:, 1]) / 2 + along[0]
        distance = np.abs(segments.position_at(mid[:, None]) - (s[0] * template[:, 2] + across[0])[:, None])
        pairs.append(_pairs(agree, distance))
    return pairs[0], pairs[1]


def _refit(
    params: np.ndarray, lines: PageLines, model: TemplateLines, pairs_h: np.ndarray, pairs_v: np.ndarray
) -> np.ndarray:
    """Least-squares scale and shift from matched lines: positions across each line, ends along it."""
    s0, tx0, ty0 = params
    rows: list[list[float]] = []
    targets: list[float] = []
    for template, segments, pairs, across_axis in (
        (model.horizontal, lines.horizontal, pairs_h, 2),
        (model.vertical, lines.vertical, pairs_v, 1),
    ):
        along_axis = 1 if across_axis == 2 else 2
        for t, d in pairs:
            start, end, position = template[t]
            mid = s0 * (start + end) / 2 + (tx0 if across_axis == 2 else ty0)
            across = [0.0, 0.0, 0.0]
            across[0], across[across_axis] = position, 1.0
            rows.append(across)
            targets.append(float(segments.position_at(mid)[d]))
            # Ends only where the page line is whole (not broken, not run into by handwriting).
            if abs(segments.length[d] - s0 * (end - start)) <= 1.0 * s0:
                for template_end, page_end in ((start, segments.start[d]), (end, segments.end[d])):
                    along = [0.0, 0.0, 0.0]
                    along[0], along[along_axis] = template_end, 1.0
                    rows.append([0.5 * value for value in along])
                    targets.append(0.5 * float(page_end))
    design = np.array(rows, dtype=np.float64).reshape(-1, 3)
    # Without any ends the shift along the lines stays where the hypothesis put it.
    for axis, value in ((1, tx0), (2, ty0)):
        anchor = np.zeros(3)
        anchor[axis] = 0.01
        design = np.vstack([design, anchor])
        targets.append(0.01 * value)
    solution, *_ = np.linalg.lstsq(design, np.array(targets), rcond=None)
    return solution


def match_form(lines: PageLines, template: FormTemplate) -> FormMatch:
    """Fits one template's ruled lines to the page's and scores the fit in [0, 1]."""
    model = template_lines(template)
    nominal = max(lines.shape) / max(template.page_mm)
    hypotheses = _hypotheses(lines, model, nominal)
    empty = np.zeros((0, 2), dtype=int)
    if len(hypotheses) == 0:
        return FormMatch(template.form_id, 0.0, np.eye(3), empty, empty, 0)
    s, tx, ty = hypotheses.T
    votes = _agreement(s, tx, ty, model.horizontal, lines.horizontal, _COARSE_TOLERANCE_MM).any(axis=2).sum(axis=1)
    votes += _agreement(s, ty, tx, model.vertical, lines.vertical, _COARSE_TOLERANCE_MM).any(axis=2).sum(axis=1)
    params = hypotheses[int(np.argmax(votes))]
    pairs_h, pairs_v = _match_at(params, lines, model)
    for _ in range(2):
        if len(pairs_h) + len(pairs_v) < 2:
            break
        params = _refit(params, lines, model, pairs_h, pairs_v)
        pairs_h, pairs_v = _match_at(params, lines, model)
    score, visible = _score(params, lines, model, pairs_h, pairs_v)
    s, tx, ty = params
    transform = np.array([[s, 0.0, tx], [0.0, s, ty], [0.0, 0.0, 1.0]])
    return FormMatch(template.form_id, score, transform, pairs_h, pairs_v, visible)


def _score(
    params: np.ndarray, lines: PageLines, model: TemplateLines, pairs_h: np.ndarray, pairs_v: np.ndarray
) -> tuple[float, int]:
    """Matched lines / (visible template lines + long page lines inside the form that nothing explains),
    lowered when much of the form lies outside the image; and the number of visible template lines."""
    s, tx, ty = params
    height, width = lines.shape
    margin = 1.0 * s
    # Template lines in page pixels: horizontal rows (x1, x2, y), vertical rows (y1, y2, x).
    horizontal = s * model.horizontal + np.array([tx, tx, ty])
    vertical = s * model.vertical + np.array([ty, ty, tx])

    def within(values: np.ndarray, size: int) -> np.ndarray:
        return (values >= -margin) & (values <= size + margin)

    h_visible = within(horizontal[:, 0], width) & within(horizontal[:, 1], width) & within(horizontal[:, 2], height)
    v_visible = within(vertical[:, 0], height) & within(vertical[:, 1], height) & within(vertical[:, 2], width)
    visible = int(h_visible.sum() + v_visible.sum())
    if visible == 0:
        return 0.0, 0
    matched = int(h_visible[pairs_h[:, 0]].sum() + v_visible[pairs_v[:, 0]].sum())
    xs = np.concatenate([horizontal[:, 0], horizontal[:, 1], vertical[:, 2]])
    ys = np.concatenate([horizontal[:, 2], vertical[:, 0], vertical[:, 1]])
    unexplained = 0
    for segments, pairs, across_range, along_range in (
        (lines.horizontal, pairs_h, (ys.min(), ys.max()), (xs.min(), xs.max())),
        (lines.vertical, pairs_v, (xs.min(), xs.max()), (ys.min(), ys.max())),
    ):
        inside = (
            (segments.position >= across_range[0] - margin)
            & (segments.position <= across_range[1] + margin)
            & (segments.centre >= along_range[0])
            & (segments.centre <= along_range[1])
        )
        long = (segments.length >= _UNEXPLAINED_MIN_MM * s) & inside
        long[pairs[:, 1]] = False
        unexplained += int(long.sum())
    coverage = min(1.0, visible / (_MIN_VISIBLE_SHARE * model.count))
    return round(matched / (visible + unexplained) * coverage, 4), visible


def identify_form(
    lines: PageLines, catalogue: Catalogue, *, min_score: float = MIN_MATCH_SCORE
) -> tuple[FormMatch | None, tuple[FormMatch, ...]]:
    """The best-fitting form if it scores at least ``min_score`` (else None), and every form's match."""
    matches = tuple(
        sorted(
            (match_form(lines, template) for template in catalogue.forms.values()),
            key=lambda match: match.score,
            reverse=True,
        )
    )
    best = matches[0] if matches and matches[0].score >= min_score else None
    return best, matches
