"""parse_value on every paper format of every value type: canonical values, blanks, failures and doubts."""

from __future__ import annotations

import pytest

from pipeline.ocr.lexicon import Lexicon
from pipeline.ocr.parse import parse_value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("214", "214"),
        ("№ 214", "214"),
        ("№214", "214"),
        ("N 7", "7"),
        ("0214", "214"),
        ("2 14", "214"),
        ("1О5", "105"),  # Cyrillic О beside real digits
        ("2l4", "214"),
        ("З0", "30"),
        ("1б", "16"),
    ],
)
def test_number_is_ascii_digits_without_leading_zeros(lexicon: Lexicon, raw: str, expected: str) -> None:
    parsed = parse_value(raw, "number", lexicon)
    assert (parsed.value, parsed.ok) == (expected, True)


@pytest.mark.parametrize("raw", ["О", "З", "6;", "214/а", "абв", "№"])
def test_number_with_letters_that_are_not_unambiguous_digits_fails(lexicon: Lexicon, raw: str) -> None:
    parsed = parse_value(raw, "number", lexicon)
    assert not parsed.ok
    assert parsed.reasons == ("parse_failed",)
    assert parsed.value == raw.strip()


@pytest.mark.parametrize("raw", ["", "   ", "—", "-", "–", "--", "нет", "НЕТ", "Нет"])
@pytest.mark.parametrize("value_type", ["number", "date", "name", "full_name", "sex", "text", "place"])
def test_blank_marks_give_null(lexicon: Lexicon, raw: str, value_type: str) -> None:
    parsed = parse_value(raw, value_type, lexicon)
    assert (parsed.value, parsed.ok, parsed.blank) == (None, True, True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.03.1987", "1987-03-12"),
        ("12.03.87", "1987-03-12"),
        ("12 марта 1987 г.", "1987-03-12"),
        ("«12» марта 1987 года", "1987-03-12"),
        ("12 МАРТА 1987 Г.", "1987-03-12"),
        ("12 марти 1987 с.", "1987-03-12"),
        ("12 март 1987", "1987-03-12"),
        ("12-уми марти соли 1987", "1987-03-12"),
        ("аз 24 июни соли 2019", "2019-06-24"),
        ("27.11.2014 с.", "2014-11-27"),
        ("1-ум январи 2012", "2012-01-01"),
        ("12/III-1987", "1987-03-12"),
        ("12.III.1987", "1987-03-12"),
        ("12-III-87", "1987-03-12"),
        ("10 VII 1968", "1968-07-10"),
        ("3-IV-87", "1987-04-03"),
        ("25 XI 1972", "1972-11-25"),
        ("1987 года марта месяца 12 числа", "1987-03-12"),
        ("1987-03-12", "1987-03-12"),
        ("29.02.1988", "1988-02-29"),
    ],
)
def test_date_formats_give_iso(lexicon: Lexicon, raw: str, expected: str) -> None:
    parsed = parse_value(raw, "date", lexicon, reference_year=2020)
    assert (parsed.value, parsed.ok, parsed.reasons) == (expected, True, ())


@pytest.mark.parametrize(
    ("raw", "reference_year", "expected"),
    [
        ("12.03.87", 1987, "1987-03-12"),  # the reference year itself
        ("12.03.88", 1987, "1888-03-12"),  # after it: the century before
        ("05.01.09", 2012, "2009-01-05"),
        ("05.01.12", 2011, "1912-01-05"),
    ],
)
def test_two_digit_years_fall_at_or_before_the_reference_year(
    lexicon: Lexicon, raw: str, reference_year: int, expected: str
) -> None:
    assert parse_value(raw, "date", lexicon, reference_year=reference_year).value == expected


@pytest.mark.parametrize(
    "raw", ["31.02.1987", "30 феврали 2001", "29.02.1987", "12.13.1987", "32.01.1987", "0.01.1987"]
)
def test_invalid_calendar_dates_fail(lexicon: Lexicon, raw: str) -> None:
    parsed = parse_value(raw, "date", lexicon, reference_year=1990)
    assert not parsed.ok
    assert parsed.reasons == ("parse_failed",)


