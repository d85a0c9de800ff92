"""Field crops: every field box of a record slot cut from the aligned page, with the ruled lines whitened.

Values are written just above their ruled line and often run over it, so a crop reaches a little above
the box and below the line. The lines are removed only inside narrow bands where the template says they
are, and only as long horizontal runs, so a handwritten dash or a descender crossing the line survives.
Ink that only pokes into the margins from the neighbouring fields is whitened as well.

A value that runs past the right end of its box (a long place name, a squeezed-in remark) is followed: when
writing reaches the crop's right edge, the crop is widened along the ink until a blank wider than a space
between words, or the page's frame, so the value is read whole rather than cut and sent to review.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.forms.catalogue import FieldSpec, FormTemplate
from pipeline.segment.geometry import MM_PER_INCH, template_lines
from pipeline.types import FieldCrop

_MARGIN_ABOVE_MM = 2.0
_MARGIN_BELOW_MM = 1.8
_MARGIN_SIDE_MM = 1.5
_LINE_WIDTH_MM = 0.3
_LINE_BAND_MM = 0.8  # how far (beyond its own width) a ruled line may sit from where the template puts it
_LINE_RUN_MM = 8.0  # horizontal runs at least this long inside a line band are the ruled line
_EDGE_SHARE = 0.3  # a row next to a ruled line with ink along this share of it is the line's edge
# The ruled line runs just under the box; ink starting this far below the box is the next field's.
_BELOW_LINE_MM = 0.7
_FRINGE_MM = 0.25  # grey edge of a blurred stroke, beyond what the ink mask holds
_MIN_GLYPH_MM = 1.0  # ink components smaller than this both ways are specks, not writing
_THROUGH_SHARE = 0.75  # of the crop's height
_MIN_WRITING_MM2 = 0.5  # ink area in a box that counts as something written
_MIN_FILLED_FIELDS = 2  # a slot holds a record when at least this many of its fields have writing
# Writing past its box is followed at most this far (every form's boxes end 14 mm from the paper's edge) ...
_OVERRUN_MAX_MM = 14.0
_OVERRUN_GAP_MM = 3.0  # ... and ends at a blank this wide: more than a space between words


def crop_rect(template: FormTemplate, spec: FieldSpec, slot: int, dpi: int) -> tuple[int, int, int, int]:
    """x, y, w, h in the aligned page at ``dpi``: the field box with its margins (not clipped)."""
    x, y, w, h = template.field_box_mm(spec, slot)
    left, top = x - _MARGIN_SIDE_MM, y - _MARGIN_ABOVE_MM
    right, bottom = x + w + _MARGIN_SIDE_MM, y + h + _MARGIN_BELOW_MM
    px = dpi / MM_PER_INCH
    x0, y0 = round(left * px), round(top * px)
    return x0, y0, round(right * px) - x0, round(bottom * px) - y0


def _line_rows(template: FormTemplate, rect: tuple[int, int, int, int], dpi: int) -> list[float]:
    """Rows (in crop pixels) of the template's horizontal ruled lines that cross the crop."""
    x0, y0, w, h = rect
    px = dpi / MM_PER_INCH
    rows = []
    for x1, x2, y in template_lines(template).horizontal:
        row = y * px - y0
        if -h * 0.1 <= row <= h * 1.1 and x1 * px < x0 + w and x2 * px > x0:
            rows.append(row)
    return rows


def _line_columns(template: FormTemplate, rect: tuple[int, int, int, int], dpi: int) -> list[float]:
    """Columns (in crop pixels) of the template's vertical ruled lines (the frame) that cross the crop."""
    x0, y0, w, h = rect
    px = dpi / MM_PER_INCH
    return [
        x * px - x0
        for y1, y2, x in template_lines(template).vertical
        if -w * 0.1 <= x * px - x0 <= w * 1.1 and y1 * px < y0 + h and y2 * px > y0
    ]


