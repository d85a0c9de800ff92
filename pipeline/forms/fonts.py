"""Finds the TrueType fonts named in the catalogue (DejaVu, from Debian's fonts-dejavu-core)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from pipeline.errors import MissingDependency

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_FILES = {
    "DejaVu Serif": "DejaVuSerif.ttf",
    "DejaVu Serif Bold": "DejaVuSerif-Bold.ttf",
    "DejaVu Sans": "DejaVuSans.ttf",
    "DejaVu Sans Mono": "DejaVuSansMono.ttf",
    "DejaVu Sans Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVu Serif Italic": "DejaVuSerif-Italic.ttf",
}


def font_path(name: str) -> Path:
    file_name = _FILES.get(name, name)
    for folder in _FONT_DIRS:
        candidate = folder / file_name
        if candidate.exists():
            return candidate
    raise MissingDependency(
        f"font {name!r} ({file_name}) not found; install it with: apt-get install fonts-dejavu-core fonts-dejavu-extra"
    )


@lru_cache(maxsize=64)
def load_font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), size=max(1, size_px))
