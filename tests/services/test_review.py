"""The review queue and saves on both databases: atomic claims, leases, office scoping, validation, audit, loading."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from database.accounts import AuditEvent, Role
from database.registry import ActRecord
from database.session import session_scope, workflow_sessions
from database.workflow import Field, Record, utcnow
from pipeline.config import Settings
from pipeline.errors import NotFound
from pipeline.ocr.lexicon import load_lexicon
from pipeline.types import FieldState, RecordStatus
from services import review
from services.users import Viewer
from tests.factories import make_book, make_record

VALUES = {
    "act_number": "214",
    "registration_date": "2015-03-20",
    "office": "САҲШ-и ш. Хуҷанд",
    "child_surname": "Раҳимова",
    "child_name": "Мадина",
    "child_sex": "female",
    "child_birth_date": "2015-03-12",
    "child_birth_place": "ш. Хуҷанд",
    "mother_surname": "Каримова",
    "mother_name": "Зарина",
}
ANNA = Viewer("anna", Role.REVIEWER, frozenset({"KHJ"}))
BOBUR = Viewer("bobur", Role.REVIEWER, frozenset({"KHJ"}))
SINO = Viewer("sino", Role.REVIEWER, frozenset({"SNO"}))
MANAGER = Viewer("mira", Role.MANAGER, frozenset({"KHJ"}))


def _records(settings: Settings, specs: list[tuple[str, tuple[str, ...], int]]) -> list[str]:
    """Records of needs_review, each (office, flagged keys, page number) in its own book per office."""
    ids = []
    with session_scope(workflow_sessions(settings)) as session:
        books = {}
        for office, flagged, page_number in specs:
            book = books.get(office) or make_book(session, office=office)
            books[office] = book
            record = make_record(
                session,
                book,
                VALUES,
                status=RecordStatus.NEEDS_REVIEW,
                flagged=flagged,
                file_name=f"{office}/p{page_number:04d}.png",
                page_number=page_number,
            )
            ids.append(record.id)
    return ids


def _claim(settings: Settings, viewer: Viewer, **kwargs: object) -> str | None:
    with session_scope(workflow_sessions(settings)) as session:
        return review.claim_next(session, viewer, **kwargs)  # type: ignore[arg-type]


def test_queue_gives_flagged_required_fields_first_then_book_order_within_the_offices(settings: Settings) -> None:
    optional_first, required_later, other_office = _records(
        settings, [("KHJ", ("marks",), 1), ("KHJ", ("child_birth_date",), 2), ("SNO", ("act_number",), 1)]
    )
    assert _claim(settings, ANNA) == required_later
    assert _claim(settings, ANNA) == required_later  # the lease she holds, not a second record
    assert _claim(settings, BOBUR) == optional_first
    assert _claim(settings, Viewer("carl", Role.REVIEWER, frozenset({"KHJ"}))) is None
    assert _claim(settings, SINO) == other_office
    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, required_later)
        assert (record.status, record.lease_owner) == (RecordStatus.IN_REVIEW, "anna")
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == required_later)).all() == [
            "claimed",
            "claimed",
        ]


def test_two_reviewers_claiming_at_once_get_different_records(settings: Settings) -> None:
    _records(settings, [("KHJ", ("child_name",), n) for n in range(1, 4)])
    viewers = [Viewer(f"r{i}", Role.REVIEWER, frozenset({"KHJ"})) for i in range(4)]
    barrier = threading.Barrier(len(viewers))
    got: dict[str, str | None] = {}

    def claim(viewer: Viewer) -> None:
        barrier.wait()
        got[viewer.username] = _claim(settings, viewer)

    threads = [threading.Thread(target=claim, args=(v,)) for v in viewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = [r for r in got.values() if r is not None]
    assert len(got) == 4
    assert len(claimed) == 3 == len(set(claimed))


def test_an_expired_lease_returns_the_record_and_the_first_reviewer_can_no_longer_save(settings: Settings) -> None:
    (record_id,) = _records(settings, [("KHJ", ("child_name",), 1)])
    start = utcnow() - timedelta(minutes=20)
    assert _claim(settings, ANNA, now=start) == record_id
    assert _claim(settings, BOBUR, now=start + timedelta(minutes=5)) is None
    with session_scope(workflow_sessions(settings)) as session:
        version_seen_by_anna = session.get_one(Record, record_id).version
    assert _claim(settings, BOBUR) == record_id  # 20 minutes later: the 15-minute lease has run out
    lexicon = load_lexicon(settings.schemas_dir)
    with session_scope(workflow_sessions(settings)) as session, pytest.raises(review.ReviewConflict):
        review.save_review(
            session,
            None,
            ANNA,
            record_id,
            version_seen_by_anna,
            {"child_name": review.FieldInput("Мадина", "confirm")},
            lexicon,
        )
    with session_scope(workflow_sessions(settings)) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == record_id)).all()
    assert actions == ["claimed", "lease_expired", "claimed"]


def test_a_lease_is_renewed_only_by_its_holder_while_it_lasts(settings: Settings) -> None:
    (record_id,) = _records(settings, [("KHJ", ("child_name",), 1)])
    start = utcnow()
    assert _claim(settings, ANNA, now=start) == record_id
    with session_scope(workflow_sessions(settings)) as session:
        renewed = review.renew_lease(session, ANNA, record_id, now=start + timedelta(minutes=10))
        assert renewed == start + timedelta(minutes=25)
        assert review.renew_lease(session, BOBUR, record_id, now=start + timedelta(minutes=10)) is None
        assert review.renew_lease(session, ANNA, record_id, now=start + timedelta(minutes=26)) is None
    assert _claim(settings, BOBUR, now=start + timedelta(minutes=20)) is None  # still anna's after renewal


def test_offices_and_roles_are_enforced(settings: Settings) -> None:
    (record_id,) = _records(settings, [("KHJ", ("child_name",), 1)])
    with session_scope(workflow_sessions(settings)) as session:
        with pytest.raises(NotFound):
            review.visible_record(session, SINO, record_id)
        with pytest.raises(NotFound):
            review.claim_record(session, SINO, record_id)
        with pytest.raises(review.Forbidden):
            review.claim_next(session, MANAGER)
        assert review.visible_record(session, MANAGER, record_id).id == record_id
        assert review.list_records(session, SINO).total == 0
        assert review.list_records(session, Viewer("root", Role.ADMIN, None)).total == 1


def test_an_invalid_or_unreviewed_value_is_refused_naming_the_field(settings: Settings) -> None:
    (record_id,) = _records(settings, [("KHJ", ("child_birth_date", "child_name"), 1)])
    lexicon = load_lexicon(settings.schemas_dir)
    with session_scope(workflow_sessions(settings)) as session:
        assert review.claim_next(session, ANNA) == record_id
        version = session.get_one(Record, record_id).version
        with pytest.raises(review.ReviewInvalid) as caught:
            review.save_review(
                session,
                None,
                ANNA,
                record_id,
                version,
                {
                    "child_birth_date": review.FieldInput("31.02.20x5", "edit"),
                    "child_name": review.FieldInput("Мадина"),
                },
                lexicon,
            )
    assert set(caught.value.errors) == {"child_birth_date", "child_name"}
    assert "not a date" in caught.value.errors["child_birth_date"]
    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, record_id)
        assert record.status == RecordStatus.IN_REVIEW
        assert {f.key: f.state for f in record.fields}["child_birth_date"] == FieldState.FLAGGED


def test_a_saved_review_is_verified_audited_and_loaded_into_the_registry(settings: Settings) -> None:
    (record_id,) = _records(settings, [("KHJ", ("child_birth_date", "child_name", "marks"), 1)])
    lexicon = load_lexicon(settings.schemas_dir)
    with session_scope(workflow_sessions(settings)) as session:
        review.claim_next(session, ANNA)
        version = session.get_one(Record, record_id).version
        outcome = review.save_review(
            session,
            None,
            ANNA,
            record_id,
            version,
            {
                "child_birth_date": review.FieldInput("13.03.2015", "edit"),
                "child_name": review.FieldInput("Мадина", "confirm"),
                "marks": review.FieldInput("", "unreadable"),
                "child_surname": review.FieldInput("Раҳимова"),
            },
            lexicon,
        )
    assert (outcome.corrected, outcome.confirmed, outcome.loaded) == (1, 2, True)
    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, record_id)
        assert (record.status, record.verified_by, record.lease_owner) == (RecordStatus.VERIFIED, "anna", None)
        assert record.loaded_at is not None
        fields = {f.key: f for f in session.scalars(select(Field).where(Field.record_id == record_id))}
        assert (fields["child_birth_date"].value, fields["child_birth_date"].state) == ("2015-03-13", "corrected")
        assert fields["child_name"].state == FieldState.CONFIRMED
        assert fields["marks"].state == FieldState.CONFIRMED and "unreadable" in fields["marks"].reasons
        assert fields["child_surname"].state == FieldState.AUTO
        events = session.scalars(select(AuditEvent).where(AuditEvent.record_id == record_id).order_by(AuditEvent.id))
        by_action = {(e.action, e.field_key): e for e in events}
        changed = by_action[("field_corrected", "child_birth_date")]
        assert (changed.actor, changed.route) == ("anna", "review")
        assert changed.before == {"value": "2015-03-12", "state": "flagged"}
        assert changed.after == {"value": "2015-03-13", "state": "corrected"}
        assert {("field_confirmed", "child_name"), ("field_unreadable", "marks"), ("verified", None)} <= set(by_action)
        assert ("loaded", None) in by_action
        act = session.scalar(select(ActRecord).where(ActRecord.act_number == "214"))
        assert act is not None and act.values["child_birth_date"] == "2015-03-13"


def test_a_rejected_record_keeps_its_reason_as_an_event(settings: Settings) -> None:
    (record_id,) = _records(settings, [("KHJ", ("child_name",), 1)])
    with session_scope(workflow_sessions(settings)) as session:
        review.claim_next(session, ANNA)
        version = session.get_one(Record, record_id).version
        with pytest.raises(review.ReviewInvalid):
            review.reject_record(session, ANNA, record_id, version, "boring")
        review.reject_record(session, ANNA, record_id, version, "duplicate", "same as act 213")
    with session_scope(workflow_sessions(settings)) as session:
        assert session.get_one(Record, record_id).status == RecordStatus.REJECTED
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "rejected"))
        assert event is not None and event.after["reason"] == "duplicate" and event.note == "same as act 213"


@pytest.mark.parametrize(
    ("value_type", "raw", "expected"),
    [("date", "12.03.1987", "1987-03-12"), ("number", "№ 0214", "214"), ("sex", "жен.", "female"), ("date", "", None)],
)
def test_typed_values_are_parsed_to_their_canonical_form(
    sqlite_settings: Settings, value_type: str, raw: str, expected: str | None
) -> None:
    parsed = review.parse_input(load_lexicon(sqlite_settings.schemas_dir), value_type, raw, reference_year=1990)
    assert (parsed.ok, parsed.value) == (True, expected)
