"""Book checks on act numbers: a book's records in page order run 1, 2, 3 ... in registration-date order; gaps,
repeats and numbers out of date order are found per sequence, and a new sequence at 1 is a new registering
body (a village soviet or jamoat bound after the district's own records), not an error; records naming
another registering body are a sequence of their own. Pure.

A gap alone is a finding about the book (pages not scanned, or acts never written) for its manager, not about
any record: its records' fields are flagged only when page order points at a misread number, a record whose
neighbours in the book are numbered n - 1 and n + 1 while it carries another number and n is missing."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pipeline.qa.rules import SequenceSettings

ACT_NUMBER_GAP = "act_number_gap"
ACT_NUMBER_REPEAT = "act_number_repeat"
DUPLICATE_SCAN = "duplicate_scan"
ACT_NUMBER_OUT_OF_ORDER = "act_number_out_of_order"


@dataclass(frozen=True)
class BookEntry:
    """One record of a book, in the order the pages were scanned."""

    record_id: str
    act_number: int | None
    registration_date: date | None
    fingerprint: str = ""  # the record's values in short: two scans of one page give the same
    # the registering body written on the record (its office): each body numbers its own acts from 1, so a
    # volume holding several bodies' records has a sequence for each (a book's year is one: no split by year,
    # a record dated in another year stays in its body's sequence and is checked against its date order)
    body: str = ""


@dataclass(frozen=True)
class Gap:
    first_missing: int
    last_missing: int
    next_record_ids: tuple[str, ...]  # the records numbered just after the gap
    # records standing in page order where a missing number belongs: their own number is likely misread
    misread_ids: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return self.last_missing - self.first_missing + 1


@dataclass(frozen=True)
class Repeat:
    number: int
    record_ids: tuple[str, ...]
    identical: bool  # every copy has the same values: the page was scanned twice


@dataclass(frozen=True)
class OutOfOrder:
    record_id: str
    number: int
    registration_date: date


@dataclass(frozen=True)
class SequenceReport:
    index: int  # 1 for the book's first sequence, 2 for the one that starts again at 1 ...
    records: int
    expected: int  # the highest number: a sequence from 1 should hold that many acts
    found: int  # distinct numbers found
    gaps: tuple[Gap, ...]
    repeats: tuple[Repeat, ...]
    out_of_order: tuple[OutOfOrder, ...]

    @property
    def missing(self) -> int:
        return sum(g.size for g in self.gaps)


@dataclass(frozen=True)
class BookReport:
    sequences: tuple[SequenceReport, ...]
    unnumbered: tuple[str, ...]  # records without a readable act number

    @property
    def expected(self) -> int:
        return sum(s.expected for s in self.sequences)

    @property
    def found(self) -> int:
        return sum(s.found for s in self.sequences)

    @property
    def missing(self) -> int:
        """Act numbers not found in any sequence: for the book's manager to account for."""
        return sum(s.missing for s in self.sequences)

    @property
    def clean(self) -> bool:
        return not any(s.gaps or s.repeats or s.out_of_order for s in self.sequences)


def split_sequences(entries: Sequence[BookEntry]) -> list[list[BookEntry]]:
    """Numbered entries cut where a number 1 follows other numbers. A 1 right after a sequence of 1s alone is
    a repeat of the first act (the first page scanned twice), not a new body."""
    sequences: list[list[BookEntry]] = []
    for entry in entries:
        if entry.act_number is None:
            continue
        current = sequences[-1] if sequences else None
        only_ones = current is not None and all(e.act_number == 1 for e in current)
        if current is None or (entry.act_number == 1 and not only_ones):
            sequences.append([entry])
        else:
            current.append(entry)
    return sequences


def _misread_in_place(entries: Sequence[BookEntry], by_number: Mapping[int, list[BookEntry]]) -> dict[int, list[str]]:
    """Missing number -> records found in its place: between records numbered one below and one above it."""
    numbered = [(e.record_id, e.act_number) for e in entries if e.act_number is not None]
    found: dict[int, list[str]] = defaultdict(list)
    for (_, before), (record_id, number), (_, after) in zip(numbered, numbered[1:], numbered[2:], strict=False):
        expected = before + 1
        if after == expected + 1 and number != expected and expected not in by_number:
            found[expected].append(record_id)
    return found