@pytest.mark.parametrize("raw", ["12.03", "марта 1987", "12 1987", "12.03.1987 14.05.1988", "12 абв 1987", "12.03.987"])
def test_text_that_is_not_one_date_fails(lexicon: Lexicon, raw: str) -> None:
    assert not parse_value(raw, "date", lexicon, reference_year=1990).ok


def test_two_digit_year_without_reference_year_fails(lexicon: Lexicon) -> None:
    assert not parse_value("12.03.87", "date", lexicon).ok


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10 УП 1968", "1968-07-10"),  # VII printed with Cyrillic look-alikes
        ("12/ТТТ-1987", "1987-03-12"),
        ("12.111.1987", "1987-03-12"),
        ("17 11 1981", "1981-11-17"),  # Roman layout with a month in ones: maybe II read as 11
        ("12/1-1987", "1987-01-12"),
        ("l2.03.1987", "1987-03-12"),
    ],
)
def test_dates_read_through_look_alikes_parse_but_are_doubtful(lexicon: Lexicon, raw: str, expected: str) -> None:
    parsed = parse_value(raw, "date", lexicon, reference_year=1990)
    assert (parsed.value, parsed.ok, parsed.reasons) == (expected, True, ("low_confidence",))


def test_months_in_ones_are_doubtful_on_forms_of_the_roman_numeral_era(lexicon: Lexicon) -> None:
    for raw in ("12.11.1987", "12.01.1987"):
        assert parse_value(raw, "date", lexicon, reference_year=1990).reasons == ()
        assert parse_value(raw, "date", lexicon, reference_year=1990, roman_months=True).reasons == ("low_confidence",)
    assert parse_value("12.10.1987", "date", lexicon, reference_year=1990, roman_months=True).reasons == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("мужской", "male"),
        ("женский", "female"),
        ("муж.", "male"),
        ("ЖЕН.", "female"),
        ("мард", "male"),
        ("зан", "female"),
        ("Мардона", "male"),
        ("ЗАНОНА", "female"),
        ("м", "male"),
        ("Ж", "female"),
        ("M", "male"),  # Latin capital
        ("мужсксй", "male"),  # one letter misread
        ("жснский", "female"),
        ("мард / мужской", "male"),
        ("| зан", "female"),
    ],
)
def test_sex_words(lexicon: Lexicon, raw: str, expected: str) -> None:
    assert parse_value(raw, "sex", lexicon).value == expected


@pytest.mark.parametrize("raw", ["мард / женский", "абв", "ма", "мужчина женщина"])
def test_sex_that_is_unclear_fails(lexicon: Lexicon, raw: str) -> None:
    assert not parse_value(raw, "sex", lexicon).ok


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("РАҲИМОВА", "surname", "Раҳимова"),
        ("раҳимова", "surname", "Раҳимова"),
        ("мирзо-али", "given_name", "Мирзо-Али"),
        ("МИРЗО-АЛИ", None, "Мирзо-Али"),
        ("Абдуллоҳ.", "given_name", "Абдуллоҳ"),  # a speck read as a full stop
        ("Каримзода", "surname", "Каримзода"),  # stem of a given name with a Tajik ending
        ("Алишерова", "surname", "Алишерова"),  # a given name's stem with a Russian feminine ending
        ("Каримовна", "patronymic", "Каримовна"),
        ("Мирзоевич", "patronymic", "Мирзоевич"),
        ("Сергеевич", "patronymic", "Сергеевич"),
        ("Раҳим", "patronymic", "Раҳим"),  # Tajik style: the father's bare name
    ],
)
def test_names_are_capitalised_and_known(lexicon: Lexicon, raw: str, kind: str | None, expected: str) -> None:
    parsed = parse_value(raw, "name", lexicon, kind=kind)  # type: ignore[arg-type]
    assert (parsed.value, parsed.ok, parsed.lexicon_match, parsed.reasons) == (expected, True, True, ())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ҷураев", "Ҷӯраев"),  # ӯ read as у in a word already spelled in Tajik
        ("ҶУРАЕВ", "Ҷӯраев"),
        ("Қурбонзода", "Қурбонзода"),
        ("Курбонзода", "Курбонзода"),  # no Tajik letter: a Russian-form spelling, kept
        ("Раҳимзода", "Раҳимзода"),
        ("Ҷӯраев", "Ҷӯраев"),
    ],
)
def test_tajik_letters_lost_beside_kept_ones_are_restored(lexicon: Lexicon, raw: str, expected: str) -> None:
    parsed = parse_value(raw, "name", lexicon, kind="surname")
    assert (parsed.value, parsed.lexicon_match) == (expected, True)


