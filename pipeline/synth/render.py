"""Writes record values onto a blank form: typewritten, printed or handwriting-like, inside each field's box.

Ink is collected in a coverage layer (0 = none, 255 = full) and laid over the printed blank by multiplying,
so ink that crosses a ruled line darkens it rather than lightening it, as on paper.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.forms.catalogue import FormTemplate
from pipeline.forms.fonts import load_font
from pipeline.forms.render import MM_PER_INCH, render_blank
from pipeline.synth.values import RecordValues

# A font that has every Tajik letter, drawn for the glyphs the chosen font lacks (DejaVu Sans Mono has no ҷ).
FALLBACK_FONT = "DejaVu Sans"
_MISSING_PROBE = "\uffff"  # never in a font: what a font draws for it is its "missing glyph" box
_TALL_BOX_MM = 12.0  # boxes this tall (marks) take two lines of writing


@dataclass(frozen=True)
class InkStyle:
    """How a page is written. Ranges are (low, high); one value is drawn per page, per field or per glyph."""

    fonts: tuple[str, ...]  # one is chosen per page (one typewriter, one writer)
    size_mm: tuple[float, float]  # em size, per page
    tone: tuple[int, int]  # ink grey level 0..255, per page
    tone_jitter: int  # per glyph: uneven typewriter ribbon or pen pressure
    stroke_px_at_300: tuple[int, int]  # extra stroke width, per page
    slant_deg: tuple[float, float]  # shear to the right, per page
    glyph_rotation_deg: float  # per glyph, +-
    glyph_size_jitter: float  # per glyph, relative +-
    baseline_jitter_mm: float  # per glyph, +-
    spacing_jitter_mm: float  # per glyph, +-
    line_tilt_deg: float  # per field, +-
    margin_mm: tuple[float, float]  # from the box's left edge to the first letter, per field
    lift_mm: tuple[float, float]  # baseline above the ruled line, per field (negative: on or below it)


STYLES: dict[str, InkStyle] = {
    # Soviet office typewriter: monospaced, letters a little off their line, ribbon ink uneven.
    "typewriter": InkStyle(
        fonts=("DejaVu Sans Mono",),
        size_mm=(3.4, 3.9),
        tone=(25, 70),
        tone_jitter=35,
        stroke_px_at_300=(0, 1),
        slant_deg=(0.0, 0.0),
        glyph_rotation_deg=0.0,
        glyph_size_jitter=0.0,
        baseline_jitter_mm=0.12,
        spacing_jitter_mm=0.05,
        line_tilt_deg=0.15,
        margin_mm=(2.0, 6.0),
        lift_mm=(0.8, 1.4),
    ),
    # Computer-printed entries on the forms since 2010.
    "printer": InkStyle(
        fonts=("DejaVu Serif", "DejaVu Sans"),
        size_mm=(3.3, 3.8),
        tone=(10, 40),
        tone_jitter=5,
        stroke_px_at_300=(0, 0),
        slant_deg=(0.0, 0.0),
        glyph_rotation_deg=0.0,
        glyph_size_jitter=0.0,
        baseline_jitter_mm=0.0,
        spacing_jitter_mm=0.0,
        line_tilt_deg=0.0,
        margin_mm=(2.0, 4.0),
        lift_mm=(0.9, 1.2),
    ),
    # Ballpoint by hand: slanted, uneven size and baseline, writing that drifts off the line.
    "handwriting": InkStyle(
        fonts=("DejaVuSerif-Italic.ttf", "DejaVuSerifCondensed-Italic.ttf", "DejaVuSans-Oblique.ttf"),
        size_mm=(4.2, 5.4),
        tone=(50, 110),
        tone_jitter=30,
        stroke_px_at_300=(0, 1),
        slant_deg=(0.0, 10.0),
        glyph_rotation_deg=4.0,
        glyph_size_jitter=0.08,
        baseline_jitter_mm=0.25,
        spacing_jitter_mm=0.25,
        line_tilt_deg=1.2,
        margin_mm=(1.0, 12.0),
        lift_mm=(-0.3, 1.2),
    ),
}


@dataclass(frozen=True)
class _Pen:
    """The per-page choices of a style: the font, size, ink and slant used for the whole page."""

    style: InkStyle
    font: str
    size_px: int
    tone: int
    stroke_px: int
    slant: float
    dpi: int

    def mm(self, value: float) -> float:
        return value * self.dpi / MM_PER_INCH


def _pen(style: InkStyle, dpi: int, rng: random.Random) -> _Pen:
    stroke = rng.randint(*style.stroke_px_at_300)
    return _Pen(
        style=style,
        font=rng.choice(style.fonts),
        size_px=round(rng.uniform(*style.size_mm) * dpi / MM_PER_INCH),
        tone=rng.randint(*style.tone),
        stroke_px=round(stroke * dpi / 300),
        slant=rng.uniform(*style.slant_deg),
        dpi=dpi,
    )


@lru_cache(maxsize=64)
def _blank(template: FormTemplate, dpi: int) -> np.ndarray:
    blank = render_blank(template, dpi)
    blank.setflags(write=False)
    return blank


@lru_cache(maxsize=4096)
def _has_glyph(font_name: str, char: str) -> bool:
    font = load_font(font_name, 48)
    return char.isspace() or bytes(font.getmask(char)) != bytes(font.getmask(_MISSING_PROBE))


@lru_cache(maxsize=8192)
def _glyph(font_name: str, size_px: int, char: str, stroke_px: int) -> tuple[np.ndarray, int, int, float]:
    """Coverage bitmap of one character, the offset of its top-left from the pen position on the baseline,
    and the advance."""
    name = font_name if _has_glyph(font_name, char) else FALLBACK_FONT
    font: ImageFont.FreeTypeFont = load_font(name, size_px)
    advance = font.getlength(char)
    box = font.getbbox(char, anchor="ls", stroke_width=stroke_px)
    left, top, right, bottom = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
    if right <= left or bottom <= top:
        return np.zeros((0, 0), np.uint8), 0, 0, advance
    image = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(image).text(
        (-left, -top), char, font=font, fill=255, anchor="ls", stroke_width=stroke_px, stroke_fill=255
    )
    bitmap = np.asarray(image, dtype=np.uint8)
    bitmap.setflags(write=False)
    return bitmap, left, top, advance


def _transformed(
    bitmap: np.ndarray, left: int, top: int, angle_deg: float, shear: float
) -> tuple[np.ndarray, int, int]:
    """The glyph rotated about and sheared along its baseline origin; returns the new bitmap and offsets."""
    if abs(angle_deg) < 0.05 and abs(shear) < 1e-3:
        return bitmap, left, top
    height, width = bitmap.shape
    a = math.radians(angle_deg)
    # forward map from glyph coordinates (origin at the pen position) to page offsets: rotate after shearing
    forward = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]]) @ np.array([[1.0, -shear], [0, 1]])
    corners = np.array([[left, top], [left + width, top], [left, top + height], [left + width, top + height]], float)
    moved = corners @ forward.T
    new_left, new_top = np.floor(moved.min(axis=0)).astype(int)
    new_right, new_bottom = np.ceil(moved.max(axis=0)).astype(int)
    inverse = np.linalg.inv(forward)
    # PIL wants the map from output pixels to input pixels
    out_to_in = np.array(
        [
            inverse[0, 0],
            inverse[0, 1],
            inverse[0, 0] * new_left + inverse[0, 1] * new_top - left,
            inverse[1, 0],
            inverse[1, 1],
            inverse[1, 0] * new_left + inverse[1, 1] * new_top - top,
        ]
    )
    size = (int(new_right - new_left), int(new_bottom - new_top))
    image = Image.fromarray(bitmap).transform(size, Image.Transform.AFFINE, tuple(out_to_in), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.uint8), int(new_left), int(new_top)


def _stamp(coverage: np.ndarray, bitmap: np.ndarray, x: int, y: int, strength: float) -> None:
    """Adds a glyph's ink at page position (x, y) of its top-left; overlapping ink keeps the darker."""
    height, width = bitmap.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + width, coverage.shape[1]), min(y + height, coverage.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    piece = (bitmap[y0 - y : y1 - y, x0 - x : x1 - x] * strength).astype(np.uint8)
    np.maximum(coverage[y0:y1, x0:x1], piece, out=coverage[y0:y1, x0:x1])


def _line_width(text: str, pen: _Pen, size_px: int) -> float:
    return sum(_glyph(pen.font, size_px, ch, pen.stroke_px)[3] for ch in text)


def _wrap(text: str, pen: _Pen, size_px: int, width_px: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _line_width(f"{lines[-1]} {word}", pen, size_px) <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _write_line(
    coverage: np.ndarray, text: str, x: float, baseline: float, size_px: int, pen: _Pen, rng: random.Random
) -> None:
    style = pen.style
    tilt = math.tan(math.radians(rng.uniform(-style.line_tilt_deg, style.line_tilt_deg)))
    shear = math.tan(math.radians(pen.slant))
    start = x
    for char in text:
        size = max(4, round(size_px * (1 + rng.uniform(-style.glyph_size_jitter, style.glyph_size_jitter))))
        bitmap, left, top, advance = _glyph(pen.font, size, char, pen.stroke_px)
        if bitmap.size:
            angle = rng.uniform(-style.glyph_rotation_deg, style.glyph_rotation_deg)
            bitmap, left, top = _transformed(bitmap, left, top, angle, shear)
            y = (
                baseline
                + (x - start) * -tilt
                + pen.mm(rng.uniform(-style.baseline_jitter_mm, style.baseline_jitter_mm))
            )
            tone = min(250, max(0, pen.tone + rng.randint(-style.tone_jitter, style.tone_jitter)))
            _stamp(coverage, bitmap, round(x) + left, round(y) + top, (255 - tone) / 255)
        x += advance + pen.mm(rng.uniform(-style.spacing_jitter_mm, style.spacing_jitter_mm))


def _write_field(
    coverage: np.ndarray, text: str, box_mm: tuple[float, float, float, float], pen: _Pen, rng: random.Random
) -> None:
    if not text:
        return
    x_mm, y_mm, w_mm, h_mm = box_mm
    margin = rng.uniform(*pen.style.margin_mm)
    room = pen.mm(w_mm - margin + 4.0)  # a value may run a little past the end of its line
    size = pen.size_px
    natural = _line_width(text, pen, size)
    lines = [text]
    if natural > room and h_mm >= _TALL_BOX_MM:
        lines = _wrap(text, pen, size, pen.mm(w_mm - margin))
    elif natural > room:
        size = max(round(size * 0.72), round(size * room / natural))  # squeezed in, but never tiny
    baseline = pen.mm(y_mm + h_mm - rng.uniform(*pen.style.lift_mm))
    step = size * 1.25
    for i, line in enumerate(lines):
        x = pen.mm(x_mm + margin) if i == 0 else pen.mm(x_mm + rng.uniform(*pen.style.margin_mm))
        _write_line(coverage, line, x, baseline - (len(lines) - 1 - i) * step, size, pen, rng)


def ink_coverage(
    template: FormTemplate, records: Sequence[RecordValues], style: InkStyle, dpi: int, rng: random.Random
) -> np.ndarray:
    """The written values alone: uint8 coverage (255 = full ink) over the page."""
    width, height = _blank(template, dpi).shape[1], _blank(template, dpi).shape[0]
    coverage = np.zeros((height, width), dtype=np.uint8)
    pen = _pen(style, dpi, rng)
    for record in records:
        for field in record.fields:
            box = template.field_box_mm(template.field(field.key), record.slot)
            _write_field(coverage, field.written, box, pen, rng)
    return coverage


def lay_ink(paper: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """Ink over the printed page: each pixel darkened by the ink's coverage."""
    return (paper.astype(np.uint16) * (255 - coverage.astype(np.uint16)) // 255).astype(np.uint8)


def render_filled(
    template: FormTemplate, records: Sequence[RecordValues], style: str, dpi: int, rng: random.Random
) -> np.ndarray:
    """The form with the records written in their slots: grayscale uint8, 255 = paper, upright and straight.

    ``style`` is a key of :data:`STYLES`. Slots without a record stay blank.
    """
    return lay_ink(_blank(template, dpi), ink_coverage(template, records, STYLES[style], dpi, rng))
