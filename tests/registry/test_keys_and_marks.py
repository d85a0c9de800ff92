"""Search keys shared by Tajik, Russian and Latin spellings; acts cited in later marks."""

from __future__ import annotations

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.ocr.lexicon import fold, load_lexicon
from pipeline.registry.marks import parse_mark_references
from pipeline.registry.search import latin_key, person_name_key

LEXICON = load_lexicon(PROJECT_ROOT / "schemas")


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (("Ҳасанов", "Хасанов", "Hasanov", "Khasanov", "HASANOV"), "hasanov"),
        (("Ҷӯраев", "Джураев", "Juraev", "Dzhuraev", "Jurayev"), "churaev"),
        (("Қодиров", "Кодиров", "Qodirov", "Kodirov"), "kodirov"),
        (("Ғафуров", "Гафуров", "Ghafurov", "Gafurov"), "gafurov"),
        (("Ёқубов", "Yoqubov"), "ekubov"),
    ],
)
def test_spellings_of_one_name_share_a_key(spellings: tuple[str, ...], key: str) -> None:
    assert {latin_key(s, fold) for s in spellings} == {key}


def test_a_person_key_is_surname_name_patronymic() -> None:
    assert person_name_key("Ҳасанов", "Алишер", None) == "hasanov alisher"
    assert person_name_key(None, None, None) is None


def test_marks_cite_acts_by_kind_number_and_date() -> None:
    (paternity,) = parse_mark_references("Установлено отцовство, з/а № 45 от 12.03.1990 г.", LEXICON)
    assert (paternity.kind, paternity.number, paternity.date) == ("paternity", "45", "1990-03-12")
    (divorce,) = parse_mark_references("Брак расторгнут, з/а о расторжении брака № 012 от 3 мая 1995 года", LEXICON)
    assert (divorce.kind, divorce.number, divorce.date) == ("divorce", "12", "1995-05-03")
    (tajik,) = parse_mark_references("Вафот кард, сабти асноди № 15 аз 12.03.2012 с.", LEXICON)
    assert (tajik.kind, tajik.number, tajik.date) == ("death", "15", "2012-03-12")
    assert parse_mark_references("Выдано свидетельство серии I-ТД № 020727", LEXICON) == ()
    assert parse_mark_references(None, LEXICON) == ()