@pytest.mark.parametrize("raw", ["Хасанов", "Курбанов", "Джураев", "Рахимова", "Курбонов"])
def test_russian_form_spellings_are_never_turned_tajik(lexicon: Lexicon, raw: str) -> None:
    parsed = parse_value(raw, "name", lexicon, kind="surname")
    assert (parsed.value, parsed.lexicon_match) == (raw, True)


def test_latin_look_alikes_inside_a_cyrillic_name_are_replaced(lexicon: Lexicon) -> None:
    parsed = parse_value("Раxимова", "name", lexicon, kind="surname")  # Latin x
    assert parsed.value == "Рахимова"


def test_unknown_name_is_kept_and_says_so(lexicon: Lexicon) -> None:
    parsed = parse_value("ПӮРАЕВ", "name", lexicon, kind="surname")
    assert (parsed.value, parsed.ok, parsed.lexicon_match, parsed.reasons) == (
        "Пӯраев",
        True,
        False,
        ("not_in_lexicon",),
    )


@pytest.mark.parametrize("raw", ["Раҳимова Шаҳноза", "Раҳим0ва", "Rahimova", "Раҳимова,Каримова"])
def test_a_name_part_must_be_one_cyrillic_word(lexicon: Lexicon, raw: str) -> None:
    parsed = parse_value(raw, "name", lexicon)
    assert (parsed.ok, parsed.reasons) == (False, ("parse_failed",))


def test_full_name_is_each_part_as_a_name(lexicon: Lexicon) -> None:
    parsed = parse_value("  ҶУРАЕВ   АЛИШЕР РАҲИМОВИЧ ", "full_name", lexicon)
    assert (parsed.value, parsed.lexicon_match) == ("Ҷӯраев Алишер Раҳимович", True)
    without_patronymic = parse_value("Раҳимова Шаҳноза", "full_name", lexicon)
    assert without_patronymic.value == "Раҳимова Шаҳноза"
    assert not parse_value("Раҳимова", "full_name", lexicon).ok


def test_full_name_with_an_unknown_part_is_not_in_lexicon(lexicon: Lexicon) -> None:
    parsed = parse_value("Раҳимова Ззазза Каримовна", "full_name", lexicon)
    assert (parsed.ok, parsed.lexicon_match, parsed.reasons) == (True, False, ("not_in_lexicon",))


@pytest.mark.parametrize(("raw", "value_type"), [("АлиЧонович", "name"), ("Раҳимов Рустам АлиЧонович", "full_name")])
def test_a_capital_inside_a_name_is_doubtful(lexicon: Lexicon, raw: str, value_type: str) -> None:
    """Ҷ read as a capital Ч: the name is given in its usual letter case, and reviewed."""
    parsed = parse_value(raw, value_type, lexicon, kind="patronymic" if value_type == "name" else None)
    assert parsed.ok and parsed.value is not None and parsed.value.endswith("Аличонович")
    assert "low_confidence" in parsed.reasons
    assert "low_confidence" not in parse_value("РАҲИМОВ Рустам", "full_name", lexicon).reasons


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("д. Гулистон, н. Сангвор", "place"),  # a village may share a listed city's name
        ("н. Шоҳмансур, ш. Душанбе", "place"),
        ("ЗАГС Колхозабадского р-на", "office"),
        ("ЗАГС Ленинского р-на г. Душанбе", "office"),
    ],
)
def test_places_and_offices_as_listed_are_not_doubtful(lexicon: Lexicon, raw: str, kind: str) -> None:
    parsed = parse_value(raw, "place" if kind == "place" else "text", lexicon, kind=kind)  # type: ignore[arg-type]
    assert (parsed.value, parsed.reasons) == (raw, ())


def test_text_and_place_are_normalised_as_written(lexicon: Lexicon) -> None:
    assert parse_value("  н. Рӯдакӣ,   ҷ. Чимтеппа ", "place", lexicon).value == "н. Рӯдакӣ, ҷ. Чимтеппа"
    assert parse_value("ШАҲШ-и\tш. Хуҷанд", "text", lexicon).value == "ШАҲШ-и ш. Хуҷанд"
    assert parse_value("Ра\u04b3имов", "text", lexicon).value == "Раҳимов"  # NFC