def _gaps(entries: Sequence[BookEntry], by_number: Mapping[int, list[BookEntry]]) -> list[Gap]:
    in_place = _misread_in_place(entries, by_number)
    gaps = []
    previous = 0
    for number in sorted(by_number):
        if number > previous + 1:
            suspects = tuple(rid for n in range(previous + 1, number) for rid in in_place.get(n, ()))
            gaps.append(Gap(previous + 1, number - 1, tuple(e.record_id for e in by_number[number]), suspects))
        previous = number
    return gaps


def _out_of_date_order(entries: Sequence[BookEntry]) -> list[OutOfOrder]:
    """Entries outside the longest run whose registration dates never decrease as the numbers rise."""
    dated = sorted(
        (e.act_number, i, e.record_id, e.registration_date)
        for i, e in enumerate(entries)
        if e.act_number is not None and e.registration_date is not None
    )
    # longest non-decreasing subsequence of the dates (patience sorting, with back links to rebuild it)
    tails: list[date] = []
    tail_at: list[int] = []
    back: list[int] = [-1] * len(dated)
    for k, (_number, _i, _id, day) in enumerate(dated):
        pos = bisect_right(tails, day)
        if pos == len(tails):
            tails.append(day)
            tail_at.append(k)
        else:
            tails[pos] = day
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    kept: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        kept.add(k)
        k = back[k]
    return [OutOfOrder(record_id, number, day) for k, (number, _i, record_id, day) in enumerate(dated) if k not in kept]


def check_sequence(entries: Sequence[BookEntry], index: int = 1) -> SequenceReport:
    by_number: dict[int, list[BookEntry]] = defaultdict(list)
    for entry in entries:
        if entry.act_number is not None:
            by_number[entry.act_number].append(entry)
    repeats = [
        Repeat(number, tuple(e.record_id for e in same), identical=len({e.fingerprint for e in same}) == 1)
        for number, same in sorted(by_number.items())
        if len(same) > 1
    ]
    return SequenceReport(
        index=index,
        records=len(entries),
        expected=max(by_number, default=0),
        found=len(by_number),
        gaps=tuple(_gaps(entries, by_number)),
        repeats=tuple(repeats),
        out_of_order=tuple(_out_of_date_order(entries)),
    )


def check_book(entries: Sequence[BookEntry]) -> BookReport:
    """Every sequence of a book (entries in page order) checked: per registering body, and within one, a new
    sequence where the numbers start again at 1 (a body whose records do not name it apart)."""
    bodies: dict[str, list[BookEntry]] = defaultdict(list)
    for entry in entries:
        bodies[entry.body].append(entry)
    sequences = [sequence for same in bodies.values() for sequence in split_sequences(same)]
    return BookReport(
        sequences=tuple(check_sequence(s, i) for i, s in enumerate(sequences, start=1)),
        unnumbered=tuple(e.record_id for e in entries if e.act_number is None),
    )


def book_flags(report: BookReport, settings: SequenceSettings) -> dict[str, list[tuple[str, str]]]:
    """Record id -> (field key, reason) to flag: a number that page order says fills a gap (misread), every
    number repeated, and the number and registration date of a record out of date order. A gap with no such
    record flags nothing: it is in the book's report."""
    flags: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sequence in report.sequences:
        if settings.flag_gaps:
            for gap in sequence.gaps:
                for record_id in gap.misread_ids:
                    flags[record_id].append(("act_number", ACT_NUMBER_GAP))
        if settings.flag_repeats:
            for repeat in sequence.repeats:
                reason = DUPLICATE_SCAN if repeat.identical else ACT_NUMBER_REPEAT
                for record_id in repeat.record_ids:
                    flags[record_id].append(("act_number", reason))
        if settings.flag_out_of_order:
            for late in sequence.out_of_order:
                flags[late.record_id].append(("act_number", ACT_NUMBER_OUT_OF_ORDER))
                flags[late.record_id].append(("registration_date", ACT_NUMBER_OUT_OF_ORDER))
    return dict(flags)


def parse_act_number(value: str | None) -> int | None:
    """The act number as an integer (the parser stores digits only), None when it is blank or not a number."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value)
