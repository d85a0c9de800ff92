"""Builders of whole books for book-level tests: consistent birth records numbered in registration order, with
gaps, repeats, restarts and copy disagreements planted where a test asks for them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from database.workflow import Book, CopyKind, Record
from pipeline.types import RecordStatus
from tests.factories import make_book, make_record

SURNAMES = ("Раҳимов", "Каримов", "Ҳасанов", "Назаров", "Сафаров", "Шарипов", "Юсупов", "Аминов", "Одинаев", "Саидов")
BOYS = ("Алишер", "Фаррух", "Рустам", "Баҳром", "Далер", "Зафар", "Умед", "Шерзод", "Анвар", "Акбар")
GIRLS = ("Мадина", "Зарина", "Нигина", "Малика", "Шаҳноза", "Парвина", "Ситора", "Дилноза", "Фарзона", "Азиза")


def birth_values(number: int, registered: date, *, seed: int | None = None) -> dict[str, str | None]:
    """A consistent birth record: the child born a week before registration, parents of plausible ages,
    names whose endings agree with the sex (a girl every third record)."""
    i = number if seed is None else seed
    girl = i % 3 == 0
    father_surname = SURNAMES[i % len(SURNAMES)]
    father_name = BOYS[(i * 7) % len(BOYS)]
    born = registered - timedelta(days=7)
    return {
        "act_number": str(number),
        "registration_date": registered.isoformat(),
        "office": "САҲШ-и ш. Хуҷанд",
        "child_surname": father_surname + ("а" if girl else ""),
        "child_name": (GIRLS if girl else BOYS)[i % 10],
        "child_patronymic": father_name + ("овна" if girl else "ович"),
        "child_sex": "female" if girl else "male",
        "child_birth_date": born.isoformat(),
        "child_birth_place": "ш. Хуҷанд",
        "birth_document": None,
        "father_surname": father_surname,
        "father_name": father_name,
        "father_patronymic": None,
        "father_birth_date": (born - timedelta(days=30 * 365)).isoformat(),
        "father_nationality": "тоҷик",
        "father_citizenship": None,
        "father_residence": None,
        "mother_surname": SURNAMES[(i + 3) % len(SURNAMES)] + "а",
        "mother_name": GIRLS[(i * 3) % len(GIRLS)],
        "mother_patronymic": None,
        "mother_birth_date": (born - timedelta(days=26 * 365)).isoformat(),
        "mother_nationality": "тоҷик",
        "mother_citizenship": None,
        "mother_residence": None,
        "applicant": None,
        "marks": None,
    }


@dataclass(frozen=True)
class Planted:
    """One record of a generated book: its number, registration date and any values changed from the default."""

    number: int | None
    registered: date
    changes: Mapping[str, str | None] = field(default_factory=dict)
    seed: int | None = None  # the default values of another number (a repeat with other content)


def run_of(numbers: Iterable[int | None], start: date = date(2015, 1, 5)) -> list[Planted]:
    """Records numbered as given, registered a day apart in the order given."""
    return [Planted(n, start + timedelta(days=i)) for i, n in enumerate(numbers)]


def make_book_records(
    session: Session,
    planted: Iterable[Planted],
    *,
    office: str = "KHJ",
    copy: CopyKind = CopyKind.FIRST,
    year: int = 2015,
    book: Book | None = None,
    status: RecordStatus = RecordStatus.AUTO_VERIFIED,
) -> tuple[Book, list[Record]]:
    """A book whose records sit one per page in the order given."""
    book = book or make_book(session, office=office, copy=copy, year=year)
    records = []
    for page, entry in enumerate(planted, start=1):
        values = {**birth_values(entry.number or 0, entry.registered, seed=entry.seed), **entry.changes}
        if entry.number is None:
            values["act_number"] = None
        records.append(
            make_record(
                session, book, values, status=status, file_name=f"{book.label}/p{page:04d}.png", page_number=page
            )
        )
    return book, records
