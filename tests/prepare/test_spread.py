"""prepare_spread: an open book scanned as one image comes back as its two pages, in reading order."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.prepare import prepare_page, prepare_spread
from pipeline.segment import segment_page
from tests.prepare.synthetic import CATALOGUE, Distortion, cover_page, filled_form, scan

DPI = 150


def _spread() -> np.ndarray:
    """A birth form on the left page, a death form on the right, with the gutter's shadow between them."""
    left = filled_form(CATALOGUE.form("birth_tj_2010"), DPI)
    right = filled_form(CATALOGUE.form("death_tj_2010"), DPI)
    spread = np.hstack([left, right]).astype(np.float32)
    columns = np.arange(spread.shape[1])
    shadow = 1.0 - 0.5 * np.exp(-(((columns - spread.shape[1] / 2) / 15.0) ** 2))
    return (spread * shadow[None, :]).astype(np.uint8)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_spread_is_cut_into_its_two_pages_in_reading_order(rotation: int) -> None:
    scanned = scan(_spread(), Distortion(rotation=rotation, skew_deg=1.7, noise=5.0), DPI)
    before = scanned.copy()
    pages = prepare_spread(scanned)
    assert np.array_equal(scanned, before)
    assert [page.rotation for page in pages] == [rotation, rotation]
    assert all(page.image.shape[0] > page.image.shape[1] for page in pages)
    forms = [segment_page(page.image, CATALOGUE, dpi=DPI).form_id for page in pages]
    assert forms == ["birth_tj_2010", "death_tj_2010"]


@pytest.mark.parametrize("rotation", [0, 90])
def test_two_record_form_is_not_cut_at_the_band_between_its_records(rotation: int) -> None:
    scanned = scan(filled_form(CATALOGUE.form("birth_su_1970"), DPI), Distortion(rotation=rotation, skew_deg=-1.0), DPI)
    (page,) = prepare_spread(scanned)
    assert page.rotation == rotation
    assert page.image.shape == (scanned.shape[0], scanned.shape[1])[:: 1 if rotation == 0 else -1]


def test_single_page_without_lines_is_not_cut() -> None:
    (page,) = prepare_spread(scan(cover_page(DPI), Distortion(skew_deg=0.8), DPI))
    assert page.image.shape[0] > page.image.shape[1]


@pytest.mark.parametrize("form_id", ["death_tj_2010", "birth_su_1970"])
def test_a_single_page_comes_back_exactly_as_prepare_page_makes_it(form_id: str) -> None:
    scanned = scan(filled_form(CATALOGUE.form(form_id), DPI), Distortion(rotation=180, skew_deg=1.2, noise=4.0), DPI)
    (page,) = prepare_spread(scanned)
    alone = prepare_page(scanned)
    assert np.array_equal(page.image, alone.image)
    assert (page.rotation, page.skew_deg, page.quality, page.orientation_confidence) == (
        alone.rotation,
        alone.skew_deg,
        alone.quality,
        alone.orientation_confidence,
    )
