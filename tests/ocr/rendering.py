"""Field crops for the OCR tests: a value written in DejaVu Serif at 300 dpi into a box of a form field."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.forms.catalogue import FieldSpec
from pipeline.forms.fonts import font_path
from pipeline.types import FieldCrop

DPI = 300
MM_PER_INCH = 25.4


def field_image(text: str, box_mm: tuple[float, float] = (112.0, 7.54), *, size_pt: float = 12.0) -> np.ndarray:
    """A grayscale crop (255 = paper) the size of the box, the text left-aligned and sitting low as if on
    its ruled line, the way a clerk types or writes it."""
    width, height = (round(mm * DPI / MM_PER_INCH) for mm in box_mm)
    font = ImageFont.truetype(str(font_path("DejaVu Serif")), round(size_pt * DPI / 72))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    line_height = round(size_pt * DPI / 72 * 1.25)
    lines = text.splitlines() or [""]
    top = height - line_height * len(lines) - round(height * 0.05)
    for i, line in enumerate(lines):
        draw.text((30, top + i * line_height), line, font=font, fill=25)
    return np.asarray(image)


def crop_for(spec: FieldSpec, text: str, *, slot: int = 0) -> FieldCrop:
    return FieldCrop(key=spec.key, slot=slot, image=field_image(text, (spec.box[2], spec.box[3])), box_px=(0, 0, 1, 1))
