"""read_record: every field of the form in the record, read, scored and decided; failures flagged, never lost."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pipeline.errors import OcrError
from pipeline.forms.catalogue import Catalogue, FormTemplate
from pipeline.ocr.engine import OcrEngine, TesseractEngine
from pipeline.ocr.fakes import CrashingEngine, ScriptedEngine, TimingOutEngine
from pipeline.ocr.fields import read_field, read_record
from pipeline.ocr.lexicon import Lexicon
from pipeline.qa.thresholds import Thresholds
from pipeline.types import FieldCrop, FieldState, OcrResult, PageQuality, RecordReading, RecordStatus
from tests.ocr.rendering import crop_for

GOOD_PAGE = PageQuality(blur=900.0, contrast=0.8, darkness=0.05, score=0.95)
POOR_PAGE = PageQuality(blur=20.0, contrast=0.2, darkness=0.3, score=0.1)

TAJIK_RECORD = {
    "act_number": "№ 214",
    "registration_date": "12 марти 2012 с.",
    "office": "САҲШ-и ш. Хуҷанд",
    "child_surname": "Раҳимова",
    "child_name": "Шаҳноза",
    "child_patronymic": "Каримовна",
    "child_sex": "зан",
    "child_birth_date": "01.03.2012",
    "child_birth_place": "ш. Хуҷанд",
    "birth_document": "",
    "father_surname": "Раҳимов",
    "father_name": "Карим",
    "father_patronymic": "Ҷӯраевич",
    "father_birth_date": "12.05.1985",
    "father_nationality": "тоҷик",
    "father_citizenship": "Ҷумҳурии Тоҷикистон",
    "father_residence": "ш. Хуҷанд",
    "mother_surname": "Ҷӯраева",
    "mother_name": "Дилноза",
    "mother_patronymic": "Алиевна",
    "mother_birth_date": "3 сентябри 1988",
    "mother_nationality": "тоҷик",
    "mother_citizenship": "ҶТ",
    "mother_residence": "ш. Хуҷанд",
    "applicant": "падар",
    "marks": "",
}
CANONICAL = {
    "act_number": "214",
    "registration_date": "2012-03-12",
    "child_sex": "female",
    "child_birth_date": "2012-03-01",
    "father_birth_date": "1985-05-12",
    "mother_birth_date": "1988-09-03",
    "birth_document": None,
    "marks": None,
}


def _crops(template: FormTemplate, values: dict[str, str]) -> list[FieldCrop]:
    return [crop_for(spec, values.get(spec.key, "")) for spec in template.fields]


def _read_good_page(
    template: FormTemplate, values: dict[str, str], engine: OcrEngine, lexicon: Lexicon, thresholds: Thresholds
) -> RecordReading:
    """One record of ``values`` rendered and read as on a clean, well-aligned page of a 2012 book."""
    return read_record(
        _crops(template, values),
        template,
        engine,
        lexicon,
        thresholds,
        page_quality=GOOD_PAGE,
        alignment_score=0.98,
        reference_year=2012,
    )


@pytest.fixture(scope="module")
def thresholds(thresholds: Thresholds) -> Thresholds:
    """The project's thresholds with one reading a field, so that each scripted answer is one field's reading
    (second readings, which confirm a field, are tested in test_confirm.py)."""
    one_reading = {"confirm_types": (), "settle_rivals": False}
    return thresholds.model_copy(update={"score": thresholds.score.model_copy(update=one_reading)})


@pytest.fixture(scope="module")
def tajik_form(catalogue: Catalogue) -> FormTemplate:
    return catalogue.form("birth_tj_2010")


def test_a_clean_tajik_record_is_read_exactly(
    tajik_form: FormTemplate, engine: TesseractEngine, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    record = _read_good_page(tajik_form, TAJIK_RECORD, engine, lexicon, thresholds)
    assert [f.key for f in record.fields] == list(tajik_form.field_keys)
    values = {f.key: f.value for f in record.fields}
    expected = {key: CANONICAL.get(key, text) for key, text in TAJIK_RECORD.items()}
    assert values == expected
    by_key = {f.key: f for f in record.fields}
    for key in ("act_number", "child_surname", "child_name", "father_patronymic", "child_sex", "marks"):
        assert by_key[key].state == FieldState.AUTO, by_key[key]
    assert all(0.0 <= f.confidence <= 1.0 for f in record.fields)
    # read right, yet reviewed: the lexicon also spells it Алӣевна, whose ӣ Tesseract may have read as и
    assert (by_key["mother_patronymic"].state, by_key["mother_patronymic"].reasons) == (
        FieldState.FLAGGED,
        ("low_confidence",),
    )
    assert record.status == RecordStatus.NEEDS_REVIEW


def test_blank_fields_are_found_without_the_engine(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """An empty optional field is accepted as null, an empty required one flagged; Tesseract is not asked
    (it reads letters into an empty box)."""
    silent = ScriptedEngine(answers=[])
    record = read_record(
        _crops(tajik_form, {}), tajik_form, silent, lexicon, thresholds, page_quality=GOOD_PAGE, alignment_score=0.98
    )
    assert silent.calls == []
    for field, spec in zip(record.fields, tajik_form.fields, strict=True):
        assert (field.value, field.raw_text) == (None, "")
        if spec.required:
            assert (field.state, field.reasons) == (FieldState.FLAGGED, ("blank_required",))
        else:
            assert (field.state, field.reasons) == (FieldState.AUTO, ())
    assert record.status == RecordStatus.NEEDS_REVIEW


def test_a_blank_written_out_as_a_listed_word_is_vouched_for_and_a_dash_is_not(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """'нет' in the remarks: the field is blank, and the closed list of blank words removes the engine's doubt
    as a listed sex word does; a lone dash may be a speck and keeps the engine's word."""
    word, _ = _read_one(tajik_form, "marks", OcrResult("нет", 0.96), lexicon, thresholds)
    dash, _ = _read_one(tajik_form, "marks", OcrResult("-", 0.96), lexicon, thresholds)
    assert (word.value, dash.value) == (None, None)
    assert word.confidence == pytest.approx(0.96 + 0.04 * thresholds.score.lexicon_match, abs=0.001)
    assert dash.confidence == pytest.approx(0.96, abs=0.001)


