"""Page quality metrics and the ink mask, on a rendered form made blurred, faded, dark or shaded."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.prepare import ink_mask, measure_quality
from tests.prepare.synthetic import CATALOGUE, Distortion, blank_page, filled_form, scan


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    return scan(filled_form(CATALOGUE.form("birth_tj_2010"), 200), Distortion(noise=4.0), 200)


def test_blurred_scan_scores_lower_than_a_sharp_one(clean: np.ndarray) -> None:
    sharp = measure_quality(clean)
    blurred = measure_quality(cv2.GaussianBlur(clean, (0, 0), 2.5))
    assert blurred.blur < sharp.blur / 5
    assert blurred.score < sharp.score


def test_faded_scan_has_less_contrast_and_scores_lower(clean: np.ndarray) -> None:
    faded = (150 + clean.astype(np.float32) * (100 / 255)).astype(np.uint8)
    sharp, washed = measure_quality(clean), measure_quality(faded)
    assert washed.contrast < sharp.contrast - 0.3
    assert washed.score < sharp.score


def test_dark_scan_has_more_dark_pixels_and_scores_lower(clean: np.ndarray) -> None:
    dark = (clean.astype(np.float32) * 0.45).astype(np.uint8)
    normal, darkened = measure_quality(clean), measure_quality(dark)
    assert normal.darkness < 0.1
    assert darkened.darkness > 0.9
    assert darkened.score < 0.1 < normal.score


def test_clean_scan_scores_high_and_every_metric_is_in_range(clean: np.ndarray) -> None:
    quality = measure_quality(clean)
    assert 0.7 <= quality.score <= 1.0
    assert 0.0 <= quality.contrast <= 1.0 and 0.0 <= quality.darkness <= 1.0


def test_ink_mask_keeps_text_and_ignores_shading(clean: np.ndarray) -> None:
    """A page darkened towards one side (a book's gutter): the paper stays paper, the print stays ink."""
    height, width = clean.shape
    shade = np.linspace(1.0, 0.55, width, dtype=np.float32)[None, :]
    shaded = (clean.astype(np.float32) * shade).astype(np.uint8)
    reference, found = ink_mask(clean) > 0, ink_mask(shaded) > 0
    agreement = np.logical_and(reference, found).sum() / reference.sum()
    assert agreement > 0.9
    assert np.logical_and(found, ~reference).sum() < 0.01 * reference.sum()


def test_blank_page_has_no_ink() -> None:
    noisy_blank = scan(blank_page(150), Distortion(noise=6.0), 150)
    assert (ink_mask(noisy_blank) > 0).mean() < 0.001
