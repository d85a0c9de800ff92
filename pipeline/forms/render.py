"""Draws a form template blank (printed labels and ruled lines) at a given resolution.

Used by the sample generator and as the reference picture that scans are aligned to.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from pipeline.forms.catalogue import FormTemplate, PrintedText
from pipeline.forms.fonts import load_font

MM_PER_INCH = 25.4
PT_PER_INCH = 72.0


def mm_to_px(mm: float, dpi: int) -> int:
    return round(mm * dpi / MM_PER_INCH)


def page_size_px(template: FormTemplate, dpi: int) -> tuple[int, int]:
    """Width and height of the page in pixels."""
    return mm_to_px(template.page_mm[0], dpi), mm_to_px(template.page_mm[1], dpi)


def _wrap(text: str, draw: ImageDraw.ImageDraw, font: object, max_px: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > max_px:  # type: ignore[arg-type]
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _draw_text(
    draw: ImageDraw.ImageDraw, item: PrintedText, dy_mm: float, dpi: int, font_name: str, bold_name: str
) -> None:
    size_px = round(item.size_pt * dpi / PT_PER_INCH)
    font = load_font(bold_name if item.bold else font_name, size_px)
    x = mm_to_px(item.x, dpi)
    y = mm_to_px(item.y + dy_mm, dpi)
    lines = _wrap(item.text, draw, font, mm_to_px(item.wrap_mm, dpi)) if item.wrap_mm else [item.text]
    line_height = round(size_px * 1.2)
    for i, line in enumerate(lines):
        anchor = "mt" if item.anchor == "center" else "lt"
        draw.text((x, y + i * line_height), line, fill=0, font=font, anchor=anchor)


def render_blank(
    template: FormTemplate,
    dpi: int = 300,
    *,
    font_name: str = "DejaVu Serif",
    bold_name: str = "DejaVu Serif Bold",
    line_width_mm: float = 0.3,
) -> np.ndarray:
    """Returns the blank form as a grayscale uint8 array (255 = paper), every slot drawn."""
    width, height = page_size_px(template, dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    stroke = max(1, mm_to_px(line_width_mm, dpi))
    for dy in template.slot_offset_mm:
        for line in template.lines:
            draw.line(
                [
                    (mm_to_px(line.x1, dpi), mm_to_px(line.y1 + dy, dpi)),
                    (mm_to_px(line.x2, dpi), mm_to_px(line.y2 + dy, dpi)),
                ],
                fill=0,
                width=stroke,
            )
        for text in template.texts:
            _draw_text(draw, text, dy, dpi, font_name, bold_name)
    return np.asarray(image, dtype=np.uint8).copy()