@pytest.mark.parametrize("failing", [CrashingEngine(), TimingOutEngine(timeout_s=20)], ids=["crash", "timeout"])
def test_a_failing_engine_flags_every_written_field_and_keeps_it(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, failing: object
) -> None:
    record = read_record(
        _crops(tajik_form, TAJIK_RECORD),
        tajik_form,
        failing,  # type: ignore[arg-type]
        lexicon,
        thresholds,
        page_quality=GOOD_PAGE,
        alignment_score=0.98,
    )
    assert [f.key for f in record.fields] == list(tajik_form.field_keys)
    for field in record.fields:
        if TAJIK_RECORD[field.key]:
            assert (field.state, field.value, field.confidence) == (FieldState.FLAGGED, None, 0.0)
            assert field.reasons == ("ocr_failed",)
    assert record.status == RecordStatus.NEEDS_REVIEW


@pytest.mark.parametrize(
    ("failing", "message"),
    [(CrashingEngine(), "simulated crash"), (TimingOutEngine(timeout_s=20), "timed out after 20.0 s")],
    ids=["crash", "timeout"],
)
def test_an_engine_failure_is_an_ocr_error_naming_the_field(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, failing: object, message: str
) -> None:
    spec = tajik_form.field("child_surname")
    with pytest.raises(OcrError, match=rf"field 'child_surname' \(slot 0\).*{message}") as raised:
        read_field(
            crop_for(spec, "Раҳимова"),
            spec,
            tajik_form,
            failing,  # type: ignore[arg-type]
            lexicon,
            thresholds,
            context=1.0,
            page_flags=(),
        )
    assert raised.value.code == "ocr_failed"


