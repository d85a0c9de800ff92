"""A book's cover or title sheet: a page that is no act record (its truth is ``"form": null``)."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from pipeline.forms.fonts import load_font
from pipeline.forms.render import mm_to_px
from pipeline.synth.places import office_name
from pipeline.synth.values import Book

_PAGE_MM = (210.0, 297.0)
_ACT_WORDS = {  # act type -> (Tajik title word, Russian title words)
    "birth": ("ТАВАЛЛУД", "О РОЖДЕНИИ"),
    "death": ("ВАФОТ", "О СМЕРТИ"),
    "marriage": ("АҚДИ НИКОҲ", "О ЗАКЛЮЧЕНИИ БРАКА"),
    "divorce": ("БЕКОР КАРДАНИ АҚДИ НИКОҲ", "О РАСТОРЖЕНИИ БРАКА"),
}


def cover_lines(book: Book, copy: int) -> list[tuple[str, float]]:
    """The cover's lines (text, size in mm), top to bottom: title, office, year, copy."""
    tg, ru = _ACT_WORDS[book.form.act_type]
    roman = "I" * copy
    if book.era == "su":
        return [
            ("КНИГА", 12.0),
            ("ЗАПИСЕЙ АКТОВ", 9.0),
            (ru, 9.0),
            (office_name(book.place, "su", tajik=False), 6.0),
            (f"{book.year} год", 8.0),
            (f"{roman} экземпляр", 6.0),
        ]
    return [
        ("КИТОБИ САБТИ АСНОДИ", 8.0),
        (tg, 8.0),
        (f"КНИГА ЗАПИСЕЙ АКТОВ {ru}", 5.5),
        (office_name(book.place, "tj", tajik=not book.russian), 6.0),
        (f"соли {book.year} / {book.year} год", 7.0),
        (f"нусхаи {roman} / {roman} экз.", 6.0),
    ]


def render_cover(book: Book, dpi: int, rng: random.Random, *, copy: int = 1) -> np.ndarray:
    """The cover as a grey uint8 page: a framed block of centred title lines and a volume label."""
    width, height = mm_to_px(_PAGE_MM[0], dpi), mm_to_px(_PAGE_MM[1], dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    inset = mm_to_px(rng.uniform(14, 20), dpi)
    draw.rectangle((inset, inset, width - inset, height - inset), outline=0, width=mm_to_px(1.2, dpi))
    gap = mm_to_px(2.5, dpi)
    draw.rectangle(
        (inset + gap, inset + gap, width - inset - gap, height - inset - gap), outline=0, width=mm_to_px(0.4, dpi)
    )
    y = mm_to_px(rng.uniform(60, 80), dpi)
    for text, size_mm in cover_lines(book, copy):
        font = load_font("DejaVu Serif Bold", mm_to_px(size_mm, dpi))
        draw.text((width // 2, y), text, fill=0, font=font, anchor="mt")
        y += mm_to_px(size_mm * 1.6, dpi)
    label = load_font("DejaVu Serif", mm_to_px(5.0, dpi))
    volume = f"Том {rng.randint(1, 4)}" if book.era == "su" else f"Ҷилди {rng.randint(1, 4)}"
    draw.text((width // 2, height - inset - mm_to_px(40, dpi)), volume, fill=0, font=label, anchor="mt")
    return np.asarray(image, dtype=np.uint8).copy()
