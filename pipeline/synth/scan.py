"""Turns an upright, straight page into a "scan": draws the defects of a profile, then applies them in the
order paper ageing -> placement on the glass -> optics and sensor -> compression."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from pipeline.forms.render import MM_PER_INCH
from pipeline.synth import defects
from pipeline.synth.profiles import Profile

_PAPER_COLOURS = ((246, 238, 214), (240, 228, 196), (250, 246, 232))
_INK_COLOURS = ((28, 32, 70), (20, 20, 24), (40, 44, 90))


@dataclass(frozen=True)
class ScanParams:
    """Everything drawn for one page. ``rotation`` and ``skew_deg`` are what the ground truth records."""

    rotation: int
    skew_deg: float
    scale: float
    shift_mm: tuple[float, float]
    noise_sigma: float
    blur_sigma: float
    fade: float
    background: float
    stains: int
    gutter: float  # depth of the spine shadow, 0 = none
    colour: tuple[tuple[int, int, int], tuple[int, int, int]] | None  # (paper, ink) of a colour scan
    recompressed: int | None  # quality of an earlier JPEG round trip, None = none
    jpeg_quality: int  # when saved as JPEG

    @property
    def lossless(self) -> bool:
        """A noise-free grey page: worth storing losslessly (it compresses well); others go to JPEG."""
        return self.noise_sigma < 1.0 and self.colour is None and self.recompressed is None


def draw_params(
    profile: Profile, rng: random.Random, *, rotation: int | None = None, skew_deg: float | None = None
) -> ScanParams:
    """One page's defects; ``rotation`` and ``skew_deg`` may be fixed instead of drawn.

    The skew is rounded to 0.01 degree before use, so the truth holds exactly the angle applied.
    """
    if rotation is None:
        turns = list(profile.rotation_shares)
        rotation = rng.choices(turns, weights=[profile.rotation_shares[t] for t in turns])[0]
    if skew_deg is None:
        skew_deg = rng.uniform(-profile.skew_deg, profile.skew_deg)
    colour = (rng.choice(_PAPER_COLOURS), rng.choice(_INK_COLOURS)) if rng.random() < profile.colour_share else None
    return ScanParams(
        rotation=rotation,
        skew_deg=round(skew_deg, 2),
        scale=rng.uniform(*profile.scale),
        shift_mm=(rng.uniform(-profile.shift_mm, profile.shift_mm), rng.uniform(-profile.shift_mm, profile.shift_mm)),
        noise_sigma=rng.uniform(*profile.noise_sigma),
        blur_sigma=rng.uniform(*profile.blur_sigma),
        fade=rng.uniform(*profile.fade),
        background=rng.uniform(*profile.background),
        stains=rng.randint(*profile.stains),
        gutter=rng.uniform(0.15, 0.45) if rng.random() < profile.gutter_share else 0.0,
        colour=colour,
        recompressed=rng.randint(60, 85) if rng.random() < profile.recompressed_share else None,
        jpeg_quality=rng.randint(*profile.jpeg_quality),
    )


def simulate_scan(page: np.ndarray, params: ScanParams, dpi: int, seed: int) -> np.ndarray:
    """The scanned image of an upright grey page: grey uint8, or RGB when ``params.colour`` is set."""
    rng = np.random.default_rng(seed)
    image = defects.fade_ink(page, params.fade, rng)
    image = defects.stains(image, params.stains, rng)
    image = defects.uneven_background(image, params.background, rng)
    if params.gutter:
        image = defects.gutter_shadow(image, 0.08, params.gutter, left=bool(rng.integers(0, 2)))
    if params.colour:
        image = defects.paper_colour(image, *params.colour)
    shift_px = (params.shift_mm[0] * dpi / MM_PER_INCH, params.shift_mm[1] * dpi / MM_PER_INCH)
    image = defects.warp(image, skew_deg=params.skew_deg, scale=params.scale, shift_px=shift_px)
    image = defects.rotate_quarter(image, params.rotation)
    image = defects.blur(image, params.blur_sigma * dpi / 300)
    image = defects.gaussian_noise(image, params.noise_sigma, rng)
    if params.recompressed is not None:
        image = defects.jpeg_artifacts(image, params.recompressed)
    return image
