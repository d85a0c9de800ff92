"""prepare_page on synthetic scans of every form: quarter-turn, skew, the input left alone, OSD fallback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from pipeline.config import Settings
from pipeline.errors import MissingDependency
from pipeline.prepare import prepare_page
from pipeline.types import PreparedPage
from tests.prepare.synthetic import CATALOGUE, Distortion, cover_page, filled_form, scan

ROTATIONS = (0, 90, 180, 270)


@dataclass(frozen=True)
class Case:
    form_id: str
    dpi: int
    distortion: Distortion
    prepared: PreparedPage


def _distortions(rng: np.random.Generator) -> list[Distortion]:
    found = []
    for rotation in ROTATIONS:
        for _ in range(2):
            magnitude = rng.uniform(0.5, 5.0)
            found.append(
                Distortion(
                    rotation=rotation,
                    skew_deg=float(magnitude * rng.choice((-1, 1))),
                    scale=float(rng.uniform(0.9, 1.1)),
                    shift_mm=(float(rng.uniform(-4, 4)), float(rng.uniform(-4, 4))),
                    noise=6.0,
                )
            )
    return found


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    """Every form, every quarter-turn, two skews each (0.5-5 degrees either way), at 150, 200 or 300 dpi."""
    rng = np.random.default_rng(20240611)
    found = []
    for i, form_id in enumerate(sorted(CATALOGUE.forms)):
        dpi = (150, 200, 300, 200)[i]
        page = filled_form(CATALOGUE.form(form_id), dpi, slots=(0,))
        for j, distortion in enumerate(_distortions(rng)):
            scanned = scan(page, distortion, dpi, seed=j)
            found.append(Case(form_id, dpi, distortion, prepare_page(scanned)))
    return found


def test_quarter_turn_is_recovered_exactly_on_every_form_page(cases: list[Case]) -> None:
    wrong = [
        (c.form_id, c.distortion.rotation, c.prepared.rotation)
        for c in cases
        if c.prepared.rotation != c.distortion.rotation
    ]
    assert not wrong
    assert all(c.prepared.orientation_confidence >= 0.5 for c in cases)


def test_skew_is_measured_within_a_tenth_of_a_degree_on_average(cases: list[Case]) -> None:
    errors = np.array([abs(c.prepared.skew_deg - c.distortion.skew_deg) for c in cases])
    assert errors.max() <= 0.15, [round(e, 3) for e in errors]
    assert errors.mean() <= 0.1


def test_prepared_page_is_upright_portrait_grayscale(cases: list[Case]) -> None:
    for case in cases:
        image = case.prepared.image
        assert image.dtype == np.uint8 and image.ndim == 2
        assert image.shape[0] > image.shape[1]


def test_prepared_page_lines_up_with_the_original(cases: list[Case]) -> None:
    """Undoing rotation and skew gives back the page up to the scanner's scale and shift (checked unscaled)."""
    rng = np.random.default_rng(7)
    template = CATALOGUE.form("death_tj_2010")
    page = filled_form(template, 150)
    for rotation in ROTATIONS:
        distortion = Distortion(rotation=rotation, skew_deg=float(rng.uniform(-4, 4)))
        prepared = prepare_page(scan(page, distortion, 150))
        assert prepared.image.shape == page.shape
        # The interior (away from the corners the skew cut off) matches the unskewed original.
        core = (slice(60, -60), slice(60, -60))
        difference = np.abs(prepared.image[core].astype(int) - page[core].astype(int))
        assert np.mean(difference) < 4.0


def test_input_array_is_not_modified() -> None:
    scanned = scan(filled_form(CATALOGUE.form("birth_tj_2010"), 150), Distortion(rotation=90, skew_deg=2.0), 150)
    before = scanned.copy()
    prepared = prepare_page(scanned)
    assert np.array_equal(scanned, before)
    assert not np.shares_memory(prepared.image, scanned)


def test_unskewed_upright_page_comes_back_as_a_copy() -> None:
    page = filled_form(CATALOGUE.form("birth_su_1970"), 150)
    prepared = prepare_page(page)
    assert prepared.rotation == 0 and abs(prepared.skew_deg) < 0.05
    assert not np.shares_memory(prepared.image, page)


def test_rgb_scan_is_accepted_and_prepared_as_grayscale() -> None:
    gray = scan(filled_form(CATALOGUE.form("marriage_tj_2010"), 150), Distortion(rotation=270, skew_deg=-1.2), 150)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    prepared = prepare_page(rgb)
    assert prepared.rotation == 270
    assert prepared.image.ndim == 2
    assert abs(prepared.skew_deg + 1.2) <= 0.15


class RecordingOsd:
    """Stands in for the OCR engine's orientation detection."""

    def __init__(self, answer: tuple[int, float]) -> None:
        self.answer = answer
        self.seen: list[np.ndarray] = []

    def __call__(self, page: np.ndarray) -> tuple[int, float]:
        self.seen.append(page)
        return self.answer


def test_page_without_form_lines_is_turned_by_osd() -> None:
    scanned = scan(cover_page(150), Distortion(rotation=90, skew_deg=1.5), 150)
    osd = RecordingOsd((90, 0.9))
    prepared = prepare_page(scanned, osd=osd)
    assert prepared.rotation == 90
    assert prepared.orientation_confidence == pytest.approx(0.9)
    assert prepared.image.shape[0] > prepared.image.shape[1]
    assert abs(prepared.skew_deg - 1.5) <= 0.15
    # OSD sees the page as scanned (not yet turned), deskewed and binarized.
    (seen,) = osd.seen
    assert seen.shape == scanned.shape
    assert set(np.unique(seen)) <= {0, 255}


def test_osd_is_not_asked_when_the_form_lines_decide() -> None:
    scanned = scan(filled_form(CATALOGUE.form("birth_tj_2010"), 150), Distortion(rotation=180, skew_deg=0.7), 150)
    osd = RecordingOsd((0, 1.0))
    prepared = prepare_page(scanned, osd=osd)
    assert prepared.rotation == 180
    assert not osd.seen


def test_page_without_form_lines_or_osd_stays_unturned_with_no_confidence() -> None:
    prepared = prepare_page(scan(cover_page(150), Distortion(skew_deg=-2.0), 150))
    assert prepared.rotation == 0
    assert prepared.orientation_confidence == 0.0
    assert abs(prepared.skew_deg + 2.0) <= 0.15


def test_osd_answer_that_is_not_a_quarter_turn_is_refused() -> None:
    with pytest.raises(ValueError, match="quarter-turn"):
        prepare_page(cover_page(150), osd=RecordingOsd((45, 0.9)))


@pytest.mark.parametrize("rotation", [90, 180])
def test_cover_is_turned_by_the_ocr_engines_orientation_detection(rotation: int) -> None:
    """The real engine's OSD and prepare_page agree on what the rotation means."""
    engine_module = pytest.importorskip("pipeline.ocr.engine", reason="the OCR engine module is not there")
    try:
        engine = engine_module.get_engine(Settings())
    except MissingDependency as exc:
        pytest.skip(str(exc))
    try:
        prepared = prepare_page(
            scan(cover_page(200), Distortion(rotation=rotation, skew_deg=1.2), 200), osd=engine.detect_orientation
        )
    finally:
        engine.close()
    assert prepared.rotation == rotation
    assert prepared.orientation_confidence > 0.0
