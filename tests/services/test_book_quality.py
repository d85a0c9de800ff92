"""Book checks, copy reconciliation and audit sampling on stored records, on both databases."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from database.session import session_scope, workflow_sessions
from database.workflow import CopyKind, Field, Record
from pipeline.config import Settings
from pipeline.qa.rules import default_rules
from pipeline.types import FieldState, RecordStatus
from services.audit_sampling import audit_report, draw_audit
from services.book_checks import check_books
from services.reconcile import copies_by_book, reconcile
from tests.qa_books import Planted, make_book_records, run_of

RULES = default_rules()


def _fields(settings: Settings, record_id: str) -> dict[str, Field]:
    with session_scope(workflow_sessions(settings)) as session:
        return {f.key: f for f in session.scalars(select(Field).where(Field.record_id == record_id))}


def _record(settings: Settings, record_id: str) -> Record:
    with session_scope(workflow_sessions(settings)) as session:
        return session.get_one(Record, record_id)


def test_book_checks_report_and_flag_gaps_repeats_disorder_and_accept_a_restart(settings: Settings) -> None:
    day = date(2015, 2, 1)
    planted = [
        *run_of([1, 2, 3, 5]),  # 4 is missing
        Planted(5, date(2015, 1, 9), seed=55),  # 5 again, another child: a misread number
        Planted(6, date(2015, 1, 10)),
        Planted(6, date(2015, 1, 10)),  # the same page scanned twice
        Planted(7, date(2014, 12, 1)),  # dated before the records numbered below it
        Planted(8, date(2015, 1, 12)),
        *run_of([1, 2], start=day),  # a village soviet's own numbers
    ]
    with session_scope(workflow_sessions(settings)) as session:
        _book, records = make_book_records(session, planted)
        ids = [r.id for r in records]
    with session_scope(workflow_sessions(settings)) as session:
        (check,) = check_books(session, RULES.sequence, office="KHJ", flag=True)
    first, second = check.report.sequences
    assert [(g.first_missing, g.last_missing) for g in first.gaps] == [(4, 4)]
    assert [(r.number, r.identical) for r in first.repeats] == [(5, False), (6, True)]
    assert [o.number for o in first.out_of_order] == [7]
    assert (first.expected, first.found, second.expected, second.found) == (8, 7, 2, 2)
    assert (check.report.expected, check.report.found) == (10, 9)
    assert check.to_dict()["sequences"][0]["gaps"] == [[4, 4]]  # type: ignore[index]
    assert check.to_dict()["missing"] == 1
    # the first 5 stands between 3 and the other 5, where the missing 4 belongs: the gap flags it as misread
    assert _fields(settings, ids[3])["act_number"].reasons == ["act_number_gap", "act_number_repeat"]
    assert _fields(settings, ids[6])["act_number"].reasons == ["duplicate_scan"]
    late = _fields(settings, ids[7])
    assert late["registration_date"].state == FieldState.FLAGGED
    assert late["registration_date"].reasons == ["act_number_out_of_order"]
    assert _record(settings, ids[7]).status == RecordStatus.NEEDS_REVIEW
    assert _record(settings, ids[1]).status == RecordStatus.AUTO_VERIFIED
    assert _record(settings, ids[9]).status == RecordStatus.AUTO_VERIFIED  # the restart at 1 is no error
    with session_scope(workflow_sessions(settings)) as session:
        (again,) = check_books(session, RULES.sequence, book=check.labels[0], flag=True)
    assert again.flagged == 0  # nothing new to flag


def test_records_naming_another_registering_body_are_their_own_sequence(settings: Settings) -> None:
    """A jamoat's acts bound among the district's: each numbers from 1 in its own date order, no error."""
    jamoat = {"office": "Ҷамоати деҳоти   Ғафуров"}
    planted = [
        Planted(1, date(2015, 1, 5)),
        Planted(2, date(2015, 1, 9)),
        Planted(1, date(2015, 1, 2), changes=jamoat),
        Planted(3, date(2015, 1, 12)),
        Planted(2, date(2015, 1, 3), changes={"office": "ҷамоати деҳоти Ғафуров"}),  # spelt in another case
        Planted(4, date(2015, 1, 20)),
    ]
    with session_scope(workflow_sessions(settings)) as session:
        make_book_records(session, planted)
    with session_scope(workflow_sessions(settings)) as session:
        (check,) = check_books(session, RULES.sequence, office="KHJ", flag=True)
    assert check.report.clean and check.flagged == 0
    assert sorted((s.expected, s.found) for s in check.report.sequences) == [(2, 2), (4, 4)]


def test_a_record_of_another_act_type_in_the_book_is_numbered_in_its_own_sequence(settings: Settings) -> None:
    """A death page filed among births: deaths are numbered apart, so its number and date break no order."""
    planted = [*run_of([1, 2, 3, 4]), Planted(2, date(2015, 1, 1))]
    with session_scope(workflow_sessions(settings)) as session:
        _book, records = make_book_records(session, planted)
        records[-1].act_type = "death"
        death_id = records[-1].id
    with session_scope(workflow_sessions(settings)) as session:
        (check,) = check_books(session, RULES.sequence, office="KHJ", flag=True)
    assert check.flagged == 0
    assert not any(s.repeats or s.out_of_order for s in check.report.sequences)
    # the deaths' sequence lacks its act 1: a finding about the book, not about the record
    assert sorted((s.expected, s.found) for s in check.report.sequences) == [(2, 1), (4, 4)]
    assert _record(settings, death_id).status == RecordStatus.AUTO_VERIFIED


def _two_copies(settings: Settings) -> tuple[list[str], list[str]]:
    """Acts 1-6 in the first copy; in the second: 1 alike (marks aside), 2 with another birth date, no 3,
    4 another act under the same number, 5 with its number unreadable, 6 in Russian spelling, and 7."""
    firsts = run_of([1, 2, 3, 4, 5, 6])
    firsts[5] = Planted(
        6, firsts[5].registered, {"child_surname": "Ҳасанов", "child_name": "Алишер", "child_sex": "male"}
    )
    seconds = [
        Planted(1, firsts[0].registered, {"marks": "Повторное свидетельство выдано 01.02.2016"}),
        Planted(2, firsts[1].registered, {"child_birth_date": "2015-01-02"}),
        Planted(4, date(2015, 3, 30), seed=47),
        Planted(None, firsts[4].registered, seed=5),
        Planted(6, firsts[5].registered, {"child_surname": "Хасанов", "child_name": "Алишер", "child_sex": "male"}),
        Planted(7, date(2015, 4, 20)),
    ]
    with session_scope(workflow_sessions(settings)) as session:
        _b, first = make_book_records(session, firsts)
        _b, second = make_book_records(session, seconds, copy=CopyKind.SECOND)
        return [r.id for r in first], [r.id for r in second]


def test_reconcile_matches_confirms_flags_and_reports_copies_alone(settings: Settings) -> None:
    first, second = _two_copies(settings)
    with session_scope(workflow_sessions(settings)) as session:
        result = reconcile(session, RULES.reconcile)
    assert result.pairings == {
        "matched": 3,
        "fuzzy_matched": 1,
        "key_conflict": 1,
        "first_only": 1,
        "second_only": 1,
    }
    # 1: every value agrees: both readings' confidence combined; marks differ and are never compared
    one = _fields(settings, first[0])
    assert one["child_name"].confidence > 0.999 and _fields(settings, second[0])["child_name"].confidence > 0.999
    assert one["marks"].confidence == 0.97 and one["marks"].state == FieldState.AUTO
    assert _record(settings, first[0]).status == RecordStatus.AUTO_VERIFIED
    # 2: the birth dates disagree: flagged on both copies, each pointing to the other
    for mine, other in ((first[1], second[1]), (second[1], first[1])):
        record = _record(settings, mine)
        assert (record.paired_record_id, record.copy_match, record.status) == (
            other,
            "matched",
            RecordStatus.NEEDS_REVIEW,
        )
        birth = _fields(settings, mine)["child_birth_date"]
        assert (birth.state, birth.reasons) == (FieldState.FLAGGED, ["copy_disagreement"])
    # 3 in the first copy only, 7 in the second only
    assert _record(settings, first[2]).copy_match == "first_only"
    assert _record(settings, second[5]).copy_match == "second_only"
    # 4: same number, another date and child: a misread number on one side
    assert _record(settings, first[3]).copy_match == "key_conflict"
    assert _fields(settings, second[2])["act_number"].reasons == ["copy_key_conflict"]
    # 5: no number on the second copy, found by date and name; the number is what they disagree on
    assert (_record(settings, first[4]).copy_match, _record(settings, first[4]).paired_record_id) == (
        "fuzzy_matched",
        second[3],
    )
    assert _fields(settings, second[3])["act_number"].reasons == ["copy_disagreement"]
    # 6: Ҳасанов and Хасанов are one spelling apart, not a disagreement
    assert _record(settings, first[5]).status == RecordStatus.AUTO_VERIFIED
    with session_scope(workflow_sessions(settings)) as session:
        rerun = reconcile(session, RULES.reconcile)
        books = {b.copy: b for b in copies_by_book(session, office="KHJ")}
    assert (rerun.compared_pairs, rerun.fields_flagged) == (0, 0)
    assert _fields(settings, first[0])["child_name"].confidence == one["child_name"].confidence
    assert books["first"].counts == {"matched": 3, "fuzzy_matched": 1, "key_conflict": 1, "first_only": 1}
    assert (books["first"].only_here, books["second"].only_here) == (1, 1)
    assert (books["first"].disagreeing_fields, books["second"].disagreeing_fields) == (2, 2)


def test_audit_draws_the_share_measures_corrections_and_raises_the_share(settings: Settings) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        book, records = make_book_records(session, run_of(range(1, 101)))
        book_id = book.id
    with session_scope(workflow_sessions(settings)) as session:
        draw = draw_audit(session, RULES.audit, book_ids=[book_id])
        assert (draw.drawn, draw.by_book) == (3, {book_id: 3})
        assert draw_audit(session, RULES.audit, book_ids=[book_id]).drawn == 0  # reproducible: quota met
        audited = list(session.scalars(select(Record).where(Record.audit_reason.is_not(None))))
        assert {(r.status, r.audit_reason) for r in audited} == {(RecordStatus.NEEDS_REVIEW, "audit_sample")}
        fields = [f for r in audited for f in r.fields]
        assert {f.state for f in fields} == {FieldState.AUTO} and all(f.reasons == ["audit_sample"] for f in fields)
        # reviewers verify the three: one field was wrong
        for record in audited:
            record.status = RecordStatus.VERIFIED
        audited[0].fields[4].state = FieldState.CORRECTED
        audited[1].fields[5].state = FieldState.CONFIRMED
    with session_scope(workflow_sessions(settings)) as session:
        rows = audit_report(session, RULES.audit, office="KHJ")
    office, form = rows
    assert (office.form_id, form.form_id) == (None, "birth_tj_2010")
    assert (office.audited_records, office.fields, office.errors) == (3, 78, 1)
    assert office.low < office.rate < office.high and office.rate == 1 / 78
    assert office.share == 0.06  # the upper bound is far above 0.5 %: twice the base share
    with session_scope(workflow_sessions(settings)) as session:
        other, _records = make_book_records(session, run_of(range(1, 101)), year=2016)
        other_id = other.id
    with session_scope(workflow_sessions(settings)) as session:
        assert draw_audit(session, RULES.audit, book_ids=[other_id]).drawn == 6


def test_quality_commands_print_json(settings: Settings) -> None:
    _two_copies(settings)
    runner = CliRunner()
    checked = runner.invoke(app, ["check-book", "--office", "KHJ", "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert {b["copy"] for b in json.loads(checked.output)} == {"first", "second"}
    matched = runner.invoke(app, ["reconcile", "--format", "json"])
    assert matched.exit_code == 0, matched.output
    assert json.loads(matched.output)["pairings"]["key_conflict"] == 1
    audited = runner.invoke(app, ["audit", "--draw", "--format", "json"])
    assert audited.exit_code == 0, audited.output
    assert json.loads(audited.output)["drawn"] >= 1
    for command in (["check-book"], ["reconcile"], ["audit"]):
        assert runner.invoke(app, command).exit_code == 0