def test_known_place_is_noted_but_an_unknown_one_is_no_reason(lexicon: Lexicon) -> None:
    known = parse_value("г. Курган-Тюбе", "place", lexicon)
    unknown = parse_value("кишл. Каштут", "place", lexicon)
    assert (known.lexicon_match, known.reasons) == (True, ())
    assert (unknown.lexicon_match, unknown.reasons) == (False, ())


@pytest.mark.parametrize("raw", ["ш Ваҳдат", "САҲШ-и ш Норак", "г, Курган-Тюбе", "ш. Ваҳдат. кӯч. Ибни Сино 47"])
def test_a_dot_or_comma_likely_misread_is_doubtful(lexicon: Lexicon, raw: str) -> None:
    parsed = parse_value(raw, "place", lexicon)
    assert (parsed.value, parsed.reasons) == (raw, ("low_confidence",))


@pytest.mark.parametrize(
    "raw", ["родился в г. Душанбе", "н. Ҷ. Расулов", "г. Ленинабад, ул. Ленина, д. 5", "справка № 85."]
)
def test_ordinary_punctuation_is_not_doubtful(lexicon: Lexicon, raw: str) -> None:
    assert parse_value(raw, "text", lexicon).reasons == ()


@pytest.mark.parametrize(
    ("raw", "kind", "expected", "known"),
    [
        ("тоҷик", "nationality", "тоҷик", True),
        ("ТОҶИК", "nationality", "тоҷик", True),  # listed letter case
        ("таджичка", "nationality", "таджичка", True),
        ("тадж.", "nationality", "тадж.", True),
        ("точик", "nationality", "точик", False),  # Ҷ read as Ч: not a listed spelling
        ("ҶТ", "citizenship", "ҶТ", True),
        ("гражданка СССР", "citizenship", "гражданка СССР", True),
        ("узбек", "citizenship", "узбек", False),
    ],
)
def test_nationality_and_citizenship_are_checked_against_their_lists(
    lexicon: Lexicon, raw: str, kind: str, expected: str, known: bool
) -> None:
    parsed = parse_value(raw, "text", lexicon, kind=kind)  # type: ignore[arg-type]
    assert (parsed.value, parsed.ok, parsed.lexicon_match) == (expected, True, known)
    assert parsed.reasons == (() if known else ("not_in_lexicon",))


def test_unknown_value_type_is_a_programming_error(lexicon: Lexicon) -> None:
    with pytest.raises(ValueError, match="unknown value type"):
        parse_value("x", "colour", lexicon)


@pytest.mark.parametrize(
    ("raw", "value_type"),
    [
        ("г. Айни", "place"),  # a Russian value: the listed name has only its Tajik spelling
        ("р-н Фирдавси г. Душанбе, ул. ЛенИна", "place"),  # a capital inside a word
        ("Д. Чимтеппа, н. Панҷ", "place"),  # an abbreviation in capitals beginning the value
        ("2. Гиссар", "place"),  # a digit where 'г.' was written
        ("г. Регар, ул. Карла Маркса, д. 11.3", "place"),  # a house number with a dot
        ("ЗАГС Г. Хорога", "text"),
        ("в. Шоҳмансур, ш. Душанбе", "place"),  # a province's abbreviation before a listed district
        ("ЗАГС Темурмаликского р-На", "office"),  # an abbreviation in other letter case
        ("ЗАГС Колхозабалского р-на", "office"),  # a letter from the listed Колхозабадского
        ("Маълумотномаи таваллуд Њ 903", "text"),  # № misread
        ("Справка о рождении М№ 90", "text"),
        ("МаълумотноМаи таваллуд № 903", "text"),
    ],
)
def test_slips_read_with_full_confidence_are_doubtful(lexicon: Lexicon, raw: str, value_type: str) -> None:
    kind = {"place": "place", "office": "office"}.get(value_type)
    read_as = "text" if value_type == "office" else value_type
    parsed = parse_value(raw, read_as, lexicon, kind=kind)  # type: ignore[arg-type]
    assert (parsed.ok, parsed.reasons) == (True, ("low_confidence",))


