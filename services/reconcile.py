"""Reconciliation of first and second copies in the workflow store: each record paired with its other copy
(or found alone), agreeing fields given the confidence of two readings, disagreeing ones sent to review."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, and_, cast, func, select, update
from sqlalchemy.orm import Session, aliased

from database.workflow import Book, CopyKind, Field, Record
from pipeline.ocr.lexicon import fold
from pipeline.qa.reconcile import (
    COPY_DISAGREEMENT,
    COPY_KEY_CONFLICT,
    EVENT_DATE,
    PRINCIPALS,
    CopyMatch,
    CopyRecord,
    disagreeing_fields,
    match_copies,
    principal_names,
)
from pipeline.qa.rules import ReconcileSettings
from pipeline.qa.sequence import parse_act_number
from pipeline.types import RecordStatus
from services.book_checks import flag_fields

CHUNK = 500
_NAME_SUFFIXES = ("surname", "surname_before", "name", "full_name")


@dataclass
class ReconcileResult:
    pairings: dict[str, int] = field(default_factory=lambda: {kind.value: 0 for kind in CopyMatch})
    compared_pairs: int = 0  # pairs newly matched, whose fields were compared now
    fields_flagged: int = 0


@dataclass(frozen=True)
class BookCopies:
    """How the records of one book fared: matched with the other copy, alone, or in conflict."""

    office: str
    act_type: str
    year: int
    copy: str
    book: str
    counts: dict[str, int]
    disagreeing_fields: int

    @property
    def only_here(self) -> int:
        return self.counts.get(CopyMatch.FIRST_ONLY.value, 0) + self.counts.get(CopyMatch.SECOND_ONLY.value, 0)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _needed_keys(act_type: str) -> list[str]:
    keys = {"registration_date", EVENT_DATE.get(act_type, "registration_date")}
    keys |= {f"{role}_{suffix}" for role in PRINCIPALS.get(act_type, ()) for suffix in _NAME_SUFFIXES}
    return sorted(keys)


def _block_records(
    session: Session, office: str, act_type: str, year: int
) -> tuple[list[CopyRecord], list[CopyRecord], dict[str, tuple[str | None, CopyMatch | None]]]:
    in_block = and_(
        Record.office == office,
        Record.act_type == act_type,
        Record.act_year == year,
        Record.status != RecordStatus.REJECTED,
    )
    current: dict[str, tuple[str | None, CopyMatch | None]] = {}
    copies: dict[str, CopyKind] = {}
    numbers: dict[str, str | None] = {}
    for rid, copy, number, paired, match in session.execute(
        select(Record.id, Record.copy, Record.act_number, Record.paired_record_id, Record.copy_match).where(in_block)
    ):
        current[rid], copies[rid], numbers[rid] = (paired, match), copy, number
    values: dict[str, dict[str, str | None]] = defaultdict(dict)
    for rid, key, value in session.execute(
        select(Field.record_id, Field.key, Field.value)
        .join(Record, Record.id == Field.record_id)
        .where(in_block, Field.key.in_(_needed_keys(act_type)))
    ):
        values[rid][key] = value
    event_key = EVENT_DATE.get(act_type, "registration_date")
    firsts: list[CopyRecord] = []
    seconds: list[CopyRecord] = []
    for rid in sorted(current, key=lambda r: (parse_act_number(numbers[r]) or 0, r)):
        v = values.get(rid, {})
        entry = CopyRecord(
            record_id=rid,
            act_number=parse_act_number(numbers[rid]),
            registration_date=_date(v.get("registration_date")),
            event_date=_date(v.get(event_key)),
            names=principal_names(v, act_type, fold),
        )
        (firsts if copies[rid] == CopyKind.FIRST else seconds).append(entry)
    return firsts, seconds, current


def _raise_agreeing(session: Session, first_ids: Sequence[str], never: Sequence[str]) -> None:
    """Fields whose value both copies read alike: confidence 1 - (1 - a)(1 - b), the chance that two
    independent readings are both wrong. The first copy's fields take it from the second's, then the second's
    copy it back, so both end with the same value. UPDATE ... FROM joins each field to its counterpart
    directly (a correlated subquery made PostgreSQL hash the whole fields table for every chunk)."""
    other = aliased(Field)
    first_side = update(Field).where(
        Field.record_id.in_(first_ids),
        Field.key.not_in(never),
        Record.id == Field.record_id,
        other.record_id == Record.paired_record_id,
        other.key == Field.key,
        other.value == Field.value,
    )
    session.execute(
        first_side.values(confidence=1 - (1 - Field.confidence) * (1 - other.confidence)).execution_options(
            synchronize_session=False
        )
    )
    second_side = update(Field).where(
        Record.id.in_(first_ids),
        Field.record_id == Record.paired_record_id,
        Field.key.not_in(never),
        other.record_id == Record.id,
        other.key == Field.key,
        other.value == Field.value,
    )
    session.execute(second_side.values(confidence=other.confidence).execution_options(synchronize_session=False))


def _disagreements(
    session: Session, first_ids: Sequence[str], never: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """(record id -> fields to flag) on both sides, for values that differ even once folded."""
    other = aliased(Field)
    rows = session.execute(
        select(Field.record_id, other.record_id, Field.key, Field.value, other.value)
        .join(Record, Record.id == Field.record_id)
        .join(other, and_(other.record_id == Record.paired_record_id, other.key == Field.key))
        .where(
            # both sides named, so the planner reaches the records by their key rather than hashing them all
            Record.id.in_(first_ids),
            Field.record_id.in_(first_ids),
            Field.key.not_in(never),
            func.coalesce(Field.value, "") != func.coalesce(other.value, ""),
        )
    ).all()
    flags: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for first_id, second_id, key, first_value, second_value in rows:
        if disagreeing_fields({key: first_value}, {key: second_value}, fold, never):
            flags[first_id].append((key, COPY_DISAGREEMENT))
            flags[second_id].append((key, COPY_DISAGREEMENT))
    return flags


def reconcile(session: Session, settings: ReconcileSettings, *, office: str | None = None) -> ReconcileResult:
    """Pairs the copies of every block (office, act type, year) and stores each record's outcome and other
    copy. Fields are compared once, when a pair is first made; running it again changes nothing."""
    result = ReconcileResult()
    blocks = (
        select(Record.office, Record.act_type, Record.act_year)
        .distinct()
        .order_by(Record.office, Record.act_type, Record.act_year)
    )
    if office is not None:
        blocks = blocks.where(Record.office == office)
    never = list(settings.never_compared)
    for b_office, b_type, b_year in session.execute(blocks).all():
        firsts, seconds, current = _block_records(session, b_office, b_type, b_year)
        pairings = match_copies(firsts, seconds, event_date_days=settings.event_date_days)
        changes = []
        new_pairs: list[str] = []
        conflicts: dict[str, list[tuple[str, str]]] = {}
        for pairing in pairings:
            result.pairings[pairing.kind.value] += 1
            for rid, partner in ((pairing.first_id, pairing.second_id), (pairing.second_id, pairing.first_id)):
                if rid is not None and current[rid] != (partner, pairing.kind):
                    changes.append({"id": rid, "paired_record_id": partner, "copy_match": pairing.kind})
            first_id, second_id = pairing.first_id, pairing.second_id
            if first_id is None or second_id is None or current[first_id][0] == second_id:
                continue
            if pairing.kind == CopyMatch.KEY_CONFLICT:
                conflicts[first_id] = conflicts[second_id] = [("act_number", COPY_KEY_CONFLICT)]
            else:
                new_pairs.append(first_id)
        if changes:
            session.execute(update(Record), changes)
        result.fields_flagged += flag_fields(session, conflicts)
        for start in range(0, len(new_pairs), CHUNK):
            chunk = new_pairs[start : start + CHUNK]
            _raise_agreeing(session, chunk, never)
            result.fields_flagged += flag_fields(session, _disagreements(session, chunk, never))
        result.compared_pairs += len(new_pairs)
    session.flush()
    return result


def copies_by_book(session: Session, *, office: str | None = None) -> list[BookCopies]:
    """Per book: how many records matched, were fuzzy matched, conflict, or exist in this copy only, and how
    many of its fields disagree with the other copy (two grouped queries)."""
    query = (
        select(Book.id, Book.office, Book.act_type, Book.year, Book.copy, Book.label, Record.copy_match, func.count())
        .join(Record, Record.book_id == Book.id)
        .where(Record.status != RecordStatus.REJECTED)
        .group_by(Book.id, Book.office, Book.act_type, Book.year, Book.copy, Book.label, Record.copy_match)
        .order_by(Book.office, Book.act_type, Book.year, Book.copy, Book.label)
    )
    disagreeing = (
        select(Record.book_id, func.count())
        .join(Field, Field.record_id == Record.id)
        .where(cast(Field.reasons, String).like(f'%"{COPY_DISAGREEMENT}"%'))
        .group_by(Record.book_id)
    )
    if office is not None:
        query = query.where(Book.office == office)
        disagreeing = disagreeing.where(Record.office == office)
    disagree: dict[int, int] = {book_id: count for book_id, count in session.execute(disagreeing)}
    books: dict[int, BookCopies] = {}
    for book_id, b_office, b_type, b_year, b_copy, label, match, count in session.execute(query):
        entry = books.get(book_id)
        if entry is None:
            disagreeing_here = disagree.get(book_id, 0)
            entry = books[book_id] = BookCopies(b_office, b_type, b_year, b_copy.value, label, {}, disagreeing_here)
        entry.counts[match.value if match is not None else "not_reconciled"] = count
    return list(books.values())