def remove_ruled_lines(mask: np.ndarray, line_rows: list[float], dpi: int) -> np.ndarray:
    """The pixels of the ruled lines at ``line_rows`` that no stroke crosses (boolean, crop-sized).

    Only long horizontal runs near where the template puts a line are taken; where ink touches the line
    from above and from below (straight down, or shifted sideways when it crosses at a slant) it is a
    stroke crossing the line, and those line pixels stay.
    """
    px = dpi / MM_PER_INCH
    height, width = mask.shape
    erase = np.zeros(mask.shape, dtype=bool)
    half = _LINE_WIDTH_MM * px / 2 + _LINE_BAND_MM * px
    run = max(3, round(_LINE_RUN_MM * px))
    runs = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))) > 0
    for row in line_rows:
        top, bottom = max(0, int(np.floor(row - half))), min(height, int(np.ceil(row + half)) + 1)
        line_rows_found = np.flatnonzero(runs[top:bottom].any(axis=1))
        if len(line_rows_found) == 0:
            continue
        first, last = top + line_rows_found[0], top + line_rows_found[-1]
        line = runs[first : last + 1].any(axis=0)
        # Rows where the line's blurred edge is only partly inked still belong to it, then one more for
        # the grey fringe; what lies beyond is what touches the line from above and below.
        inked = mask[:, line].astype(bool).mean(axis=1) if line.any() else np.zeros(height)
        while first > top and inked[first - 1] > _EDGE_SHARE:
            first -= 1
        while last < bottom - 1 and inked[last + 1] > _EDGE_SHARE:
            last += 1
        first, last = max(0, first - 1), min(height - 1, last + 1)
        above = mask[max(0, first - 2) : first].any(axis=0) if first > 0 else np.zeros(width, dtype=bool)
        below = mask[last + 1 : last + 3].any(axis=0) if last < height - 1 else np.zeros(width, dtype=bool)
        # A slanted stroke leaves the line this far to the side of where it entered.
        slant = np.ones(2 * ((last - first) // 2 + 1) + 1)
        crossed = (np.convolve(above, slant, mode="same") > 0) & (np.convolve(below, slant, mode="same") > 0)
        erase[first : last + 1] |= (mask[first : last + 1] > 0) & (line & ~crossed)[None, :]
    return erase


def _strays(mask: np.ndarray, box_top: int, box_bottom: int) -> np.ndarray:
    """Ink wholly in the top or bottom margin that touches the crop's edge: the neighbouring fields' writing."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    top = stats[:, cv2.CC_STAT_TOP]
    bottom = top + stats[:, cv2.CC_STAT_HEIGHT]
    above = (top == 0) & (bottom <= box_top)
    below = (bottom >= mask.shape[0]) & (top >= box_bottom)
    stray = above | below
    stray[0] = False
    return stray[labels] if count > 1 else np.zeros(mask.shape, dtype=bool)


def writing_area_mm2(mask: np.ndarray, dpi: int) -> float:
    """Area (mm^2) of the ink in a crop that looks like writing: not specks of dirt or scanner noise, and not
    strokes that come in over the crop's top or bottom edge and cross most of its height (a slot crossed
    out as unused, a flourish from another field)."""
    px = dpi / MM_PER_INCH
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return 0.0
    stats = stats[1:]
    size = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    top, height = stats[:, cv2.CC_STAT_TOP], stats[:, cv2.CC_STAT_HEIGHT]
    at_edge = (top == 0) | (top + height == mask.shape[0])
    through = at_edge & (height >= _THROUGH_SHARE * mask.shape[0])
    writing = (size >= _MIN_GLYPH_MM * px) & ~through
    return float(stats[writing, cv2.CC_STAT_AREA].sum()) / px**2


def _cleaned(
    mask: np.ndarray, template: FormTemplate, spec: FieldSpec, rect: tuple[int, int, int, int], y0: int, dpi: int
) -> tuple[np.ndarray, np.ndarray]:
    """(the ink of ``rect`` without ruled lines and the neighbours' ink, what was taken away)."""
    left, top, width, height = rect
    ink = mask[top : top + height, left : left + width].copy()
    px = dpi / MM_PER_INCH
    erase = remove_ruled_lines(ink, _line_rows(template, rect, dpi), dpi)
    columns = _line_columns(template, rect, dpi)
    if columns:  # the frame's lines, found the same way with rows and columns swapped
        erase |= remove_ruled_lines(np.ascontiguousarray(ink.T), columns, dpi).T
    ink[erase] = 0
    box_top = round(_MARGIN_ABOVE_MM * px) - (top - y0)
    box_bottom = round((_MARGIN_ABOVE_MM + spec.box[3] + _BELOW_LINE_MM) * px) - (top - y0)
    stray = _strays(ink, box_top, box_bottom)
    ink[stray] = 0
    return ink, erase | stray


def _overrun_right(ink: np.ndarray, dpi: int) -> int:
    """Columns past the right edge of ``ink`` (a strip starting at the crop's edge) that the writing
    reaching the edge goes on into: up to the last inked column before a blank of word-space width."""
    px = dpi / MM_PER_INCH
    gap = round(_OVERRUN_GAP_MM * px)
    inked = np.flatnonzero(ink.any(axis=0))
    last = -1
    for column in inked:
        if column - last > gap:
            break
        last = int(column)
    return last + 1


def cut_field(
    aligned: np.ndarray,
    mask: np.ndarray,
    paper: np.ndarray,
    template: FormTemplate,
    spec: FieldSpec,
    slot: int,
    dpi: int,
) -> tuple[FieldCrop, float]:
    """One field's crop and the area of writing in it (mm^2).

    Ruled lines and the neighbours' ink are painted over with the paper around them, together with the
    grey fringe a blurred scan leaves around every stroke (else their outlines would stay behind).
    """
    x0, y0, w, h = crop_rect(template, spec, slot, dpi)
    page_h, page_w = aligned.shape
    left, top = max(0, x0), max(0, y0)
    right, bottom = min(page_w, x0 + w), min(page_h, y0 + h)
    px = dpi / MM_PER_INCH
    ink, erase = _cleaned(mask, template, spec, (left, top, right - left, bottom - top), y0, dpi)
    reach = min(page_w, right + round(_OVERRUN_MAX_MM * px))
    if reach > right and ink[:, -1].any():
        # the writing reaches the crop's edge: follow it into the margin past the box
        beyond, _ = _cleaned(mask, template, spec, (right, top, reach - right, bottom - top), y0, dpi)
        extra = _overrun_right(beyond, dpi)
        if extra:
            right = min(reach, right + extra + round(_MARGIN_SIDE_MM * px))
            ink, erase = _cleaned(mask, template, spec, (left, top, right - left, bottom - top), y0, dpi)
    rect = (left, top, right - left, bottom - top)
    image = aligned[top:bottom, left:right].copy()
    fringe = 2 * round(_FRINGE_MM * px) + 1
    erase = (cv2.dilate(erase.astype(np.uint8), np.ones((fringe, fringe), np.uint8)) > 0) & (ink == 0)
    image[erase] = paper[top:bottom, left:right][erase]
    return FieldCrop(key=spec.key, slot=slot, image=image, box_px=rect), writing_area_mm2(ink, dpi)


def record_slots(
    aligned: np.ndarray, mask: np.ndarray, paper: np.ndarray, template: FormTemplate, dpi: int
) -> tuple[tuple[FieldCrop, ...], ...]:
    """The crops of every slot that holds a record.

    ``mask`` and ``paper`` are the aligned page's ink mask and paper brightness. A slot with writing in
    fewer than two fields is empty: one stray mark does not make a record, while a record missing most of
    its values still goes on (to be reviewed) rather than silently vanishing.
    """
    slots = []
    for slot in range(template.records_per_page):
        cut = [cut_field(aligned, mask, paper, template, spec, slot, dpi) for spec in template.fields]
        filled = sum(1 for _, writing in cut if writing >= _MIN_WRITING_MM2)
        if filled >= _MIN_FILLED_FIELDS:
            slots.append(tuple(crop for crop, _ in cut))
    return tuple(slots)