@pytest.mark.parametrize(
    ("raw", "value_type"),
    [
        ("д. Бӯстон, н. Ёвон", "place"),
        ("с. Калъача, р-н Ш. Шохин", "place"),  # an initial, not an abbreviation
        ("с. Бахор, р-н Дж. Балхи", "place"),
        ("Маълумотномаи таваллуд № 903", "text"),
        ("Выдано свидетельство серии III-ТД № 606677", "text"),
        ("Исправлено на основании заключения ЗАГС от 11.02.1983 г.", "text"),
        ("САҲШ-и ш. Хуҷанд", "text"),
        ("г. Ленинабад ТаджССР", "place"),  # an acronym ending a word
    ],
)
def test_the_same_written_right_is_not_doubtful(lexicon: Lexicon, raw: str, value_type: str) -> None:
    parsed = parse_value(raw, value_type, lexicon, kind="place" if value_type == "place" else None)
    assert (parsed.value, parsed.reasons) == (raw, ())


def test_a_date_after_the_books_year_is_doubtful(lexicon: Lexicon) -> None:
    """Nothing is registered before it happens: 2072 is a misread 2012."""
    assert parse_value("07.05.2072", "date", lexicon, reference_year=2026).reasons == ("low_confidence",)
    assert parse_value("07.05.2012", "date", lexicon, reference_year=2026).reasons == ()


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        (". Таджик", "nationality", "таджик"),  # a speck before it
        ("тоҷик . |", "nationality", "тоҷик"),  # and after it
        ("тат. .", "nationality", "тат."),
        ("Тадж.", "nationality", "тадж."),  # listed letter case, the abbreviation's dot as written
        ("Тоҷикистон . |", "citizenship", "Тоҷикистон"),
        ("Тоҷикистон.", "citizenship", "Тоҷикистон"),  # a citizenship is listed without a dot
        ("ҶТ.", "citizenship", "ҶТ"),
        ("тоҷик.", "nationality", "тоҷик"),  # a full word takes no dot
        ("тадж", "nationality", "тадж."),  # an abbreviation takes its dot
        ("тадж, |", "nationality", "тадж."),
    ],
)
def test_specks_around_a_closed_list_entry_are_dropped(lexicon: Lexicon, raw: str, kind: str, expected: str) -> None:
    parsed = parse_value(raw, "text", lexicon, kind=kind)  # type: ignore[arg-type]
    assert (parsed.value, parsed.lexicon_match, parsed.reasons) == (expected, True, ())


@pytest.mark.parametrize(
    ("raw", "expected", "vouched"),
    [
        ("Сактаи дил", "сактаи дил", True),  # letter case of a listed cause
        ("СЫН", "сын", True),
        ("Маълумотномаи муассисаи тибби № 814", "Маълумотномаи муассисаи тиббӣ № 814", False),  # ӣ read as и
        ("Маълумотномаи таваллуд Њ 740", "Маълумотномаи таваллуд № 740", False),  # '№' read as Њ
        ("Маълумотномаи тибб ӣ дар бораи фавт №425", "Маълумотномаи тиббӣ дар бораи фавт № 425", False),
        ("Маълумотномаи тибби дар бораи фавт", "Маълумотномаи тиббӣ дар бораи фавт", True),
        ("То ҷикистон", "То ҷикистон", None),  # not a phrase of the list: kept as read
        ("инсулт", "инсулт", False),  # listed, but so is 'инсульт', which lands here when its ь is lost
        ("супруга", "супруга", False),
    ],
)
def test_a_listed_phrase_is_given_its_listed_spelling(
    lexicon: Lexicon, raw: str, expected: str, vouched: bool | None
) -> None:
    parsed = parse_value(raw, "text", lexicon, kind="phrase")
    assert (parsed.value, parsed.ok, parsed.reasons) == (expected, True, ())
    # the list vouches for its words, never for the number written after them
    assert parsed.lexicon_match is vouched


@pytest.mark.parametrize("raw", ["Справка о рожлении № 77", "пиронсолй", "Врачебное свидетельство о смерто"])
def test_a_phrase_a_letter_or_two_from_a_listed_one_is_doubtful(lexicon: Lexicon, raw: str) -> None:
    parsed = parse_value(raw, "text", lexicon, kind="phrase")
    assert parsed.value == raw
    assert parsed.reasons == ("low_confidence",)
    assert not parsed.lexicon_match