def test_one_failed_field_leaves_the_others_read(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    written = {"act_number": "214", "child_surname": "Раҳимова", "child_name": "Шаҳноза"}
    scripted = ScriptedEngine(answers=["214", OcrError("Tesseract failed: simulated crash"), "Шаҳноза"])
    record = read_record(
        _crops(tajik_form, written),
        tajik_form,
        scripted,
        lexicon,
        thresholds,
        page_quality=GOOD_PAGE,
        alignment_score=1,
    )
    by_key = {f.key: f for f in record.fields}
    assert (by_key["act_number"].value, by_key["act_number"].state) == ("214", FieldState.AUTO)
    assert by_key["child_surname"].reasons == ("ocr_failed",)
    assert (by_key["child_name"].value, by_key["child_name"].state) == ("Шаҳноза", FieldState.AUTO)


def test_a_missing_crop_is_a_flagged_field_not_a_missing_one(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    crops = [c for c in _crops(tajik_form, {}) if c.key != "child_name"]
    record = read_record(
        crops, tajik_form, ScriptedEngine(answers=[]), lexicon, thresholds, page_quality=GOOD_PAGE, alignment_score=1
    )
    missing = next(f for f in record.fields if f.key == "child_name")
    assert (missing.state, missing.reasons, missing.value) == (FieldState.FLAGGED, ("ocr_failed",), None)


def test_poor_page_and_poor_alignment_flag_every_field(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    record = read_record(
        _crops(tajik_form, {}),
        tajik_form,
        ScriptedEngine(answers=[]),
        lexicon,
        thresholds,
        page_quality=POOR_PAGE,
        alignment_score=0.1,
    )
    for field in record.fields:
        assert field.state == FieldState.FLAGGED
        assert {"low_page_quality", "poor_alignment"} <= set(field.reasons)


def _read_one(template: FormTemplate, key: str, answer: str | OcrResult, lexicon: Lexicon, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    spec = template.field(key)
    engine = ScriptedEngine(answers=[answer])
    field = read_field(crop_for(spec, "Ввв"), spec, template, engine, lexicon, thresholds, context=1.0, page_flags=())
    return field, engine.calls[0]


@pytest.mark.parametrize(
    ("answer", "state", "reasons"),
    [
        ("Ҳасанов", FieldState.AUTO, ()),
        # as confident, but the lexicon spells it Ҳасанов too: the descender of Ҳ may have been lost
        ("Хасанов", FieldState.FLAGGED, ("low_confidence",)),
        ("Пӯраев", FieldState.FLAGGED, ("not_in_lexicon", "low_confidence")),
        ("Раҳим0ва", FieldState.FLAGGED, ("parse_failed", "low_confidence")),
    ],
)
def test_lexicon_evidence_moves_a_confident_reading(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, answer: str, state: FieldState, reasons: tuple
) -> None:
    # at the name threshold these examples were written for: a calibration may move the one in the file
    fixed = thresholds.model_copy(update={"value_types": {**thresholds.value_types, "name": 0.93}})
    field, _ = _read_one(tajik_form, "child_surname", OcrResult(text=answer, confidence=0.95), lexicon, fixed)
    assert (field.state, field.reasons) == (state, reasons)
    assert field.raw_text == answer
    assert field.engine_confidence == 0.95


def test_a_known_name_scores_above_the_engine_and_a_doubtful_date_below(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    name, _ = _read_one(tajik_form, "child_surname", OcrResult("Раҳимова", 0.9), lexicon, thresholds)
    date, _ = _read_one(tajik_form, "child_birth_date", OcrResult("17 11 2011", 0.96), lexicon, thresholds)
    assert name.confidence > 0.9
    assert (date.value, date.state, date.reasons) == ("2011-11-17", FieldState.FLAGGED, ("low_confidence",))
    assert date.confidence < 0.96


@pytest.mark.parametrize(
    ("form_id", "key", "lang", "psm"),
    [
        ("birth_tj_2010", "child_surname", "tgk+rus", 7),
        ("birth_tj_2010", "act_number", "rus", 7),
        ("birth_tj_2010", "child_birth_date", "tgk+rus+eng", 7),
        ("birth_tj_2010", "marks", "tgk+rus", 6),
        ("birth_su_1970", "mother_full_name", "rus", 7),
        ("birth_su_1970", "child_birth_date", "rus+eng", 7),
    ],
)
def test_each_field_is_read_with_the_settings_of_its_form_and_type(
    catalogue: Catalogue, lexicon: Lexicon, thresholds: Thresholds, form_id: str, key: str, lang: str, psm: int
) -> None:
    _, call = _read_one(catalogue.form(form_id), key, "x", lexicon, thresholds)
    assert (call.lang, call.psm, call.whitelist) == (lang, psm, None)


def test_soviet_dates_with_a_month_in_ones_are_reviewed(
    catalogue: Catalogue, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """Birth books of the Soviet era wrote months in Roman numerals; Tesseract reads II as 11 with full
    confidence, so a Soviet date in November is not accepted unseen."""
    soviet, tajik = catalogue.form("birth_su_1970"), catalogue.form("birth_tj_2010")
    answer = OcrResult("23.11.1965", 0.96)
    soviet_date, _ = _read_one(soviet, "child_birth_date", answer, lexicon, thresholds)
    tajik_date, _ = _read_one(tajik, "child_birth_date", answer, lexicon, thresholds)
    assert soviet_date.reasons == ("low_confidence",)
    assert tajik_date.state == FieldState.AUTO


def test_writing_that_runs_past_the_box_is_reviewed(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """The clerk wrote past the end of the box: the crop holds only part of the value."""
    spec = tajik_form.field("birth_document")
    crop = crop_for(spec, "Маълумотномаи муассисаи тиббӣ № 858")
    inked_columns = np.flatnonzero((crop.image < 128).any(axis=0))
    cut = replace(crop, image=crop.image[:, : inked_columns[len(inked_columns) // 2] + 1])
    engine = ScriptedEngine(answers=[OcrResult("Маълумотномаи муассисаи", 0.96)] * 2)
    lenient = thresholds.model_copy(update={"value_types": {**thresholds.value_types, "text": 0.95}})
    whole = read_field(crop, spec, tajik_form, engine, lexicon, lenient, context=1.0, page_flags=())
    part = read_field(cut, spec, tajik_form, engine, lexicon, lenient, context=1.0, page_flags=())
    assert whole.state == FieldState.AUTO
    assert (part.state, part.reasons) == (FieldState.FLAGGED, ("low_confidence",))


def test_the_least_sure_word_weighs_in_the_score_as_the_weights_say(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """A residence of three words, one of them doubtful: the mean hides it, the word minimum does not."""
    answer = OcrResult("ш. Хуҷанд, к. Ленин", 0.86, word_confidences=(0.96, 0.96, 0.96, 0.56))
    weights = [0.0, 0.5, 1.0]
    scores = []
    for w in weights:
        score = thresholds.score.model_copy(update={"word_minimum_weight": w})
        weighted = thresholds.model_copy(update={"score": score})
        field, _ = _read_one(tajik_form, "father_residence", answer, lexicon, weighted)
        assert field.engine_confidence == 0.86  # what the engine said, kept as it said it
        scores.append(field.confidence)
    assert scores[0] == pytest.approx(0.86, abs=0.01)
    assert scores[2] == pytest.approx(0.56, abs=0.01)
    assert scores[0] > scores[1] > scores[2]


def test_a_place_that_is_only_a_listed_place_is_vouched_for_and_a_village_is_not(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """'н. Ёвон' is a listed district as listed, and so is its reading with the dots of ё lost once given its
    listed spelling; a village beside it whose name could hide a lost Tajik letter gets no credit."""
    district, _ = _read_one(tajik_form, "child_birth_place", OcrResult("н. Ёвон", 0.93), lexicon, thresholds)
    village, _ = _read_one(tajik_form, "child_birth_place", OcrResult("д. Калъача, н. Ёвон", 0.93), lexicon, thresholds)
    misread, _ = _read_one(tajik_form, "child_birth_place", OcrResult("н. Евон", 0.93), lexicon, thresholds)
    assert district.confidence > 0.95 > village.confidence
    assert village.confidence == pytest.approx(0.93, abs=0.005) and village.reasons == ("low_confidence",)
    assert (misread.value, misread.confidence, misread.reasons) == ("н. Ёвон", district.confidence, ())


@pytest.mark.parametrize(
    ("place", "credited"),
    [
        ("д. Навобод, н. Ёвон", True),  # no letter a Tajik letter folds to: Ӯ, Ҳ ... cannot have been lost
        ("с. Калъача, Дарвазский р-н", True),  # written in Russian: Russian spelling has no Tajik letters
        ("кишл. Бахор Шаартузского р-на", True),  # a Soviet chain, its district in the genitive
        ("д. Ҳаети Нав, н. Файзобод", False),  # е may be a misread ё (Ҳаёти)
        ("ш. Бӯстон, кӯч. Айнӣ 24", False),  # a house number: 102 is read 1602 with full confidence
        ("Д. Навобод, н. Ёвон", False),  # an abbreviation misread
        ("д. Навобод, в. Ёвон", False),  # a district written as a province
        ("с. Ханабад Дарвазский р-н", False),  # a comma lost: only a genitive follows a village without one
        ("н. Шоҳмансур ш. Душанбе", False),  # a comma lost: Tajik separates places with commas
        ("кишл. Хаети Нав Шахристанского р-на", False),  # in Russian too, е may be a lost ё
        ("д. Навобод, н. Чорбоғ", False),  # a district no list holds
    ],
)
def test_a_village_or_street_that_cannot_hide_a_confident_slip_gets_part_of_the_lexicon_credit(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds, place: str, credited: bool
) -> None:
    field, _ = _read_one(tajik_form, "child_birth_place", OcrResult(place, 0.93), lexicon, thresholds)
    share = thresholds.score.local_place_match
    assert share > 0
    if credited:
        assert field.confidence == pytest.approx(0.93 + (1 - 0.93) * share, abs=0.005)
    else:
        assert field.confidence <= 0.935


def test_an_office_serving_a_listed_place_is_vouched_for_and_a_slipped_office_word_is_restored(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    known, _ = _read_one(tajik_form, "office", OcrResult("САҲШ-и ш. Хуҷанд", 0.93), lexicon, thresholds)
    slip, _ = _read_one(tajik_form, "office", OcrResult("САХШ-и ш. Хуҷанд", 0.93), lexicon, thresholds)
    unlisted, _ = _read_one(tajik_form, "office", OcrResult("ЗАГС г. Москвы", 0.93), lexicon, thresholds)
    assert known.confidence > 0.95 > unlisted.confidence
    # Ҳ read as Х in the office word: given its listed spelling, then vouched for like the office as written
    assert (slip.value, slip.confidence, slip.reasons) == ("САҲШ-и ш. Хуҷанд", known.confidence, ())


def test_a_name_with_a_look_alike_rival_is_reviewed_however_sure_the_engine_is(
    tajik_form: FormTemplate, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """Хасанов is listed, but so is Ҳасанов: the descender of Ҳ may have been lost; no threshold accepts it."""
    lenient = thresholds.model_copy(update={"value_types": {**thresholds.value_types, "name": 0.5}})
    rival, _ = _read_one(tajik_form, "child_surname", OcrResult("Хасанов", 0.99), lexicon, lenient)
    sure, _ = _read_one(tajik_form, "child_surname", OcrResult("Ҳасанов", 0.99), lexicon, lenient)
    assert (rival.state, rival.reasons) == (FieldState.FLAGGED, ("low_confidence",))
    assert (sure.state, sure.reasons) == (FieldState.AUTO, ())


RUSSIAN_NAMES = {"child_surname": "Хасанова", "father_surname": "Хасанов", "mother_patronymic": "Алиевна"}


@pytest.mark.parametrize(
    ("places", "accepted"),
    [
        # a record written in Russian: its names are spelt the Russian way, their Tajik twins are no rivals
        ({"office": "ЗАГС г. Худжанда", "child_birth_place": "г. Худжанд"}, True),
        # the same names in a record written in Tajik may have lost a Tajik letter: reviewed
        ({"office": "САҲШ-и ш. Хуҷанд", "child_birth_place": "ш. Хуҷанд"}, False),
    ],
)
def test_the_language_of_the_record_decides_whether_a_tajik_twin_is_a_rival(
    tajik_form: FormTemplate,
    engine: TesseractEngine,
    lexicon: Lexicon,
    thresholds: Thresholds,
    places: dict[str, str],
    accepted: bool,
) -> None:
    record = _read_good_page(tajik_form, {**places, **RUSSIAN_NAMES}, engine, lexicon, thresholds)
    by_key = {f.key: f for f in record.fields}
    for key, name in RUSSIAN_NAMES.items():
        assert by_key[key].value == name
        assert (by_key[key].state == FieldState.AUTO) is accepted, by_key[key]


def test_on_a_form_read_with_russian_data_a_tajik_nationality_tells_the_hand_too(
    catalogue: Catalogue, engine: TesseractEngine, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """Names that read alike in both spellings say nothing; the nationality written in Tajik (тоҷик) does."""
    soviet = catalogue.form("birth_su_1970")
    values = {"child_surname": "Хасанов", "child_name": "Карим", "father_nationality": "тоҷик"}
    record = _read_good_page(soviet, values, engine, lexicon, thresholds)
    surname = next(f for f in record.fields if f.key == "child_surname")
    assert (surname.value, surname.state, surname.reasons) == ("Хасанов", FieldState.FLAGGED, ("low_confidence",))


def test_a_tajik_letter_read_in_a_name_of_a_record_written_in_russian_is_reviewed(
    tajik_form: FormTemplate, engine: TesseractEngine, lexicon: Lexicon, thresholds: Thresholds
) -> None:
    """Рахимов misread as Раҳимов (a listed spelling with no rival): only the record's language tells."""
    values = {"office": "ЗАГС г. Худжанда", "child_birth_place": "г. Худжанд", "father_surname": "Раҳимов"}
    record = _read_good_page(tajik_form, values, engine, lexicon, thresholds)
    surname = next(f for f in record.fields if f.key == "father_surname")
    assert (surname.value, surname.state, surname.reasons) == ("Раҳимов", FieldState.FLAGGED, ("low_confidence",))


@pytest.mark.parametrize(
    ("surname", "mother", "nationality", "accepted"),
    [
        ("Хасанов", "Хасанова Дилором Каримовна", "узбек", True),  # a Russian hand: Tajik twins are no rivals
        ("Ҳасанов", "Ҳасанова Дилором Каримовна", "ӯзбек", False),  # a Tajik clerk's hand, read in Russian letters
    ],
)
def test_on_a_form_read_with_russian_data_the_names_read_with_tajik_data_tell_the_hand(
    catalogue: Catalogue,
    engine: TesseractEngine,
    lexicon: Lexicon,
    thresholds: Thresholds,
    surname: str,
    mother: str,
    nationality: str,
    accepted: bool,
) -> None:
    """A Soviet form is read without Tajik letters, so a Tajik-spelt name (Ҳасанов) comes out as Хасанов even
    where the record's places are written in Russian; read again with Tajik data, its Ҳ shows. The hand holds
    for the nationality as well (ӯзбек read узбек)."""
    soviet = catalogue.form("birth_su_1970")
    values = {"child_surname": surname, "child_name": "Карим", "mother_full_name": mother}
    record = _read_good_page(soviet, {**values, "father_nationality": nationality}, engine, lexicon, thresholds)
    by_key = {f.key: f for f in record.fields}
    assert (by_key["child_surname"].value, by_key["father_nationality"].value) == ("Хасанов", "узбек")
    for key in ("child_surname", "father_nationality"):
        if accepted:
            assert (by_key[key].state, by_key[key].reasons) == (FieldState.AUTO, ())
        else:
            assert (by_key[key].state, by_key[key].reasons) == (FieldState.FLAGGED, ("low_confidence",))
