"""Scan-quality profiles as data: how pages are written and what the scanner and the years did to them.

Each range is (low, high) and one value is drawn per page; a share is the chance that a page has the trait.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class Profile:
    name: str
    handwritten_share: float
    skew_deg: float  # largest |skew|
    rotation_shares: dict[int, float]  # clockwise quarter-turn -> share of pages
    scale: tuple[float, float]
    shift_mm: float  # largest shift in x and y
    noise_sigma: tuple[float, float]
    blur_sigma: tuple[float, float]
    fade: tuple[float, float]
    background: tuple[float, float]
    stains: tuple[int, int]
    gutter_share: float
    colour_share: float
    jpeg_quality: tuple[int, int]  # of pages saved as JPEG (noisy ones, when the format is left to the generator)
    recompressed_share: float  # pages that went through JPEG before they were stored (a scanner's own)


PROFILES: dict[str, Profile] = {
    "clean": Profile(
        name="clean",
        handwritten_share=0.0,
        skew_deg=0.7,
        rotation_shares={0: 1.0},
        scale=(0.995, 1.005),
        shift_mm=1.0,
        noise_sigma=(0.0, 0.0),
        blur_sigma=(0.0, 0.5),
        fade=(0.0, 0.05),
        background=(0.0, 0.03),
        stains=(0, 0),
        gutter_share=0.0,
        colour_share=0.0,
        jpeg_quality=(90, 95),
        recompressed_share=0.0,
    ),
    "mixed": Profile(
        name="mixed",
        handwritten_share=0.5,
        skew_deg=5.0,
        rotation_shares={0: 0.85, 90: 0.04, 180: 0.08, 270: 0.03},
        scale=(0.97, 1.02),
        shift_mm=4.0,
        noise_sigma=(0.0, 6.0),
        blur_sigma=(0.3, 1.0),
        fade=(0.0, 0.3),
        background=(0.03, 0.12),
        stains=(0, 1),
        gutter_share=0.2,
        colour_share=0.15,
        jpeg_quality=(75, 88),
        recompressed_share=0.1,
    ),
    "hard": Profile(
        name="hard",
        handwritten_share=1.0,
        skew_deg=5.0,
        rotation_shares={0: 0.8, 90: 0.05, 180: 0.1, 270: 0.05},
        scale=(0.95, 1.03),
        shift_mm=6.0,
        noise_sigma=(6.0, 14.0),
        blur_sigma=(0.6, 1.6),
        fade=(0.25, 0.55),
        background=(0.1, 0.25),
        stains=(1, 4),
        gutter_share=0.7,
        colour_share=0.3,
        jpeg_quality=(68, 85),
        recompressed_share=0.3,
    ),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown scan profile {name!r}; known: {', '.join(PROFILES)}") from None
