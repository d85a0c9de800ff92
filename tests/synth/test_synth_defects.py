"""Scan defects: the rotation and skew conventions of the truth are those of the transform applied, and each
ageing defect changes the page the way it says."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import load_catalogue
from pipeline.forms.render import render_blank
from pipeline.prepare.deskew import estimate_skew, rotate_upright
from pipeline.synth import defects
from pipeline.synth.profiles import PROFILES
from pipeline.synth.scan import ScanParams, draw_params, simulate_scan

CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")
DPI = 100


def _plain(rotation: int, skew_deg: float) -> ScanParams:
    """A scan that only turns the page: no scale, shift, noise, blur or ageing."""
    params = draw_params(PROFILES["clean"], random.Random(0), rotation=rotation, skew_deg=skew_deg)
    return replace(params, scale=1.0, shift_mm=(0.0, 0.0), noise_sigma=0.0, blur_sigma=0.0, fade=0.0, background=0.0)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotation_is_the_clockwise_quarter_turn_and_np_rot90_by_it_undoes_it(rotation: int) -> None:
    page = np.full((40, 30), 255, np.uint8)
    page[:5, :5] = 0  # a mark at the page's top-left corner
    scanned = defects.rotate_quarter(page, rotation)
    # turning clockwise carries the top-left corner to the top-right, then bottom-right, then bottom-left
    corner = {0: (0, 0), 90: (0, -1), 180: (-1, -1), 270: (-1, 0)}[rotation]
    assert scanned[corner] == 0
    assert np.array_equal(np.rot90(scanned, k=rotation // 90), page)


def test_positive_skew_turns_the_content_counter_clockwise() -> None:
    page = np.full((301, 301), 255, np.uint8)
    page[150, 50:251] = 0
    turned = defects.warp(page, skew_deg=5.0)
    rows, cols = np.nonzero(turned < 128)
    left_row = rows[cols == cols.min()].mean()
    right_row = rows[cols == cols.max()].mean()
    assert right_row < left_row - 10  # the right end has risen: counter-clockwise on screen


@pytest.mark.parametrize(("rotation", "skew"), [(0, 2.5), (90, -3.0), (180, 1.2), (270, 4.0)])
def test_a_generated_scan_undone_with_its_truth_matches_the_blank(rotation: int, skew: float) -> None:
    blank = render_blank(CATALOGUE.form("death_tj_2010"), DPI)
    scanned = simulate_scan(blank, _plain(rotation, skew), DPI, seed=1)
    assert scanned.shape == (blank.shape if rotation in (0, 180) else blank.shape[::-1])
    upright = rotate_upright(scanned, rotation, skew)
    ink_blank, ink_back = blank < 128, upright < 128
    overlap = (ink_blank & ink_back).sum() / ink_blank.sum()
    # thin lines shift by a pixel in two resamplings; the wrong turn would leave almost no overlap
    assert overlap > 0.6
    wrong = rotate_upright(scanned, rotation, -skew) < 128
    assert (ink_blank & wrong).sum() / ink_blank.sum() < overlap - 0.2


@pytest.mark.parametrize("skew", [-4.0, -1.5, 0.7, 3.3])
def test_the_skew_the_pipeline_measures_on_a_generated_page_is_the_truth(skew: float) -> None:
    blank = render_blank(CATALOGUE.form("birth_tj_2010"), DPI)
    scanned = simulate_scan(blank, _plain(0, skew), DPI, seed=2)
    assert estimate_skew(np.where(scanned < 128, 255, 0).astype(np.uint8)).angle == pytest.approx(skew, abs=0.15)


def test_ageing_defects_change_the_page_as_described() -> None:
    rng = np.random.default_rng(0)
    page = np.full((200, 160), 255, np.uint8)
    page[100:110, 20:140] = 0
    faded = defects.fade_ink(page, 0.5, rng)
    assert faded[105, 80] > 60 and (faded >= page).all()  # ink lighter, never darker
    aged = defects.uneven_background(page, 0.2, rng)
    assert (aged <= page).all() and aged[:50].mean() < 255
    shadow = defects.gutter_shadow(page, 0.2, 0.5, left=True)
    assert shadow[10, 0] < 160 and shadow[10, 80] == 255
    stained = defects.stains(np.full((400, 400), 255, np.uint8), 3, rng)
    assert stained.min() < 230 and np.median(stained) > 240
    noisy = defects.gaussian_noise(np.full((100, 100), 128, np.uint8), 5.0, rng)
    assert 4.0 < noisy.std() < 6.0
    assert defects.blur(page, 1.5)[99, 80] < 255  # ink spreads beyond its edge
    coloured = defects.paper_colour(page, (240, 230, 200), (20, 20, 80))
    assert coloured.shape == (200, 160, 3)
    assert tuple(coloured[0, 0]) == (240, 230, 200) and tuple(coloured[105, 80]) == (20, 20, 80)
    jpeg = defects.jpeg_artifacts(defects.gaussian_noise(page, 8.0, rng), 30)
    assert jpeg.shape == page.shape and jpeg.dtype == np.uint8


def test_only_quarter_turns_are_accepted() -> None:
    with pytest.raises(ValueError, match="rotation"):
        defects.rotate_quarter(np.zeros((4, 4), np.uint8), 45)
