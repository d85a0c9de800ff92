"""Book checks on act numbers: gaps, repeats (double scans told apart), numbers out of date order, restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from pipeline.qa.rules import SequenceSettings
from pipeline.qa.sequence import BookEntry, book_flags, check_book, parse_act_number

DAY = date(2015, 1, 5)


def entries(numbers: list[int | None], *, days: list[int] | None = None) -> list[BookEntry]:
    """Entries in page order, registered a day apart (or on the days given), each with its own content."""
    days = days if days is not None else list(range(len(numbers)))
    return [
        BookEntry(f"r{i}", n, DAY + timedelta(days=d), fingerprint=f"content {i}")
        for i, (n, d) in enumerate(zip(numbers, days, strict=True))
    ]


def test_a_clean_run_expects_what_it_finds() -> None:
    report = check_book(entries([1, 2, 3, 4, 5]))
    assert report.clean and (report.expected, report.found) == (5, 5)
    assert book_flags(report, SequenceSettings()) == {}


def test_a_gap_alone_is_reported_for_the_book_and_flags_no_field() -> None:
    """Pages 4 and 5 were not scanned (or never written): nothing about record 6 is in doubt."""
    report = check_book(entries([1, 2, 3, 6, 7]))
    (sequence,) = report.sequences
    assert [(g.first_missing, g.last_missing) for g in sequence.gaps] == [(4, 5)]
    assert (sequence.expected, sequence.found, sequence.missing, report.missing) == (7, 5, 2, 2)
    assert not report.clean
    assert book_flags(report, SequenceSettings()) == {}


def test_a_number_standing_where_a_missing_one_belongs_is_flagged_as_misread() -> None:
    """4 is missing and the record between 3 and 5 says 9: its number was misread (9 for 4)."""
    report = check_book(entries([1, 2, 3, 9, 5, 6], days=[0, 1, 2, 3, 3, 4]))
    (sequence,) = report.sequences
    assert [(g.first_missing, g.last_missing) for g in sequence.gaps] == [(4, 4), (7, 8)]
    assert sequence.gaps[0].misread_ids == ("r3",) and sequence.gaps[1].misread_ids == ()
    assert book_flags(report, SequenceSettings())["r3"][0] == ("act_number", "act_number_gap")
    assert "r4" not in book_flags(report, SequenceSettings())  # 5 after the gap is where it belongs


def test_a_book_that_starts_late_misses_its_first_numbers() -> None:
    (sequence,) = check_book(entries([3, 4, 5])).sequences
    assert [(g.first_missing, g.last_missing) for g in sequence.gaps] == [(1, 2)]


def test_a_repeat_is_flagged_and_an_identical_one_is_a_double_scan() -> None:
    misread = check_book(entries([1, 2, 2, 4]))
    (repeat,) = misread.sequences[0].repeats
    assert (repeat.number, repeat.record_ids, repeat.identical) == (2, ("r1", "r2"), False)
    assert book_flags(misread, SequenceSettings())["r1"] == [("act_number", "act_number_repeat")]
    twice = [*entries([1, 2, 3]), BookEntry("again", 3, DAY + timedelta(days=2), fingerprint="content 2")]
    report = check_book(twice)
    assert report.sequences[0].repeats[0].identical
    assert book_flags(report, SequenceSettings())["again"] == [("act_number", "duplicate_scan")]


def test_a_number_out_of_registration_date_order_is_flagged_with_its_date() -> None:
    # number 3 is dated after 4 and 5: its number (or date) was misread
    report = check_book(entries([1, 2, 3, 4, 5], days=[0, 1, 9, 3, 4]))
    (late,) = report.sequences[0].out_of_order
    assert (late.record_id, late.number) == ("r2", 3)
    assert book_flags(report, SequenceSettings())["r2"] == [
        ("act_number", "act_number_out_of_order"),
        ("registration_date", "act_number_out_of_order"),
    ]
    same_day = check_book(entries([1, 2, 3], days=[0, 0, 0]))
    assert same_day.clean


def test_a_restart_at_one_is_a_new_sequence_not_an_error() -> None:
    report = check_book(entries([1, 2, 3, 1, 2, 4], days=[0, 1, 2, 0, 1, 3]))
    assert [(s.index, s.expected, s.found) for s in report.sequences] == [(1, 3, 3), (2, 4, 3)]
    assert not report.sequences[0].gaps and not report.sequences[0].repeats
    assert [(g.first_missing, g.last_missing) for g in report.sequences[1].gaps] == [(3, 3)]
    assert (report.expected, report.found) == (7, 6)


def test_the_first_page_scanned_twice_is_a_repeat_not_a_restart() -> None:
    report = check_book(entries([1, 1, 2, 3]))
    assert len(report.sequences) == 1 and report.sequences[0].repeats[0].number == 1


def test_unreadable_numbers_are_counted_apart_and_settings_turn_flags_off() -> None:
    report = check_book(entries([1, None, 3]))
    assert report.unnumbered == ("r1",)
    assert book_flags(report, SequenceSettings(flag_gaps=False)) == {}
    assert parse_act_number("0214") == 214 and parse_act_number("21a") is None and parse_act_number(None) is None


def test_each_registering_body_named_on_the_records_is_a_sequence_of_its_own() -> None:
    """A jamoat's acts bound among the district's (page order: d1 j1 d2 j2 d3)."""
    numbers, days = [1, 1, 2, 2, 3], [0, 1, 5, 6, 9]
    bodies = ["district", "jamoat", "district", "jamoat", "district"]
    unnamed = entries(numbers, days=days)
    assert not check_book(unnamed).clean  # taken as one body: 2 repeated
    named = [replace(e, body=b) for e, b in zip(unnamed, bodies, strict=True)]
    report = check_book(named)
    assert report.clean and [(s.expected, s.found) for s in report.sequences] == [(3, 3), (2, 2)]
    assert book_flags(report, SequenceSettings()) == {}
