"""Generated record values: every field of the form, canonical truth, paper text that says the same, and people
whose names, sexes, ages and dates agree with each other."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import load_catalogue
from pipeline.qa.truth import canonical_problem
from pipeline.synth.lexicon import SynthLexicon, load_synth_lexicon
from pipeline.synth.names import feminine_surname, russian_patronymic, russian_spelling
from pipeline.synth.places import genitive
from pipeline.synth.values import RecordValues, generate_record, new_book

CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")
LEXICON = load_synth_lexicon(PROJECT_ROOT / "schemas" / "lexicons")
RECORDS_PER_FORM = 60
BLANK_MARKS = {"", "—", "-", "нет"}
SEX_WORDS = {
    "male": {"мужской", "муж.", "м", "мард", "мардона", "мард / мужской"},
    "female": {"женский", "жен.", "ж", "зан", "занона", "зан / женский"},
}
TAJIK_LETTERS = set("ғӣқӯҳҷ")


def _records(form_id: str, seed: int = 1, count: int = RECORDS_PER_FORM) -> Iterator[RecordValues]:
    """Records of several books of one form, as a page sequence would take them."""
    rng = random.Random(seed)
    form = CATALOGUE.form(form_id)
    for book_index in range(count // 10):
        book = new_book(form, LEXICON, rng)
        for i in range(10):
            record, book = generate_record(
                book, i % form.records_per_page, LEXICON, rng, typewriter=book_index % 2 == 0
            )
            yield record


def _read_date(text: str, lexicon: SynthLexicon, reference: date | None) -> date:
    """A date written in any of the paper formats, read back independently of the generator's code."""
    months = {
        word: i + 1
        for kind in ("ru_genitive", "tg_izofat", "tg_nominative")
        for i, word in enumerate(lexicon.months[kind])
    }
    romans = {word: i + 1 for i, word in enumerate(lexicon.months["roman"])}
    tokens = [t for t in re.split(r"[\s./«»-]+", text) if t and t not in {"г", "года", "с", "соли", "уми"}]
    tokens = [t.removesuffix("-уми") for t in tokens]
    assert len(tokens) == 3, text
    day, month_token, year_token = tokens
    month = int(month_token) if month_token.isdigit() else months.get(month_token) or romans[month_token]
    year = int(year_token)
    if len(year_token) == 2:  # the century that puts the date at or before the registration
        assert reference is not None
        year += 1900 if 1900 + year <= reference.year else 1800
    return date(year, month, int(day))


@pytest.mark.parametrize("form_id", sorted(CATALOGUE.forms))
def test_every_field_is_there_canonical_and_written_as_the_catalogue_allows(form_id: str) -> None:
    form = CATALOGUE.form(form_id)
    for record in _records(form_id):
        truth, written = record.truth(), record.written()
        assert list(truth) == list(form.field_keys)
        registered = date.fromisoformat(truth["registration_date"] or "")
        for spec in form.fields:
            value, paper = truth[spec.key], written[spec.key]
            if value is None:
                assert not spec.required, spec.key
                assert paper in BLANK_MARKS, (spec.key, paper)
                continue
            assert canonical_problem(spec.type, value) is None, (spec.key, value)
            if spec.type == "date":
                assert _read_date(paper, LEXICON, registered).isoformat() == value, (spec.key, paper)
            elif spec.type == "sex":
                assert paper in SEX_WORDS[value]
            elif spec.type == "number":
                assert re.fullmatch(r"(№ ?)?" + value, paper), paper
            elif spec.type in ("name", "full_name"):
                # as canonical, or some parts in capitals
                assert all(p in (v, v.upper()) for p, v in zip(paper.split(" "), value.split(" "), strict=True))
            else:
                assert paper == value


