"""The lexicon from schemas/lexicons: folding key, derived name forms, look-alike rivals, loading errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.ocr.lexicon import Lexicon, fold, load_lexicon
from pipeline.ocr.names import look_alike_rival
from tests.ocr.conftest import SCHEMAS


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ҳасанов", "хасанов"),
        ("Ҷӯраев", "чураев"),
        ("Джураев", "чураев"),
        ("Қурбонов", "курбонов"),
        ("Ғафуров", "гафуров"),
        ("Азизӣ", "азизи"),
        ("Бахтиёр", "бахтиер"),
        ("Кўлоб", "кулоб"),
    ],
)
def test_folding_key_puts_tajik_and_russian_spellings_together(lexicon: Lexicon, text: str, key: str) -> None:
    assert lexicon.fold(text) == key
    assert fold(text) == key


def test_surnames_are_known_in_their_feminine_and_stem_forms(lexicon: Lexicon) -> None:
    assert "Раҳимова" in lexicon.candidates("surname", "Раҳимова")
    assert "Мирзоева" in lexicon.candidates("surname", "Мирзоева")  # soft ending after a vowel
    assert "Каримзода" in lexicon.candidates("surname", "Каримзода")
    assert "Ашуриён" in lexicon.candidates("surname", "Ашуриён")
    assert not lexicon.candidates("given_name", "Раҳимова")


def test_patronymics_are_made_from_mens_names(lexicon: Lexicon) -> None:
    for patronymic in ("Каримович", "Каримовна", "Мирзоевич", "Алиевна", "Алӣевна", "Сергеевич", "Раҳим"):
        assert patronymic in lexicon.candidates("patronymic", patronymic), patronymic


def test_extra_word_files_beside_a_list_are_read(lexicon: Lexicon) -> None:
    assert "Фарҳод" in lexicon.given_names_male  # from given_names_male_more.txt
    assert "Иванов" in lexicon.surnames


@pytest.mark.parametrize(
    ("value", "kind", "rival"),
    [
        ("Хасанов", "surname", True),  # Ҳасанов is listed: Ҳ may have lost its descender
        ("Ҳасанов", "surname", False),
        ("Бахтиер", "given_name", True),  # Бахтиёр is listed: the dots of ё come and go
        ("Бахтиёр", "given_name", True),
        ("Каримов", "surname", False),
        ("Джураев", "surname", False),  # Ҷӯраев is spelled otherwise, not misread as this
    ],
)
def test_look_alike_rivals(lexicon: Lexicon, value: str, kind: str, rival: bool) -> None:
    assert look_alike_rival(value, kind, lexicon) is rival  # type: ignore[arg-type]


def test_months_and_places(lexicon: Lexicon) -> None:
    assert lexicon.month_number("марта") == lexicon.month_number("марти") == lexicon.month_number("МАРТ") == 3
    assert lexicon.roman_months["XII"] == 12
    assert lexicon.knows("place", "г. Ленинабад Таджикской ССР")
    assert lexicon.knows("place", "н. Рӯдакӣ, ҷ. Чимтеппа")
    assert not lexicon.knows("place", "кишл. Каштут")


def _copy_schemas(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS / "lexicons", target / "lexicons")
    return target


def test_a_broken_lexicon_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    schemas = _copy_schemas(tmp_path)
    (schemas / "lexicons" / "spelling.yaml").write_text("sex: {male: [м]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="spelling.yaml"):
        load_lexicon(schemas)


def test_a_missing_name_list_is_a_config_error(tmp_path: Path) -> None:
    schemas = _copy_schemas(tmp_path)
    (schemas / "lexicons" / "surnames.txt").unlink()
    with pytest.raises(ConfigError, match="surnames.txt"):
        load_lexicon(schemas)


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("н. Ёвон", True),
        ("ш. Хуҷанд", True),
        ("г. Курган-Тюбе", True),  # an earlier name with the Russian name's abbreviation
        ("н. Евон", False),  # ё lost
        ("в. Зафаробод", False),  # a district written as a province
        ("д. Навобод, н. Ёвон", False),  # villages are not listed
        ("Варзобский р-н", True),  # a listed Russian adjective as districts are written
        ("Ленинского р-на", True),  # an earlier name in the genitive of a Soviet place chain
        ("г. Ленинабада", True),
        ("н. Сино, ш. Душанбе", True),
        ("", False),
    ],
)
def test_a_listed_place_is_written_as_listed(lexicon: Lexicon, text: str, listed: bool) -> None:
    assert lexicon.is_listed_place(text) is listed


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("н. Ёвон", ()),
        ("д. Навобод, н. Ёвон", ("Навобод",)),
        ("кишл. Ханабад Ленинского р-на", ("Ханабад",)),
        ("Октябрьский р-н г. Душанбе, ул. Карла Маркса, д. 7", ("Карла", "Маркса", "7")),
        ("ш. Хуҷанд, кӯч. Айнӣ 24", ("Айнӣ", "24")),
        ("Д. Навобод, н. Ёвон", None),  # no local abbreviation is written with a capital
        ("д. навобод, н. Ёвон", None),  # nor a village without one
        ("Навобод, н. Ёвон", None),  # a village without its abbreviation
        ("д. Навобод, в. Ёвон", None),  # a district written as a province
        ("г, Исфара", None),
        ("д., н. Ёвон", None),  # an abbreviation without its name
        ("с. Ханабад Дарвазский р-н", None),  # a comma lost before a district not in the genitive
        ("н. Шоҳмансур ш. Душанбе", None),  # a comma lost between Tajik places
        ("р-н Сино г. Душанбе", ()),  # a Russian chain of listed places
        ("ул. Ленина д. 7", None),  # a comma lost between street and house
    ],
)
def test_the_unlisted_words_of_a_place_are_its_village_street_and_house(
    lexicon: Lexicon, text: str, words: tuple[str, ...] | None
) -> None:
    assert lexicon.unlisted_place_words(text) == words


@pytest.mark.parametrize(
    ("key", "phrases"), [("birth_document", True), ("death_cause", True), ("applicant", True), ("marks", False)]
)
def test_the_listed_phrases_apply_to_the_fields_named_in_their_file(lexicon: Lexicon, key: str, phrases: bool) -> None:
    assert lexicon.has_phrases(key) is phrases


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["г. Курган-Тюбе, ул. Ленина, д. 5", "таджик"], "russian"),
        (["ЗАГС г. Худжанда"], "russian"),
        (["д. Навобод, н. Ёвон"], "tajik"),
        (["Ҷумҳурии Тоҷикистон"], "tajik"),  # a Tajik letter
        (["г. Душанбе", "н. Ёвон"], None),  # both: no telling
        (["1985-03-01", "214"], None),  # neither
    ],
)
def test_the_words_of_a_record_tell_its_language(lexicon: Lexicon, texts: list[str], language: str | None) -> None:
    assert lexicon.record_language(texts) == language


@pytest.mark.parametrize(
    ("value", "kind", "rival"),
    [
        ("Хасанов", "surname", False),  # a Russian clerk wrote Ҳасанов as Хасанов
        ("Алиевна", "patronymic", False),
        ("Бахтиер", "given_name", True),  # ё and е look alike in either language
    ],
)
def test_in_a_record_written_in_russian_only_the_yo_twin_is_a_rival(
    lexicon: Lexicon, value: str, kind: str, rival: bool
) -> None:
    assert look_alike_rival(value, kind, lexicon, russian_record=True) is rival  # type: ignore[arg-type]
