"""Realistic, mutually consistent values of one act record: the canonical truth and the text as written.

People are made first (sex, names, dates, places) and the form's fields are then read off them by key
(``father_surname`` is the father's surname, ``child_birth_date`` the child's date of birth), so a new form
whose keys follow the same pattern needs no new code.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipeline.errors import ConfigError
from pipeline.forms.catalogue import FieldSpec, FormTemplate
from pipeline.synth.lexicon import Nationality, Place, SynthLexicon
from pipeline.synth.names import (
    capitalise,
    is_russian_style,
    russian_patronymic,
    russian_spelling,
    surname_for,
    zoda_surname,
)
from pipeline.synth.paper import Era, pick, written_blank, written_date, written_name_parts, written_number, written_sex
from pipeline.synth.places import DUSHANBE, office_name, residence, settlement

LAST_YEAR = 2025  # newest registration year generated for forms without an end year
# Ban of -ович/-овна patronymics for newborn Tajiks (DOMAIN 3.1): from then on mostly the father's bare name.
PATRONYMIC_REFORM_YEAR = 2016

# A value before it is written: str (name, text, place), int (number), date, bool (sex: True = female),
# tuple of name parts (full name) or None (blank).
Fact = str | int | date | bool | tuple[str, ...] | None

# Shares of optional fields left blank, by key or by the attribute a key ends with.
_BLANK_SHARE: Mapping[str, float] = {
    "marks": 0.85,
    "birth_document": 0.1,
    "death_document": 0.1,
    "death_cause": 0.2,
    "applicant": 0.15,
    "nationality": 0.06,
    "citizenship": 0.06,
    "residence": 0.05,
    "birth_date": 0.06,
    "birth_place": 0.06,
    "patronymic": 0.03,
}
_NATIONALITY_SHARE: Mapping[str, float] = {
    "таджик": 0.8,
    "узбек": 0.13,
    "киргиз": 0.02,
    "туркмен": 0.02,
    "татарин": 0.015,
    "русский": 0.015,
}
_NATIONALITY_ABBREVIATIONS: Mapping[str, str] = {
    "таджик": "тадж.",
    "узбек": "узб.",
    "киргиз": "кирг.",
    "туркмен": "туркм.",
    "татарин": "тат.",
    "русский": "рус.",
}
_CITIZENSHIP_SHARE: Mapping[str, float] = {
    "Ҷумҳурии Тоҷикистон": 0.4,
    "Тоҷикистон": 0.2,
    "ҶТ": 0.15,
    "Республика Таджикистан": 0.15,
    "РТ": 0.1,
}
_DEATH_CAUSES_TG = (
    ("сактаи дил", 0.3),
    ("инфаркти миокард", 0.2),
    ("инсулт", 0.15),
    ("пиронсолӣ", 0.2),
    ("бемории ишемиявии дил", 0.15),
)
_DEATH_CAUSES_RU = (
    ("ишемическая болезнь сердца", 0.35),
    ("инфаркт миокарда", 0.3),
    ("инсульт", 0.2),
    ("пневмония", 0.15),
)
_MARKS: Mapping[Era, tuple[tuple[str, float], ...]] = {
    "su": (
        ("Выдано свидетельство серии {series}-ТД № {cert}", 0.5),
        ("Повторное свидетельство выдано {day}", 0.3),
        ("Исправлено на основании заключения ЗАГС от {day}", 0.2),
    ),
    "tj": (
        ("Шаҳодатнома силсилаи ТҶ № {cert} дода шуд", 0.4),
        ("Шаҳодатномаи такрорӣ дода шуд {day}", 0.3),
        ("Выдано свидетельство серии I-ТД № {cert}", 0.2),
        ("Ислоҳ карда шуд аз {day}", 0.1),
    ),
}
_PERSON_ROLES = ("child", "father", "mother", "deceased", "groom", "bride")
_PERSON_ATTRIBUTES = frozenset(
    (
        "surname",
        "name",
        "patronymic",
        "full_name",
        "sex",
        "birth_date",
        "birth_place",
        "nationality",
        "citizenship",
        "residence",
        "surname_before",
        "surname_after",
    )
)


@dataclass(frozen=True)
class FieldValue:
    """One field: its canonical value (None = blank) and the text as written on the paper ('' = nothing)."""

    key: str
    value_type: str
    truth: str | None
    written: str


@dataclass(frozen=True)
class RecordValues:
    slot: int
    fields: tuple[FieldValue, ...]

    def truth(self) -> dict[str, str | None]:
        return {f.key: f.truth for f in self.fields}

    def written(self) -> dict[str, str]:
        return {f.key: f.written for f in self.fields}


@dataclass(frozen=True)
class Book:
    """Where a run of records comes from: one office, one year, act numbers and dates that only go up."""

    form: FormTemplate
    place: Place
    year: int
    next_act: int
    last_registration: date
    russian: bool  # the clerk writes names in Russian-form spelling and places in Russian

    @property
    def era(self) -> Era:
        return form_era(self.form)


@dataclass(frozen=True)
class Person:
    female: bool
    surname: str
    name: str
    patronymic: str | None
    birth_date: date | None = None
    birth_place: str | None = None
    nationality: str | None = None
    citizenship: str | None = None
    residence: str | None = None
    surname_before: str | None = None
    surname_after: str | None = None

    @property
    def sex(self) -> bool:
        return self.female

    @property
    def full_name(self) -> tuple[str, ...]:
        return tuple(part for part in (self.surname, self.name, self.patronymic) if part)


@dataclass(frozen=True)
class _Hand:
    """How the clerk of one record writes: spelling of names, language of words, capitals."""

    era: Era
    russian: bool  # Russian-form spelling of names and Russian words for places and nationalities
    capitals: str  # 'none', 'surname' or 'all'


# The people of a record by role, and the record's own facts by field key.
_Built = tuple[dict[str, Person], dict[str, Fact]]


def form_era(form: FormTemplate) -> Era:
    """'su' for forms used only before independence (Russian), 'tj' for the later bilingual ones."""
    end = form.years[1]
    return "su" if end is not None and end <= 1991 else "tj"


def new_book(form: FormTemplate, lexicon: SynthLexicon, rng: random.Random, *, year: int | None = None) -> Book:
    first, last = form.years[0] or 1950, form.years[1] or LAST_YEAR
    year = year if year is not None else rng.randint(first, last)
    place = rng.choice((*lexicon.places, DUSHANBE))
    start = date(year, 1, 1) + timedelta(days=rng.randint(0, 300))
    russian = rng.random() < (0.85 if form_era(form) == "su" else 0.2)
    return Book(
        form=form, place=place, year=year, next_act=rng.randint(1, 900), last_registration=start, russian=russian
    )


def _advance(book: Book, rng: random.Random) -> tuple[int, date, Book]:
    registered = min(book.last_registration + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3))), date(book.year, 12, 31))
    return book.next_act, registered, replace(book, next_act=book.next_act + 1, last_registration=registered)


def _years_before(day: date, years: int, rng: random.Random) -> date:
    """A date about ``years`` years before ``day`` (never after it)."""
    return day - timedelta(days=round(years * 365.25) + rng.randint(0, 364))


def _given(lexicon: SynthLexicon, female: bool, rng: random.Random) -> str:
    return rng.choice(lexicon.female_names if female else lexicon.male_names)


def _family_surname(lexicon: SynthLexicon, era: Era, born: date, rng: random.Random) -> str:
    """A family's (masculine) surname: only -ов/-ев before 2007, Tajik forms too for people born later or
    who changed theirs."""
    russian = [s for s in lexicon.surnames if is_russian_style(s)]
    if era == "su" or (born.year < 1990 and rng.random() < 0.75) or rng.random() < 0.55:
        return rng.choice(russian)
    return rng.choice([s for s in lexicon.surnames if not is_russian_style(s)])


def _patronymic(father_name: str, female: bool, born: date, rng: random.Random) -> str:
    if born.year < PATRONYMIC_REFORM_YEAR or rng.random() < 0.15:
        return russian_patronymic(father_name, female)
    return father_name


def _nationality(lexicon: SynthLexicon, rng: random.Random) -> Nationality:
    return lexicon.nationality(pick(rng, tuple(_NATIONALITY_SHARE.items())))


def _nationality_text(nationality: Nationality, female: bool, hand: _Hand, rng: random.Random) -> str:
    if hand.era == "tj" and not hand.russian:
        return nationality.tg
    if hand.era == "su" and rng.random() < 0.1:
        return _NATIONALITY_ABBREVIATIONS[nationality.ru_male]
    return nationality.ru_female if female else nationality.ru_male


def _citizenship(lexicon: SynthLexicon, nationality: Nationality, hand: _Hand, rng: random.Random) -> str:
    if nationality.ru_male == "узбек" and rng.random() < 0.2:
        return "Узбекистан" if hand.russian else "Узбекистон"
    if rng.random() < 0.01:
        return lexicon.citizenships["stateless"][0 if hand.russian else 1]
    if hand.russian:
        return pick(rng, (("Республика Таджикистан", 0.7), ("РТ", 0.3)))
    return pick(rng, tuple(_CITIZENSHIP_SHARE.items()))


def _spell(hand: _Hand, word: str) -> str:
    return russian_spelling(word) if hand.russian else word


def _adult(
    lexicon: SynthLexicon,
    hand: _Hand,
    rng: random.Random,
    *,
    female: bool,
    born: date,
    home: Place,
    surname: str | None = None,
    nationality: Nationality | None = None,
) -> Person:
    """A grown-up with a whole identity; ``surname`` is a family surname in either form."""
    family = surname or _family_surname(lexicon, hand.era, born, rng)
    nationality = nationality or _nationality(lexicon, rng)
    place = home if rng.random() < 0.6 else rng.choice(lexicon.places)
    return Person(
        female=female,
        surname=_spell(hand, surname_for(family, female)),
        name=_spell(hand, _given(lexicon, female, rng)),
        patronymic=_spell(hand, _patronymic(_given(lexicon, False, rng), female, born, rng)),
        birth_date=born,
        birth_place=settlement(place, hand.era, not hand.russian, rng),
        nationality=_nationality_text(nationality, female, hand, rng),
        citizenship=_citizenship(lexicon, nationality, hand, rng) if hand.era == "tj" else None,
        residence=residence(home, hand.era, not hand.russian, rng),
    )


def _marks(era: Era, registered: date, rng: random.Random) -> str:
    later = registered + timedelta(days=rng.randint(200, 9000))
    return pick(rng, _MARKS[era]).format(
        series=rng.choice(("I", "II", "III")),
        cert=f"{rng.randint(0, 999999):06d}",
        day=later.strftime("%d.%m.%Y") + (" г." if era == "su" else ""),
    )


def _birth(book: Book, lexicon: SynthLexicon, hand: _Hand, rng: random.Random) -> _Built:
    registered = book.last_registration
    late = rng.random() < 0.05
    born = registered - timedelta(days=rng.randint(31, 300) if late else rng.randint(1, 30))
    born = max(born, date(book.form.years[0] or born.year, 1, 1))
    female = rng.random() < 0.5
    nationality = _nationality(lexicon, rng)
    father_present = rng.random() < (0.92 if hand.era == "su" else 0.95)
    father = _adult(
        lexicon,
        hand,
        rng,
        female=False,
        born=_years_before(born, rng.randint(20, 44), rng),
        home=book.place,
        nationality=nationality,
    )
    same_surname = hand.era == "su" and rng.random() < 0.6
    mother = _adult(
        lexicon,
        hand,
        rng,
        female=True,
        born=_years_before(born, rng.randint(18, 40), rng),
        home=book.place,
        surname=father.surname if same_surname else None,
        nationality=nationality if rng.random() < 0.85 else None,
    )
    mother = replace(mother, residence=father.residence if father_present else mother.residence)
    if father_present:
        zoda = hand.era == "tj" and rng.random() < 0.3
        surname = zoda_surname(father.name) if zoda else surname_for(father.surname, female)
        patronymic: str | None = _patronymic(father.name, female, born, rng)
    else:
        surname = surname_for(mother.surname, female)
        # the father's name as the mother gave it, or none
        named = rng.random() < 0.7
        patronymic = _patronymic(_spell(hand, _given(lexicon, False, rng)), female, born, rng) if named else None
    child = Person(
        female=female,
        surname=surname,
        name=_spell(hand, _given(lexicon, female, rng)),
        patronymic=patronymic,
        birth_date=born,
        birth_place=settlement(
            book.place if rng.random() < 0.7 else rng.choice(lexicon.places), hand.era, not hand.russian, rng
        ),
    )
    people = {"child": child, "mother": mother}
    if father_present:
        people["father"] = father
    facts: dict[str, Fact] = {
        "parents_residence": mother.residence,
        "birth_document": _birth_document(hand, rng),
        "applicant": _applicant(people, hand, rng, parents=True),
    }
    return people, facts


def _birth_document(hand: _Hand, rng: random.Random) -> str:
    number = rng.randint(1, 999)
    if hand.russian:
        return f"Справка о рождении № {number}"
    return pick(rng, ((f"Маълумотномаи таваллуд № {number}", 0.6), (f"Маълумотномаи муассисаи тиббӣ № {number}", 0.4)))


def _applicant(people: Mapping[str, Person], hand: _Hand, rng: random.Random, *, parents: bool) -> str:
    if parents:
        role = "father" if "father" in people and rng.random() < 0.7 else "mother"
        if rng.random() < 0.4:
            words = {"father": "отец", "mother": "мать"} if hand.russian else {"father": "падар", "mother": "модар"}
            return words[role]
        return " ".join(people[role].full_name)
    kin = ("сын", "дочь", "супруг(а)") if hand.russian else ("писар", "духтар", "ҳамсар")
    return rng.choice(kin)


def _death(book: Book, lexicon: SynthLexicon, hand: _Hand, rng: random.Random) -> _Built:
    registered = book.last_registration
    died = registered - timedelta(days=rng.randint(0, 10))
    age = rng.choice((rng.randint(0, 40), rng.randint(40, 95), rng.randint(55, 95), rng.randint(60, 90)))
    female = rng.random() < 0.48
    deceased = _adult(lexicon, hand, rng, female=female, born=_years_before(died, age, rng), home=book.place)
    death_place = settlement(
        book.place if rng.random() < 0.8 else rng.choice(lexicon.places), hand.era, not hand.russian, rng
    )
    number = rng.randint(1, 999)
    document = (
        f"Врачебное свидетельство о смерти № {number}"
        if hand.russian
        else f"Маълумотномаи тиббӣ дар бораи фавт № {number}"
    )
    facts: dict[str, Fact] = {
        "death_date": died,
        "death_place": death_place,
        "death_cause": pick(rng, _DEATH_CAUSES_RU if hand.russian else _DEATH_CAUSES_TG),
        "death_document": document,
        "applicant": _applicant({}, hand, rng, parents=False),
    }
    return {"deceased": deceased}, facts


def _marriage(book: Book, lexicon: SynthLexicon, hand: _Hand, rng: random.Random) -> _Built:
    registered = book.last_registration
    groom = _adult(
        lexicon, hand, rng, female=False, born=_years_before(registered, rng.randint(20, 40), rng), home=book.place
    )
    bride = _adult(
        lexicon,
        hand,
        rng,
        female=True,
        born=_years_before(registered, rng.randint(18, 35), rng),
        home=book.place if rng.random() < 0.7 else rng.choice(lexicon.places),
    )
    groom = replace(groom, surname_before=groom.surname, surname_after=groom.surname)
    takes_husbands = rng.random() < 0.55
    bride = replace(
        bride,
        surname_before=bride.surname,
        surname_after=surname_for(groom.surname, True) if takes_husbands else bride.surname,
    )
    return {"groom": groom, "bride": bride}, {}


_BUILDERS: Mapping[str, Callable[[Book, SynthLexicon, _Hand, random.Random], _Built]] = {
    "birth": _birth,
    "death": _death,
    "marriage": _marriage,
}


def _person_fact(people: Mapping[str, Person], key: str) -> tuple[bool, Fact]:
    """(known, value) of a key '<role>_<attribute>'; an absent person (no father) gives blank fields."""
    role, _, attribute = key.partition("_")
    if role not in _PERSON_ROLES or attribute not in _PERSON_ATTRIBUTES:
        return False, None
    person = people.get(role)
    return True, None if person is None else getattr(person, attribute)


def _blank_share(key: str) -> float:
    if key in _BLANK_SHARE:
        return _BLANK_SHARE[key]
    return next((share for suffix, share in _BLANK_SHARE.items() if key.endswith(suffix)), 0.0)


def canonical(value_type: str, fact: Fact) -> str | None:
    """The catalogue's canonical text of a value (value_types in catalogue.yaml)."""
    if fact is None:
        return None
    if value_type == "date":
        assert isinstance(fact, date)
        return fact.isoformat()
    if value_type == "sex":
        return "female" if fact else "male"
    if value_type == "number":
        return str(int(fact))  # type: ignore[arg-type]
    if value_type == "name":
        return capitalise(str(fact))
    if value_type == "full_name":
        assert isinstance(fact, tuple)
        return " ".join(capitalise(part) for part in fact)
    return " ".join(unicodedata.normalize("NFC", str(fact)).split())