def test_a_name_in_a_phrase_field_stays_free_text(lexicon: Lexicon) -> None:
    parsed = parse_value("Каримов Алишер Рустамович", "text", lexicon, kind="phrase")
    assert (parsed.value, parsed.reasons, parsed.lexicon_match) == ("Каримов Алишер Рустамович", (), None)


@pytest.mark.parametrize(
    ("raw", "restored"),
    [
        ("д. Бӯстон, н. Евон", "д. Бӯстон, н. Ёвон"),  # ё read as е
        ("н. Кухистони Мастчоҳ", "н. Кӯҳистони Мастчоҳ"),  # ӯ read as у
        ("н. Абдураҳмони Чоми", "н. Абдураҳмони Ҷомӣ"),  # ҷ and ӣ read as ч and и
        ("н. АЙНӢ", "н. Айнӣ"),  # capitals
        ("н. ишкошим", "н. Ишкошим"),  # the capital lost
        ("ш. Бустон", "ш. Бӯстон"),  # the Russian spelling in a value written in Tajik
        ("д. Чимтеппа, н. Кӯшониен", "д. Чимтеппа, н. Кӯшониён"),  # a village is left as read
    ],
)
def test_a_listed_place_name_slipped_in_its_letters_is_given_its_listed_spelling(
    lexicon: Lexicon, raw: str, restored: str
) -> None:
    parsed = parse_value(raw, "place", lexicon, kind="place")
    assert (parsed.value, parsed.ok, parsed.reasons) == (restored, True, ())


@pytest.mark.parametrize("raw", ["г. Бустон", "г. Худжанд", "д. Бустон"])
def test_a_listed_russian_spelling_in_a_russian_value_stays(lexicon: Lexicon, raw: str) -> None:
    assert parse_value(raw, "place", lexicon, kind="place").value == raw


@pytest.mark.parametrize(
    "raw",
    [
        "Эргашева Гульнара Алйевна",  # й read for ӣ: no listed patronymic
        "Ашуриен Зульфия Бахтиёровна",  # Ашуриён is listed: the dots of ё may have been lost
        "Маълумотномаи тиббӣ дар бораи фавт ХУ» 879",  # a listed document, then no '№' before its number
    ],
)
def test_an_applicant_name_the_lexicon_does_not_vouch_for_or_a_misread_number_sign_is_doubtful(
    lexicon: Lexicon, raw: str
) -> None:
    parsed = parse_value(raw, "text", lexicon, kind="phrase")
    assert (parsed.value, parsed.reasons) == (raw, ("low_confidence",))


@pytest.mark.parametrize(
    ("raw", "doubtful"),
    [
        ("ЗАГС матчинского р-на", True),  # the place's capital lost
        ("САҲШ-ин. Сангвор", True),  # the space after the office word lost
        ("ЗАГС Матчинского р-на", False),
        ("САҲШ-и н. Сангвор", False),
        ("ЗАГС г. Душанбе", False),  # an abbreviation before the place
        ("ЗАГС Октябрьского р-на г. Душанбе", False),  # a Soviet chain of listed places
        ("САҲШ-и Н. Вахш", True),  # an abbreviation in capitals
        ("ЗАГ С Ленинабадского р-на", True),  # a space inside the office word
        ("САҲШ-и н. Темурмал ик", True),  # a space inside the place
        ("ЗАГС Кушониенского р-на", True),  # ё read as е: no listed place
    ],
)
def test_an_office_off_the_list_is_doubtful(lexicon: Lexicon, raw: str, doubtful: bool) -> None:
    parsed = parse_value(raw, "text", lexicon, kind="office")
    assert (parsed.value, parsed.reasons) == (raw, ("low_confidence",) if doubtful else ())


@pytest.mark.parametrize(
    ("raw", "vouched"),
    [("муж.", True), ("МУЖСКОЙ", True), ("зан / женский", True), ("ж", False), ("Женгкий", False)],
)
def test_a_sex_word_as_listed_is_vouched_for_a_lone_letter_or_a_near_miss_is_not(
    lexicon: Lexicon, raw: str, vouched: bool
) -> None:
    parsed = parse_value(raw, "sex", lexicon)
    assert parsed.ok and parsed.value in ("male", "female")
    assert bool(parsed.lexicon_match) is vouched
