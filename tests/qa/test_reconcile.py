"""First/second copy matching: natural key confirmed, key conflicts, fuzzy fallback, copies alone; fields compared."""

from __future__ import annotations

from datetime import date

from pipeline.ocr.lexicon import fold
from pipeline.qa.reconcile import (
    CopyMatch,
    CopyRecord,
    allowed_edits,
    disagreeing_fields,
    match_copies,
    name_distance,
    principal_names,
)

DAY = date(2015, 3, 20)


def copy(
    rid: str, number: int | None, surname: str, name: str, day: date = DAY, born: date = date(2015, 3, 12)
) -> CopyRecord:
    return CopyRecord(rid, number, day, born, (fold(surname), fold(name)))


def kinds(firsts: list[CopyRecord], seconds: list[CopyRecord]) -> set[tuple[str, str | None, str | None]]:
    return {(p.kind.value, p.first_id, p.second_id) for p in match_copies(firsts, seconds)}


def test_opencrvs_bound_scales_with_length() -> None:
    assert [allowed_edits(n) for n in (0, 3, 4, 6, 7, 12)] == [0, 0, 1, 1, 2, 2]
    assert name_distance(("али",), ("алы",)) is None  # three letters: exact only
    assert name_distance(("каримов",), ("карымав",)) == 2
    assert name_distance(("каримов",), ("карымавв",)) is None


def test_the_natural_key_matches_when_date_or_name_confirms() -> None:
    firsts = [copy("f1", 1, "Ҳасанов", "Алишер"), copy("f2", 2, "Каримова", "Зарина")]
    seconds = [copy("s1", 1, "Хасанов", "Алишер"), copy("s2", 2, "Каримова", "Зарина", day=date(2015, 3, 21))]
    assert kinds(firsts, seconds) == {("matched", "f1", "s1"), ("matched", "f2", "s2")}


def test_a_number_whose_partner_disagrees_on_date_and_name_is_a_key_conflict() -> None:
    firsts = [copy("f1", 5, "Раҳимов", "Фаррух")]
    seconds = [copy("s1", 5, "Назарова", "Нигина", day=date(2015, 4, 2))]
    assert kinds(firsts, seconds) == {("key_conflict", "f1", "s1")}


def test_fuzzy_fallback_pairs_a_misread_number_by_date_and_name() -> None:
    # the second copy's 17 was read as 11, where the first copy's 11 is another child on another day
    firsts = [copy("f11", 11, "Шарипов", "Умед", day=date(2015, 3, 2)), copy("f17", 17, "Юсупова", "Малика")]
    seconds = [copy("s11", 11, "Юсупова", "Малика")]
    assert kinds(firsts, seconds) == {("fuzzy_matched", "f17", "s11"), ("first_only", "f11", None)}
    unnumbered = [copy("s", None, "Юсупова", "Малика")]
    assert kinds([copy("f", 4, "Юсупова", "Малика")], unnumbered) == {("fuzzy_matched", "f", "s")}
    far = [copy("s", None, "Юсупова", "Малика", born=date(2015, 2, 1))]
    assert CopyMatch.FUZZY not in {p.kind for p in match_copies([copy("f", 4, "Юсупова", "Малика")], far)}


def test_acts_in_one_copy_only() -> None:
    firsts = [copy("f1", 1, "Саидов", "Далер")]
    seconds = [copy("s2", 2, "Аминова", "Ситора", day=date(2015, 5, 1))]
    assert kinds(firsts, seconds) == {("first_only", "f1", None), ("second_only", None, "s2")}


def test_fields_compare_folded_and_marks_never() -> None:
    first = {"child_surname": "Ҳасанов", "child_name": "Алишер", "child_birth_date": "2015-03-12", "marks": "a"}
    second = {"child_surname": "Хасанов", "child_name": "Алишер", "child_birth_date": "2015-03-13", "marks": None}
    assert disagreeing_fields(first, second, fold) == ("child_birth_date",)
    assert disagreeing_fields({"father_name": "Рустам"}, {"father_name": None}, fold) == ("father_name",)


def test_principal_names_come_from_separate_fields_or_a_full_name() -> None:
    assert principal_names({"child_surname": "Ҳасанов", "child_name": "Алишер"}, "birth", fold) == ("хасанов", "алишер")
    assert principal_names({"deceased_full_name": "Каримов Рустам Алиевич"}, "death", fold) == ("каримов", "рустам")
    marriage = {"groom_surname_before": "Назаров", "groom_name": "Фаррух", "bride_surname_before": "Сафарова"}
    assert principal_names(marriage, "marriage", fold) == ("назаров", "фаррух", "сафарова", "")
