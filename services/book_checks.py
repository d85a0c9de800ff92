"""Book checks on the stored records: act-number sequences per book (office, act type, year, copy), their
report (expected against found, gaps, repeats, numbers out of date order) and the fields they flag."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, aliased

from database.workflow import Book, CopyKind, Field, Page, Record, ScanFile
from pipeline.qa.rules import SequenceSettings
from pipeline.qa.sequence import BookEntry, BookReport, SequenceReport, book_flags, check_book, parse_act_number
from pipeline.types import FieldState, RecordStatus

# records a check may still flag: not yet taken by a reviewer, not verified
FLAGGABLE = (RecordStatus.AUTO_VERIFIED, RecordStatus.NEEDS_REVIEW)


@dataclass(frozen=True)
class BookCheck:
    office: str
    act_type: str
    year: int
    copy: CopyKind
    labels: tuple[str, ...]  # the volumes bound for this office, act type, year and copy
    report: BookReport
    flagged: int = 0  # fields newly flagged by this check

    def to_dict(self) -> dict[str, object]:
        return {
            "office": self.office,
            "act_type": self.act_type,
            "year": self.year,
            "copy": self.copy.value,
            "books": list(self.labels),
            "expected": self.report.expected,
            "found": self.report.found,
            "missing": self.report.missing,  # for the book's manager: gaps flag no record unless one is misread
            "unnumbered": len(self.report.unnumbered),
            "flagged": self.flagged,
            "sequences": [_sequence_dict(s) for s in self.report.sequences],
        }


def _sequence_dict(sequence: SequenceReport) -> dict[str, object]:
    return {
        "index": sequence.index,
        "records": sequence.records,
        "expected": sequence.expected,
        "found": sequence.found,
        "gaps": [[g.first_missing, g.last_missing] for g in sequence.gaps],
        "repeats": [
            {"number": r.number, "records": len(r.record_ids), "identical": r.identical} for r in sequence.repeats
        ],
        "out_of_order": [
            {"number": o.number, "registration_date": o.registration_date.isoformat()} for o in sequence.out_of_order
        ],
    }


def flag_fields(session: Session, flags: Mapping[str, Iterable[tuple[str, str]]]) -> int:
    """Adds each (field key, reason) to its record's field and flags it; a record still auto-verified goes to
    review. Records a reviewer holds or has verified are left as they are. Returns the fields newly flagged."""
    if not flags:
        return 0
    wanted = {rid: dict.fromkeys(pairs) for rid, pairs in flags.items()}
    flaggable = set(session.scalars(select(Record.id).where(Record.id.in_(list(wanted)), Record.status.in_(FLAGGABLE))))
    keys = {key for pairs in wanted.values() for key, _reason in pairs}
    fields = session.scalars(select(Field).where(Field.record_id.in_(list(flaggable)), Field.key.in_(keys)))
    newly = 0
    to_review: set[str] = set()
    for field in fields:
        reasons = [reason for key, reason in wanted[field.record_id] if key == field.key]
        added = [r for r in reasons if r not in field.reasons]
        if not added:
            continue
        field.reasons = [*field.reasons, *added]
        if field.state == FieldState.AUTO:
            field.state = FieldState.FLAGGED
            newly += 1
            to_review.add(field.record_id)
    if to_review:
        session.execute(
            update(Record)
            .where(Record.id.in_(list(to_review)), Record.status == RecordStatus.AUTO_VERIFIED)
            .values(status=RecordStatus.NEEDS_REVIEW)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return newly


def _fingerprints(session: Session, record_ids: Sequence[str]) -> dict[str, str]:
    """A digest of each record's values; the same for two scans of one page."""
    values: dict[str, dict[str, str | None]] = defaultdict(dict)
    for record_id, key, value in session.execute(
        select(Field.record_id, Field.key, Field.value).where(Field.record_id.in_(record_ids))
    ):
        values[record_id][key] = value
    return {
        rid: hashlib.sha256(json.dumps(v, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        for rid, v in values.items()
    }


def _entries(session: Session, office: str, act_type: str, year: int, copy: CopyKind) -> list[BookEntry]:
    """The records of every volume, in binding order (volume label, file, page, slot), each with the
    registering body it names (its office field) and its own act type: a death record bound among births (a
    page filed in the wrong book) is numbered in the deaths' sequence, not in the births'."""
    registered = aliased(Field)
    body = aliased(Field)
    rows = session.execute(
        select(Record.id, Record.act_number, registered.value, body.value, Record.act_type)
        .join(Book, Book.id == Record.book_id)
        .join(Page, Page.id == Record.page_id)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .outerjoin(registered, and_(registered.record_id == Record.id, registered.key == "registration_date"))
        .outerjoin(body, and_(body.record_id == Record.id, body.key == "office"))
        .where(
            Book.office == office,
            Book.act_type == act_type,
            Book.year == year,
            Book.copy == copy,
            Record.status != RecordStatus.REJECTED,
        )
        .order_by(Book.label, ScanFile.id, Page.page_number, Record.slot)
    ).all()
    return [
        BookEntry(
            rid, parse_act_number(number), _iso_date(day), fingerprint=rid, body=_body(named, record_type, act_type)
        )
        for rid, number, day, named, record_type in rows
    ]


def _body(office: str | None, record_type: str, book_type: str) -> str:
    """The sequence a record is numbered in: the registering body it names, case and spacing aside, and its
    act type where it is not the book's (each body numbers each act type from 1)."""
    named = " ".join((office or "").split()).casefold()
    return named if record_type == book_type else f"{record_type}: {named}"


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def check_one(session: Session, office: str, act_type: str, year: int, copy: CopyKind) -> BookReport:
    """The report of one book; repeated numbers are told apart from double scans by their values."""
    entries = _entries(session, office, act_type, year, copy)
    first = check_book(entries)
    repeated = [rid for s in first.sequences for r in s.repeats for rid in r.record_ids]
    if not repeated:
        return first
    prints = _fingerprints(session, repeated)
    return check_book([replace(e, fingerprint=prints.get(e.record_id, e.record_id)) for e in entries])


def check_books(
    session: Session,
    settings: SequenceSettings,
    *,
    office: str | None = None,
    book: str | None = None,
    flag: bool = False,
) -> list[BookCheck]:
    """Every book of the office (or the one labelled ``book``), checked; with ``flag`` the findings flag
    their fields so the records go to review."""
    query = select(Book.office, Book.act_type, Book.year, Book.copy, Book.label).order_by(
        Book.office, Book.act_type, Book.year, Book.copy, Book.label
    )
    if office is not None:
        query = query.where(Book.office == office)
    labels: dict[tuple[str, str, int, CopyKind], list[str]] = defaultdict(list)
    for b_office, b_type, b_year, b_copy, label in session.execute(query):
        labels[(b_office, b_type, b_year, b_copy)].append(label)
    checks = []
    for (b_office, b_type, b_year, b_copy), names in labels.items():
        if book is not None and book not in names:
            continue
        report = check_one(session, b_office, b_type, b_year, b_copy)
        flagged = flag_fields(session, book_flags(report, settings)) if flag else 0
        checks.append(BookCheck(b_office, b_type, b_year, b_copy, tuple(names), report, flagged))
    return checks
