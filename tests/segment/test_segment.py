"""segment_page on synthetic scans run through prepare_page: form found, page aligned, fields cut, slots told."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from pipeline.forms.render import mm_to_px, page_size_px, render_blank
from pipeline.prepare import ink_mask, prepare_page
from pipeline.segment import MIN_MATCH_SCORE, segment_page
from pipeline.segment.crops import crop_rect
from pipeline.segment.geometry import MM_PER_INCH
from pipeline.types import SegmentedPage
from tests.prepare.synthetic import (
    CATALOGUE,
    Distortion,
    blank_page,
    cover_page,
    filled_form,
    index_page,
    scan,
    value_for,
)

DPI = 200


@dataclass(frozen=True)
class Case:
    form_id: str
    distortion: Distortion
    segmented: SegmentedPage


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    """Every form at every quarter-turn, scanned at 150-300 dpi with skew, +-10 % scale, shift and perspective."""
    rng = np.random.default_rng(97)
    found = []
    for i, form_id in enumerate(sorted(CATALOGUE.forms)):
        scan_dpi = (300, 150, 200, 250)[i]
        page = filled_form(CATALOGUE.form(form_id), scan_dpi, slots=(0,))
        for rotation in (0, 90, 180, 270):
            distortion = Distortion(
                rotation=rotation,
                skew_deg=float(rng.uniform(-5, 5)),
                scale=float(rng.uniform(0.9, 1.1)),
                shift_mm=(float(rng.uniform(-5, 5)), float(rng.uniform(-5, 5))),
                noise=6.0,
                keystone=float(rng.uniform(-0.006, 0.006)),
            )
            prepared = prepare_page(scan(page, distortion, scan_dpi, seed=rotation))
            found.append(Case(form_id, distortion, segment_page(prepared.image, CATALOGUE, dpi=DPI)))
    return found


def test_every_form_is_identified_exactly(cases: list[Case]) -> None:
    assert [c.segmented.form_id for c in cases] == [c.form_id for c in cases]
    assert all(c.segmented.match_score >= 0.9 for c in cases)


def _line_offsets_mm(aligned: np.ndarray, form_id: str) -> np.ndarray:
    """Where each horizontal ruled line of the aligned page lies, minus where the template puts it (mm),
    measured at three points on the right (the dark rows within 1 mm of the expected one)."""
    template = CATALOGUE.form(form_id)
    px_per_mm = DPI / MM_PER_INCH
    reach = round(1.0 * px_per_mm)
    offsets = []
    for offset in template.slot_offset_mm:
        for line in template.lines:
            # The value lines; the frame's corners may have been cut off by the skewed scan.
            if not line.horizontal or line.x1 < 50:
                continue
            expected = (line.y1 + offset) * px_per_mm
            # Where no value is written and no label comes near.
            for share in (0.6, 0.8, 0.98):
                x = round((line.x1 + share * (line.x2 - line.x1)) * px_per_mm)
                top = round(expected) - reach
                # Mean over a few columns, weighted darkness: the line's centre to a fraction of a pixel.
                strip = 255.0 - aligned[top : top + 2 * reach + 1, x - 3 : x + 4].mean(axis=1)
                strip = np.where(strip > 0.5 * strip.max(), strip, 0.0)
                centre = top + float((strip * np.arange(len(strip))).sum() / strip.sum())
                offsets.append((centre - expected) / px_per_mm)
    return np.array(offsets)


def test_page_is_aligned_onto_its_template(cases: list[Case]) -> None:
    worst = []
    for case in cases:
        template = CATALOGUE.form(case.form_id)
        aligned = case.segmented.aligned
        assert aligned is not None
        assert (aligned.shape[1], aligned.shape[0]) == page_size_px(template, DPI)
        assert case.segmented.alignment_score >= 0.8
        worst.append(np.abs(_line_offsets_mm(aligned, case.form_id)).max())
    # Every value line within a quarter of a millimetre of the template.
    assert max(worst) < 0.25, [round(w, 3) for w in worst]


def test_only_the_written_slot_is_returned_with_every_field(cases: list[Case]) -> None:
    for case in cases:
        template = CATALOGUE.form(case.form_id)
        (slot,) = case.segmented.slots
        assert [crop.key for crop in slot] == list(template.field_keys)
        assert {crop.slot for crop in slot} == {0}


@pytest.mark.parametrize("skew_deg", [-4.0, 2.5])
def test_page_left_skewed_is_still_identified_and_aligned(skew_deg: float) -> None:
    """segment_page expects a deskewed page, but one that is not loses no lines and no precision."""
    page = filled_form(CATALOGUE.form("marriage_tj_2010"), 200, slots=(0,))
    segmented = segment_page(scan(page, Distortion(skew_deg=skew_deg, noise=5.0), 200), CATALOGUE, dpi=DPI)
    assert segmented.form_id == "marriage_tj_2010" and segmented.match_score >= 0.9
    assert segmented.aligned is not None
    assert np.abs(_line_offsets_mm(segmented.aligned, "marriage_tj_2010")).max() < 0.25


@pytest.mark.parametrize("name", ["cover", "index", "blank"])
def test_pages_that_are_not_a_known_form_are_unmatched(name: str) -> None:
    page = {"cover": cover_page, "index": index_page, "blank": blank_page}[name](200)
    prepared = prepare_page(scan(page, Distortion(skew_deg=1.3, noise=6.0), 200))
    segmented = segment_page(prepared.image, CATALOGUE, dpi=DPI)
    assert segmented.form_id is None
    assert segmented.match_score < MIN_MATCH_SCORE
    assert segmented.aligned is None and segmented.slots == ()


def test_form_hint_is_followed_but_a_poor_fit_is_reported() -> None:
    prepared = prepare_page(scan(filled_form(CATALOGUE.form("death_tj_2010"), 200), Distortion(skew_deg=-0.8), 200))
    right = segment_page(prepared.image, CATALOGUE, form_hint="death_tj_2010", dpi=DPI)
    wrong = segment_page(prepared.image, CATALOGUE, form_hint="birth_tj_2010", dpi=DPI)
    # Death and marriage forms share every death line; the marriage form's extra lines must still tell.
    close = segment_page(prepared.image, CATALOGUE, form_hint="marriage_tj_2010", dpi=DPI)
    assert right.form_id == "death_tj_2010" and right.match_score >= 0.9
    assert wrong.form_id == "birth_tj_2010" and wrong.match_score < 0.5 and wrong.aligned is not None
    assert close.match_score < right.match_score - 0.1


@pytest.mark.parametrize(("written", "expected"), [((0,), [0]), ((0, 1), [0, 1]), ((1,), [1]), ((), [])])
def test_empty_slots_of_the_two_record_form_are_left_out(written: tuple[int, ...], expected: list[int]) -> None:
    page = filled_form(CATALOGUE.form("birth_su_1970"), 200, slots=written)
    prepared = prepare_page(scan(page, Distortion(rotation=180, skew_deg=2.1, scale=1.04, noise=6.0), 200))
    segmented = segment_page(prepared.image, CATALOGUE, dpi=DPI)
    assert segmented.form_id == "birth_su_1970"
    assert [slot[0].slot for slot in segmented.slots] == expected


def test_slot_crossed_out_as_unused_is_left_out() -> None:
    """Unused slots in a book are often cancelled with a Z drawn across them: no record there."""
    template = CATALOGUE.form("birth_su_1970")
    page = filled_form(template, 200, slots=(0,))
    top = template.fields[0].box[1] + template.slot_offset_mm[1]
    bottom = template.fields[-1].box[1] + template.fields[-1].box[3] + template.slot_offset_mm[1]
    corners = [(84, top), (196, top), (84, bottom), (196, bottom)]
    points = np.array([[mm_to_px(x, 200), mm_to_px(y, 200)] for x, y in corners], dtype=np.int32)
    cv2.polylines(page, [points], isClosed=False, color=30, thickness=mm_to_px(0.5, 200))
    prepared = prepare_page(scan(page, Distortion(skew_deg=0.9, noise=6.0), 200))
    segmented = segment_page(prepared.image, CATALOGUE, dpi=DPI)
    assert [slot[0].slot for slot in segmented.slots] == [0]


def test_input_array_is_not_modified() -> None:
    page = filled_form(CATALOGUE.form("marriage_tj_2010"), 150)
    before = page.copy()
    segmented = segment_page(page, CATALOGUE, dpi=150)
    assert np.array_equal(page, before)
    assert segmented.aligned is not None and not np.shares_memory(segmented.aligned, page)


def _longest_run(mask: np.ndarray) -> int:
    """Longest horizontal run of ink in any row."""
    longest = 0
    for row in mask:
        padded = np.concatenate(([0], row.astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(padded))
        if len(edges):
            longest = max(longest, int((edges[1::2] - edges[::2]).max()))
    return longest


def test_field_crop_holds_the_written_value_and_not_its_ruled_line() -> None:
    """The crop's ink matches the value's ink on the unscanned page; the line under it is gone."""
    template = CATALOGUE.form("birth_tj_2010")
    page = filled_form(template, DPI, slots=(0,))
    blank = render_blank(template, DPI)
    distortion = Distortion(rotation=90, skew_deg=-3.4, scale=0.95, shift_mm=(2.0, -3.0), noise=6.0)
    segmented = segment_page(prepare_page(scan(page, distortion, DPI)).image, CATALOGUE, dpi=DPI)
    crops = {crop.key: crop for crop in segmented.slots[0]}
    px_per_mm = DPI / MM_PER_INCH
    for key in ("child_surname", "child_birth_place", "father_residence"):
        crop = crops[key]
        x, y, w, h = crop_rect(template, template.field(key), 0, DPI)
        assert crop.box_px == (x, y, w, h) and crop.image.shape == (h, w)
        written = (page[y : y + h, x : x + w] < 128) & (blank[y : y + h, x : x + w] >= 128)
        found = ink_mask(crop.image) > 0
        # The value's strokes are there (allowing a pixel of misalignment) and little else is.
        near_written = cv2.dilate(written.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        assert (found & near_written).sum() > 0.8 * written.sum()
        assert (found & ~near_written).sum() < 0.1 * written.sum()
        # No ruled line left: no ink run along the crop is longer than a couple of letters.
        assert _longest_run(found) < 4 * px_per_mm


def test_crop_keeps_a_descender_that_crosses_the_line() -> None:
    template = CATALOGUE.form("death_tj_2010")
    # Large type on a baseline just above the line: р and у reach well below it.
    page = filled_form(template, DPI, text_mm=8.0)
    segmented = segment_page(page, CATALOGUE, dpi=DPI)
    spec = next(f for f in template.fields if "у" in value_for(template, f.key, 0))
    crop = {c.key: c for c in segmented.slots[0]}[spec.key]
    x, y, w, h = crop.box_px
    line_row = round((spec.box[1] + spec.box[3] + 0.2) * DPI / MM_PER_INCH) - y
    below = slice(line_row + 3, h)
    written_below = page[y : y + h, x : x + w][below] < 128
    found_below = ink_mask(crop.image)[below] > 0
    assert written_below.sum() > 50
    assert (found_below & written_below).sum() > 0.8 * written_below.sum()


def test_a_value_running_past_its_box_is_cut_whole_and_read_whole() -> None:
    """A long place typed on past the end of its box (into the margin before the frame) is followed."""
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr.engine import TesseractEngine
    from pipeline.ocr.image import prepare_field
    from tests.prepare.synthetic import FONT

    dpi = 300
    template = CATALOGUE.form("birth_tj_2010")
    spec = template.field("child_birth_place")
    value = "ш. Истаравшан, ҷ. Ҳамадонӣ, к. Сомониён"
    image = Image.fromarray(render_blank(template, dpi))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size=mm_to_px(4.0, dpi))
    x, y, w, h = template.field_box_mm(spec, 0)
    width_mm = draw.textlength(value, font=font) * MM_PER_INCH / dpi
    start = x + w + 2.7 - width_mm  # ends 2.7 mm past the box, past its crop margin, before the frame
    assert start > x
    draw.text((mm_to_px(start, dpi), mm_to_px(y + h - 0.4, dpi)), value, fill=20, font=font, anchor="ls")
    draw.text((mm_to_px(x + 3, dpi), mm_to_px(y - 8.54 + h - 0.4, dpi)), "Раҳимова", fill=20, font=font, anchor="ls")
    segmented = segment_page(np.asarray(image, dtype=np.uint8).copy(), CATALOGUE, dpi=dpi)
    crop = {c.key: c for c in segmented.slots[0]}["child_birth_place"]
    box_x, _, box_w, _ = crop_rect(template, spec, 0, dpi)
    assert crop.box_px[2] > box_w  # widened past the box
    assert crop.box_px[0] + crop.box_px[2] < mm_to_px(200.0, dpi)  # not into the frame
    ink = prepare_field(crop.image)
    assert ink.image is not None and not ink.cut_off
    engine = TesseractEngine()
    try:
        assert engine.recognize(ink.image, lang="tgk+rus", psm=7).text == value
    finally:
        engine.close()
    # a value that ends inside its box is cut as before
    surname = {c.key: c for c in segmented.slots[0]}["child_surname"]
    assert surname.box_px == crop_rect(template, template.field("child_surname"), 0, dpi)
