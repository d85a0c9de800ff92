"""read_page on a two-page spread: both pages read on their own, their records keyed apart, their field boxes
where the saved image shows them; a single page reads as one."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.ocr.engine import TesseractEngine
from pipeline.ocr.lexicon import load_lexicon
from pipeline.prepare import SPREAD_SLOT_OFFSET
from pipeline.process import PageContext, read_page, side_by_side
from pipeline.qa.thresholds import load_thresholds
from tests.prepare.synthetic import CATALOGUE, Distortion, cover_page, filled_form, scan

SCHEMAS = PROJECT_ROOT / "schemas"
DPI = 200


@pytest.fixture(scope="module")
def ctx() -> Iterator[PageContext]:
    engine = TesseractEngine()
    yield PageContext(
        catalogue=CATALOGUE,
        engine=engine,
        lexicon=load_lexicon(SCHEMAS),
        thresholds=load_thresholds(SCHEMAS / "thresholds.yaml"),
        dpi=DPI,
    )
    engine.close()


def _open_book(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    spread = np.hstack([left, right]).astype(np.float32)
    columns = np.arange(spread.shape[1])
    shadow = 1.0 - 0.5 * np.exp(-(((columns - spread.shape[1] / 2) / 20.0) ** 2))
    return scan((spread * shadow[None, :]).astype(np.uint8), Distortion(skew_deg=0.8, noise=3.0), DPI)


def test_both_pages_of_a_spread_are_read_with_slots_of_their_own_and_boxes_on_the_saved_image(
    ctx: PageContext,
) -> None:
    birth, death = CATALOGUE.form("birth_tj_2010"), CATALOGUE.form("death_tj_2010")
    outcome = read_page(_open_book(filled_form(birth, DPI), filled_form(death, DPI)), ctx)
    assert [half.segmented.form_id for half in outcome.halves] == ["birth_tj_2010", "death_tj_2010"]
    slots = [record.slot for record in outcome.reading.records]
    assert slots == [0, SPREAD_SLOT_OFFSET]
    assert [outcome.form_of(record) for record in outcome.reading.records] == ["birth_tj_2010", "death_tj_2010"]
    assert outcome.reading.form_id == "birth_tj_2010"
    assert [len(record.fields) for record in outcome.reading.records] == [len(birth.fields), len(death.fields)]
    assert outcome.image_stage == "spread"

    left, right = (half.image for half in outcome.halves)
    assert outcome.offsets_px == (0, left.shape[1])
    assert outcome.image.shape == (max(left.shape[0], right.shape[0]), left.shape[1] + right.shape[1])
    first, second = outcome.reading.records
    for record, page, offset in ((first, left, 0), (second, right, left.shape[1])):
        for f in record.fields:
            x, y, w, h = f.box_px
            assert offset <= x and x + w <= offset + page.shape[1]
            shown = outcome.image[y : y + h, x : x + w]
            assert np.array_equal(shown, page[y : y + h, x - offset : x - offset + w]), f.key


def test_a_spread_keeps_the_records_of_its_page_that_matched_a_form(ctx: PageContext) -> None:
    death = CATALOGUE.form("death_tj_2010")
    outcome = read_page(_open_book(cover_page(DPI), filled_form(death, DPI)), ctx)
    assert [half.segmented.form_id for half in outcome.halves] == [None, "death_tj_2010"]
    assert [record.slot for record in outcome.reading.records] == [SPREAD_SLOT_OFFSET]
    assert outcome.reading.form_id == "death_tj_2010"


def test_a_single_page_is_read_as_one_page_as_before(ctx: PageContext) -> None:
    form = CATALOGUE.form("birth_su_1970")
    outcome = read_page(scan(filled_form(form, DPI), Distortion(skew_deg=-1.0), DPI), ctx)
    (half,) = outcome.halves
    assert outcome.image is half.segmented.aligned and outcome.offsets_px == (0,)
    assert outcome.image_stage == "aligned"
    assert [record.slot for record in outcome.reading.records] == [0, 1]
    assert outcome.reading.form_id == "birth_su_1970"


def test_side_by_side_pads_the_shorter_page_with_paper_and_says_where_each_begins() -> None:
    tall, short = np.zeros((6, 3), np.uint8), np.full((4, 2), 7, np.uint8)
    row, offsets = side_by_side([tall, short])
    assert offsets == (0, 3) and row.shape == (6, 5)
    assert (row[:4, 3:] == 7).all() and (row[4:, 3:] == 255).all() and (row[:, :3] == 0).all()
    assert side_by_side([short]) == (short, (0,))
