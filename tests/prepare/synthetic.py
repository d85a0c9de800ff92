"""Synthetic scans for the prepare and segment tests: blank forms with typed values, then known distortions."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import FormTemplate, load_catalogue
from pipeline.forms.fonts import font_path
from pipeline.forms.render import mm_to_px, page_size_px, render_blank

CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")
FONT = font_path("DejaVu Serif")

# Values with descenders (р, у, д, щ, ц) and Tajik letters, so crops and line removal see real shapes.
SAMPLE_VALUES = (
    "Раҳимова",
    "Душанбе, н. Рӯдакӣ",
    "12.03.1987",
    "Қурбонов Ҷамшед",
    "мужской",
    "Хуҷанд",
    "ҷ. Чимтеппа",
    "214",
)


def value_for(template: FormTemplate, key: str, slot: int) -> str:
    """The value :func:`filled_form` writes in a field (the samples in turn, shifted by one per slot)."""
    return SAMPLE_VALUES[(template.field_keys.index(key) + slot) % len(SAMPLE_VALUES)]


def filled_form(
    template: FormTemplate, dpi: int = 300, *, slots: tuple[int, ...] | None = None, text_mm: float = 4.0
) -> np.ndarray:
    """The blank form with a typed value in every field of the given slots (all slots by default)."""
    image = Image.fromarray(render_blank(template, dpi))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size=mm_to_px(text_mm, dpi))
    for slot in range(template.records_per_page) if slots is None else slots:
        for spec in template.fields:
            x, y, _, h = template.field_box_mm(spec, slot)
            # Baseline a little above the ruled line: descenders reach it and run over it, as on paper.
            baseline = (mm_to_px(x + 3, dpi), mm_to_px(y + h - 0.4, dpi))
            draw.text(baseline, value_for(template, spec.key, slot), fill=20, font=font, anchor="ls")
    return np.asarray(image, dtype=np.uint8).copy()


def cover_page(dpi: int = 300) -> np.ndarray:
    """A book cover: big title lines and a decorative border, no ruled value lines."""
    width, height = page_size_px(CATALOGUE.form("birth_tj_2010"), dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    border = mm_to_px(15, dpi)
    draw.rectangle((border, border, width - border, height - border), outline=0, width=mm_to_px(1.0, dpi))
    for i, line in enumerate(("КНИГА", "ЗАПИСЕЙ АКТОВ", "О РОЖДЕНИИ", "1975 год", "Хуҷанд")):
        font = ImageFont.truetype(str(FONT), size=mm_to_px(14 if i < 3 else 9, dpi))
        draw.text((width // 2, mm_to_px(70 + 28 * i, dpi)), line, fill=0, font=font, anchor="mt")
    return np.asarray(image, dtype=np.uint8).copy()


def index_page(dpi: int = 300) -> np.ndarray:
    """A book's index: a table ruled across the whole width, with names and numbers in its rows."""
    width, height = page_size_px(CATALOGUE.form("birth_tj_2010"), dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size=mm_to_px(3.5, dpi))
    left, right = mm_to_px(15, dpi), mm_to_px(195, dpi)
    for i in range(30):
        y = mm_to_px(20 + 8.5 * i, dpi)
        draw.line((left, y, right, y), fill=0, width=mm_to_px(0.3, dpi))
        draw.text(
            (left + mm_to_px(3, dpi), y - mm_to_px(1, dpi)),
            f"{i + 1}. {SAMPLE_VALUES[i % len(SAMPLE_VALUES)]}",
            fill=0,
            font=font,
            anchor="ls",
        )
    for x_mm in (15, 30, 150, 195):
        x = mm_to_px(x_mm, dpi)
        draw.line((x, mm_to_px(20, dpi), x, mm_to_px(20 + 8.5 * 29, dpi)), fill=0, width=mm_to_px(0.3, dpi))
    return np.asarray(image, dtype=np.uint8).copy()


def blank_page(dpi: int = 300) -> np.ndarray:
    width, height = page_size_px(CATALOGUE.form("birth_tj_2010"), dpi)
    return np.full((height, width), 255, dtype=np.uint8)


@dataclass(frozen=True)
class Distortion:
    """How a page is "scanned": clockwise quarter-turn, counter-clockwise skew (degrees), scale, shift (mm)."""

    rotation: int = 0
    skew_deg: float = 0.0
    scale: float = 1.0
    shift_mm: tuple[float, float] = (0.0, 0.0)
    noise: float = 0.0
    keystone: float = 0.0  # perspective: the bottom edge this much (share of the width) wider than the top


def scan(page: np.ndarray, distortion: Distortion, dpi: int = 300, seed: int = 0) -> np.ndarray:
    """Applies the distortion to an upright page; the canvas keeps the page's size (sides swap on 90/270)."""
    height, width = page.shape
    centre = ((width - 1) / 2, (height - 1) / 2)
    matrix = np.vstack([cv2.getRotationMatrix2D(centre, distortion.skew_deg, distortion.scale), [0, 0, 1]])
    matrix[0, 2] += distortion.shift_mm[0] * dpi / 25.4
    matrix[1, 2] += distortion.shift_mm[1] * dpi / 25.4
    if distortion.keystone:
        spread = distortion.keystone * width / 2
        corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
        moved = np.float32([[0, 0], [width, 0], [width + spread, height], [-spread, height]])
        matrix = matrix @ cv2.getPerspectiveTransform(corners, moved)
    scanned = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    scanned = np.rot90(scanned, k=-(distortion.rotation // 90))
    if distortion.noise:
        noisy = scanned + np.random.default_rng(seed).normal(0.0, distortion.noise, scanned.shape)
        scanned = np.clip(noisy, 0, 255)
    return np.ascontiguousarray(scanned, dtype=np.uint8)