def _written(spec: FieldSpec, fact: Fact, hand: _Hand, lexicon: SynthLexicon, rng: random.Random) -> str:
    if fact is None:
        return written_blank(rng)
    if spec.type == "date":
        assert isinstance(fact, date)
        return written_date(fact, hand.era, lexicon, rng)
    if spec.type == "sex":
        return written_sex(bool(fact), hand.era, rng)
    if spec.type == "number":
        return written_number(int(fact), rng)  # type: ignore[arg-type]
    if spec.type == "name":
        upper = hand.capitals == "all" or (hand.capitals == "surname" and "surname" in spec.key)
        return written_name_parts([str(fact)], "all" if upper else "none")
    if spec.type == "full_name":
        assert isinstance(fact, tuple)
        return written_name_parts(fact, hand.capitals)
    return str(fact)


def generate_record(
    book: Book, slot: int, lexicon: SynthLexicon, rng: random.Random, *, typewriter: bool = False
) -> tuple[RecordValues, Book]:
    """The next record of the book in the given slot, and the book moved on past it.

    ``typewriter``: Soviet typewriters had no Tajik letters, so typed Soviet records use Russian-form spelling.
    """
    era = book.era
    russian = book.russian or (era == "su" and typewriter)
    hand = _Hand(era=era, russian=russian, capitals=pick(rng, (("none", 0.8), ("surname", 0.14), ("all", 0.06))))
    act_number, registered, moved = _advance(book, rng)
    try:
        build = _BUILDERS[book.form.act_type]
    except KeyError:
        raise ConfigError(f"the generator cannot fill {book.form.act_type} records ({book.form.form_id})") from None
    people, facts = build(replace(book, last_registration=registered), lexicon, hand, rng)
    facts = {
        **facts,
        "act_number": act_number,
        "registration_date": registered,
        "office": office_name(book.place, era, tajik=not russian),
        "marks": _marks(era, registered, rng),
    }
    fields = []
    for spec in book.form.fields:
        if spec.key in facts:
            fact: Fact = facts[spec.key]
        else:
            known, fact = _person_fact(people, spec.key)
            if not known:
                raise ConfigError(f"form {book.form.form_id}: the generator has no value for field {spec.key!r}")
        if fact is not None and not spec.required and rng.random() < _blank_share(spec.key):
            fact = None
        if fact is None and spec.required:
            raise ConfigError(f"form {book.form.form_id}: required field {spec.key!r} came out blank")
        fields.append(
            FieldValue(spec.key, spec.type, canonical(spec.type, fact), _written(spec, fact, hand, lexicon, rng))
        )
    return RecordValues(slot=slot, fields=tuple(fields)), moved
