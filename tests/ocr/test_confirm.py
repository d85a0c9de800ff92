"""Second readings: a field in the confirm band read again from other images, lifted only when both agree; a
name with a look-alike rival read four more times, the rival dropped only when all four agree."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import OcrError
from pipeline.forms.catalogue import Catalogue, FormTemplate
from pipeline.ocr.engine import TesseractEngine
from pipeline.ocr.fakes import ScriptedEngine
from pipeline.ocr.fields import confirmed, read_field, rival_settled
from pipeline.ocr.image import GREY_LINE_SCALE, PAD_PX, TARGET_LINE_HEIGHT_PX, enlarged, grey_line, prepare_field
from pipeline.ocr.lexicon import Lexicon
from pipeline.qa.thresholds import Thresholds
from pipeline.types import FieldState, OcrResult
from tests.ocr.rendering import crop_for


@pytest.fixture(scope="module")
def tajik_form(catalogue: Catalogue) -> FormTemplate:
    return catalogue.form("birth_tj_2010")


def _read(form: FormTemplate, key: str, answers: list, lexicon: Lexicon, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    spec = form.field(key)
    engine = ScriptedEngine(answers=answers)
    field = read_field(
        crop_for(spec, "12.05.1985"), spec, form, engine, lexicon, thresholds, context=1.0, page_flags=()
    )
    return field, engine


@pytest.mark.parametrize(
    ("key", "value"), [("child_birth_place", "д. Навобод, н. Рӯдакӣ"), ("birth_document", "Маълумотномаи таваллуд")]
)
def test_a_place_or_text_read_the_same_three_times_is_lifted_too(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, key: str, value: str
) -> None:
    field, engine = _read(tajik_form, key, [OcrResult(value, 0.9), value, value], lexicon, thresholds)
    assert len(engine.calls) == 3
    assert field.confidence > 0.9


def test_a_date_read_the_same_three_times_loses_part_of_its_doubt(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    first = OcrResult("12.05.1985", 0.9)
    field, engine = _read(tajik_form, "father_birth_date", [first, "12.05.1985", "12 05 1985"], lexicon, thresholds)
    assert len(engine.calls) == 3
    # the second look is larger than the first: the ink enlarged, then the grey crop at its own scale
    assert engine.calls[1].shape[0] > engine.calls[0].shape[0]
    assert field.confidence == pytest.approx(0.9 + 0.1 * thresholds.score.confirm_weight, abs=1e-4)
    assert (field.value, field.engine_confidence) == ("1985-05-12", 0.9)


@pytest.mark.parametrize(
    "second",
    [
        ["12.06.1985"],  # the enlarged ink says otherwise: the grey crop is not read
        ["12.05.1985", "12.05.1955"],
        ["12.05.1985", "12.5"],  # does not parse
        [OcrError("Tesseract failed: simulated crash")],
    ],
)
def test_a_second_reading_that_differs_or_fails_leaves_the_score_as_it_was(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, second: list
) -> None:
    field, engine = _read(tajik_form, "father_birth_date", [OcrResult("12.05.1985", 0.9), *second], lexicon, thresholds)
    assert len(engine.calls) == 1 + len(second)
    assert (field.value, field.confidence, field.state) == ("1985-05-12", 0.9, FieldState.FLAGGED)


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("father_birth_date", OcrResult("12.05.1985", 0.7)),  # below the band: no lift could reach the threshold
        ("father_birth_date", OcrResult("12 05 85", 0.9)),  # a doubtful parse stays doubtful
        ("child_surname", OcrResult("Раҳимова", 0.9)),  # names are not among the confirmed types
        ("child_sex", OcrResult("зан", 0.9)),
        # what every look loses alike: a document number's last digit, a Tajik letter's mark in a village
        ("birth_document", OcrResult("Маълумотномаи таваллуд № 578", 0.9)),
        ("child_birth_place", OcrResult("д. Гулистон, н. Рӯдакӣ", 0.9)),
    ],
)
def test_fields_outside_the_band_or_the_confirmed_types_are_read_once(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, key: str, answer: OcrResult
) -> None:
    _, engine = _read(tajik_form, key, [answer], lexicon, thresholds)
    assert len(engine.calls) == 1


def test_the_shipped_weights_confirm_dates_and_places_in_a_band_below_the_sure_readings(thresholds: Thresholds) -> None:
    weights = thresholds.score
    assert {"date", "place"} <= set(weights.confirm_types) and "name" not in weights.confirm_types
    low, high = weights.confirm_band
    assert 0.0 < low < min(thresholds.value_types[t] for t in weights.confirm_types) < high <= 1.0
    assert 0.0 < weights.confirm_weight < 1.0


def test_the_second_looks_are_other_pictures_of_the_same_writing(tajik_form: FormTemplate) -> None:
    crop = crop_for(tajik_form.field("father_birth_date"), "12.05.1985")
    ink = prepare_field(crop.image).image
    assert ink is not None
    big = enlarged(ink)
    assert big.shape[0] > ink.shape[0] and set(np.unique(big)) <= {0, 255}
    grey = grey_line(crop.image)
    # the whole box at a readable line height, unbinarized: Tesseract draws its own line between ink and paper
    assert grey.shape[0] - 2 * PAD_PX == round(TARGET_LINE_HEIGHT_PX * GREY_LINE_SCALE)
    assert len(np.unique(grey)) > 2


@pytest.mark.parametrize(
    ("key", "written", "value", "other"),
    [
        ("father_birth_date", "12.05.1985", "1985-05-12", "1985-05-17"),
        ("registration_date", "12 марти 2012 с.", "2012-03-12", "2012-03-17"),
        ("child_birth_place", "д. Навобод, н. Рӯдакӣ", "д. Навобод, н. Рӯдакӣ", "д. Навобод, н. Рудаки"),
    ],
)
def test_tesseract_confirms_a_clean_reading_and_not_another_value(
    tajik_form: FormTemplate, engine: TesseractEngine, lexicon: Lexicon, key: str, written: str, value: str, other: str
) -> None:
    spec = tajik_form.field(key)
    crop = crop_for(spec, written)
    ink = prepare_field(crop.image).image
    assert ink is not None
    assert confirmed(crop, ink, value, spec, tajik_form, engine, lexicon, reference_year=2012)
    assert not confirmed(crop, ink, other, spec, tajik_form, engine, lexicon, reference_year=2012)


def _read_name(form: FormTemplate, answers: list, lexicon: Lexicon, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    spec = form.field("child_surname")
    engine = ScriptedEngine(answers=answers)
    field = read_field(crop_for(spec, "Хасанов"), spec, form, engine, lexicon, thresholds, context=1.0, page_flags=())
    return field, engine


def test_a_name_with_a_rival_that_reads_the_same_from_every_look_is_accepted(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    field, engine = _read_name(tajik_form, [OcrResult("Хасанов", 0.95), *["Хасанов"] * 4], lexicon, thresholds)
    assert (field.value, field.state, field.reasons) == ("Хасанов", FieldState.AUTO, ())
    # Tajik data alone on the grey crop first, then the form's own data; the others on the ink
    assert [call.lang for call in engine.calls] == ["tgk+rus", "tgk", "tgk+rus", "tgk", "tgk+rus"]


@pytest.mark.parametrize("differing", range(4))
def test_one_look_that_finds_the_rivals_letter_keeps_the_name_in_review(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, differing: int
) -> None:
    looks = ["Хасанов"] * differing + ["Ҳасанов"]
    field, engine = _read_name(tajik_form, [OcrResult("Хасанов", 0.95), *looks], lexicon, thresholds)
    assert (field.value, field.state, field.reasons) == ("Хасанов", FieldState.FLAGGED, ("low_confidence",))
    assert len(engine.calls) == 2 + differing


def test_a_rival_name_written_in_capitals_is_not_settled(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    field, engine = _read_name(tajik_form, [OcrResult("ХАСАНОВ", 0.95)], lexicon, thresholds)
    assert (field.value, field.state, len(engine.calls)) == ("Хасанов", FieldState.FLAGGED, 1)


def test_without_settling_a_rival_name_is_read_once(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    unsettled = thresholds.model_copy(update={"score": thresholds.score.model_copy(update={"settle_rivals": False})})
    field, engine = _read_name(tajik_form, [OcrResult("Хасанов", 0.95)], lexicon, unsettled)
    assert (field.state, len(engine.calls)) == (FieldState.FLAGGED, 1)


def test_tesseract_settles_a_name_written_without_the_rivals_mark_and_not_one_written_with_it(
    tajik_form: FormTemplate, engine: TesseractEngine, lexicon: Lexicon
) -> None:
    spec = tajik_form.field("child_surname")
    for written, settled in (("Хасанов", True), ("Ҳасанов", False)):
        crop = crop_for(spec, written)
        ink = prepare_field(crop.image).image
        assert ink is not None
        assert rival_settled(crop, ink, "Хасанов", spec, tajik_form, engine, lexicon) is settled, written