@pytest.mark.parametrize("form_id", ["birth_su_1970", "birth_tj_2010"])
def test_births_hang_together(form_id: str) -> None:
    tj = form_id == "birth_tj_2010"
    first, last = (2010, 2025) if tj else (1950, 1991)
    for record in _records(form_id, seed=7):
        t: dict[str, Any] = record.truth()
        registered = date.fromisoformat(t["registration_date"])
        born = date.fromisoformat(t["child_birth_date"])
        assert first <= registered.year <= last
        assert born <= registered and (registered - born).days <= 366
        female = t["child_sex"] == "female"
        patronymic = t["child_patronymic"] or ""
        if patronymic.endswith(("вич", "вна")):
            assert patronymic.endswith("вна") == female, (patronymic, t["child_sex"])
        mother_surname = t["mother_surname"] if tj else t["mother_full_name"].split()[0]
        assert feminine_surname(mother_surname) == mother_surname, mother_surname
        if tj:
            for parent in ("father", "mother"):
                if t[f"{parent}_birth_date"]:
                    age = (born - date.fromisoformat(t[f"{parent}_birth_date"])).days / 365.25
                    assert 18 <= age <= 46, (parent, age)
            if t["father_surname"] and t["father_surname"].endswith(("ов", "ев")) and female:
                assert t["child_surname"] in (t["father_surname"] + "а", t["father_name"] + "зода")


def test_marriages_and_deaths_hang_together() -> None:
    for record in _records("marriage_tj_2010", seed=3):
        t: dict[str, Any] = record.truth()
        registered = date.fromisoformat(t["registration_date"])
        groom_age = (registered - date.fromisoformat(t["groom_birth_date"])).days / 365.25
        bride_age = (registered - date.fromisoformat(t["bride_birth_date"])).days / 365.25
        assert 18 <= bride_age <= 37 and 20 <= groom_age <= 42
        assert t["bride_surname_after"] in (t["bride_surname_before"], feminine_surname(t["groom_surname_after"]))
    for record in _records("death_tj_2010", seed=3):
        d: dict[str, Any] = record.truth()
        died, registered = date.fromisoformat(d["death_date"]), date.fromisoformat(d["registration_date"])
        assert 0 <= (registered - died).days <= 10
        if d["deceased_birth_date"]:
            assert date.fromisoformat(d["deceased_birth_date"]) <= died


def test_soviet_typed_records_use_russian_spelling_and_later_ones_use_tajik_letters() -> None:
    typed_soviet = [r for i, r in enumerate(_records("birth_su_1970", seed=5)) if (i // 10) % 2 == 0]
    assert not any(TAJIK_LETTERS & set("".join(filter(None, r.truth().values()))) for r in typed_soviet)
    later = "".join(v for f in ("birth_tj_2010", "death_tj_2010") for r in _records(f) for v in r.truth().values() if v)
    assert set(later) >= TAJIK_LETTERS


def test_blank_optional_fields_and_marks_occur_but_marks_are_mostly_empty() -> None:
    records = list(_records("birth_tj_2010", seed=11, count=200))
    marks = [r.truth()["marks"] for r in records]
    assert 0 < sum(m is not None for m in marks) < len(marks) * 0.35
    assert any(r.written()["marks"] in {"—", "нет"} for r in records)


def test_same_seed_same_values_and_books_run_on() -> None:
    first: list[dict[str, Any]] = [r.truth() for r in _records("death_tj_2010", seed=42, count=20)]
    again = [r.truth() for r in _records("death_tj_2010", seed=42, count=20)]
    assert first == again
    numbers = [int(t["act_number"]) for t in first[:10]]
    assert numbers == list(range(numbers[0], numbers[0] + 10))
    dates = [t["registration_date"] for t in first[:10]]
    assert dates == sorted(dates)


def test_name_and_place_forms() -> None:
    assert russian_spelling("Ҷӯраев Қурбон Ғафурович") == "Джураев Курбон Гафурович"
    assert feminine_surname("Раҳимов") == "Раҳимова" and feminine_surname("Каримзода") == "Каримзода"
    assert russian_patronymic("Мирзо", female=False) == "Мирзоевич"
    assert russian_patronymic("Карим", female=True) == "Каримовна"
    assert genitive("г. Худжанд") == "г. Худжанда"
    assert genitive("г. Исфара") == "г. Исфары"
    assert genitive("Ленинский р-н") == "Ленинского р-на"
    assert genitive("г. Курган-Тюбе") == "г. Курган-Тюбе"
