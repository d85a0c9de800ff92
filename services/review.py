"""Review of flagged records: the leased queue, the review screen's data, typed values checked, save and reject."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image
from sqlalchemy import Row, Select, and_, func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from database.accounts import FLAGGED_REQUIRED_SQL, AuditEvent
from database.session import session_scope
from database.workflow import Book, Field, Page, Record, ScanFile, utcnow
from pipeline.errors import ArchiveError, ConfigError, NotFound
from pipeline.forms.catalogue import Catalogue
from pipeline.ocr.lexicon import Lexicon, LexiconKind
from pipeline.ocr.parse import NOT_IN_LEXICON, parse_value
from pipeline.types import FieldState, RecordStatus
from services.audit import record_event, record_history
from services.loader import load_records
from services.users import Viewer, aware

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
REVIEWABLE = (RecordStatus.NEEDS_REVIEW, RecordStatus.IN_REVIEW)
REJECT_REASONS: dict[str, str] = {
    "not_act_record": "not an act record",
    "duplicate": "duplicate of another record",
    "illegible_page": "illegible page",
}
DECISIONS = frozenset({"", "confirm", "edit", "unreadable"})
UNREADABLE = "unreadable"
# How a value of each type may be typed, for the message when it cannot be read.
TYPE_HINTS: dict[str, str] = {
    "number": "not a number: type digits, e.g. 214",
    "date": "not a date: type e.g. 12.03.1987 or 12 марта 1987",
    "name": "not a name: letters and a hyphen only, e.g. Раҳимова",
    "full_name": "type surname, name and patronymic, e.g. Каримов Алишер Валиевич",
    "sex": "type м or ж (муж./жен., мард/зан)",
    "text": "cannot be read as text",
    "place": "cannot be read as a place",
}
SEX_VALUES = frozenset({"male", "female"})


class Forbidden(ArchiveError):
    """The user's role does not allow this action."""

    code = "forbidden"


class ReviewConflict(ArchiveError):
    """Someone else holds or changed the record since it was opened."""

    code = "conflict"


class ReviewInvalid(ArchiveError):
    """Some typed values cannot be saved; ``errors`` names each field and says why."""

    code = "invalid"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("cannot save: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


# --- scoping ----------------------------------------------------------------------------------------------


AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")  # a SELECT of any columns, kept as typed


def scoped(query: AnySelect, viewer: Viewer) -> AnySelect:
    """Only the records of the viewer's offices (all for an admin)."""
    if viewer.offices is None:
        return query
    return query.where(Record.office.in_(sorted(viewer.offices)))


def visible_record(session: Session, viewer: Viewer, record_id: str, *, with_fields: bool = False) -> Record:
    """The record if the viewer may see it; NotFound otherwise, so another office's ids reveal nothing."""
    query = scoped(select(Record).where(Record.id == record_id), viewer)
    if with_fields:
        query = query.options(selectinload(Record.fields))
    record = session.scalar(query)
    if record is None:
        raise NotFound("no such record")
    return record


def _require_reviewer(viewer: Viewer) -> None:
    if not viewer.can_review:
        raise Forbidden(f"a {viewer.role.value} cannot review records")


# --- the queue --------------------------------------------------------------------------------------------


def release_expired(session: Session, now: datetime) -> int:
    """Returns records whose lease ran out to the queue, each with its event."""
    expired = (
        session.execute(
            update(Record)
            .where(Record.status == RecordStatus.IN_REVIEW, Record.lease_until < now)
            .values(status=RecordStatus.NEEDS_REVIEW, lease_owner=None, lease_until=None)
            .returning(Record.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    for record_id in expired:
        record_event(session, actor="system", action="lease_expired", route="queue", record_id=record_id, at=now)
    return len(expired)


def _candidates(session: Session, viewer: Viewer, *, urgent: bool, postgres: bool) -> list[str]:
    """The first free records of each of the viewer's offices, best first (on PostgreSQL each one locked).

    One query per office: each reads the head of ``ix_records_review_order`` in book order and stops at once,
    where one query over several offices would have to sort every waiting record of all of them.
    """
    if viewer.offices is not None:
        offices = sorted(viewer.offices)
    else:
        offices = list(session.scalars(select(Book.office).distinct().order_by(Book.office)))
    found: list[Row[str, int, int, int]] = []
    for office in offices:
        query = select(Record.id, Record.book_id, Record.page_id, Record.slot).where(
            Record.status == RecordStatus.NEEDS_REVIEW, Record.office == office
        )
        if urgent:
            # Spelled exactly as the partial index's predicate, as literals, so both planners use that index.
            query = query.where(Record.id.in_(select(Field.record_id).where(text(FLAGGED_REQUIRED_SQL))))
        query = query.order_by(Record.book_id, Record.page_id, Record.slot)
        # PostgreSQL skips rows another claim has locked; the heads locked here and not taken are free at commit.
        query = query.limit(1).with_for_update(skip_locked=True, of=Record) if postgres else query.limit(3)
        found.extend(session.execute(query).all())
    return [row.id for row in sorted(found, key=lambda row: (row.book_id, row.page_id, row.slot))]


def _take(session: Session, viewer: Viewer, record_id: str, now: datetime, lease: timedelta, route: str) -> bool:
    """The conditional update that makes a claim: it succeeds only while the record is free."""
    taken = session.execute(
        update(Record)
        .where(
            Record.id == record_id,
            or_(
                Record.status == RecordStatus.NEEDS_REVIEW,
                and_(
                    Record.status == RecordStatus.IN_REVIEW,
                    or_(Record.lease_until < now, Record.lease_owner == viewer.username),
                ),
            ),
        )
        .values(
            status=RecordStatus.IN_REVIEW,
            lease_owner=viewer.username,
            lease_until=now + lease,
            version=Record.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record_event(session, actor=viewer.username, action="claimed", route=route, record_id=record_id, at=now)
    return True


def held_record(session: Session, viewer: Viewer, now: datetime) -> str | None:
    """The record the viewer holds a live lease on, if any (one at a time: no hoarding)."""
    query = scoped(
        select(Record.id).where(
            Record.status == RecordStatus.IN_REVIEW,
            Record.lease_owner == viewer.username,
            Record.lease_until >= now,
        ),
        viewer,
    )
    return session.scalar(query.limit(1))


def claim_next(
    session: Session, viewer: Viewer, *, now: datetime | None = None, lease: timedelta = LEASE, route: str = "queue"
) -> str | None:
    """Leases the most urgent free record of the viewer's offices to them and commits; None when none is left.

    Urgent first (a required field is flagged), then book order. Two reviewers never get the same record:
    on PostgreSQL the candidate row is locked with FOR UPDATE SKIP LOCKED, so a concurrent claim skips it;
    on SQLite writers are serialised and the claim is a conditional UPDATE whose row count says who won.
    """
    _require_reviewer(viewer)
    now = now or utcnow()
    held = held_record(session, viewer, now)
    if held is not None and _take(session, viewer, held, now, lease, route):
        session.commit()
        return held
    release_expired(session, now)
    postgres = session.get_bind().dialect.name == "postgresql"
    for urgent in (True, False):
        for record_id in _candidates(session, viewer, urgent=urgent, postgres=postgres):
            if _take(session, viewer, record_id, now, lease, route):
                session.commit()
                return record_id
    session.commit()
    return None


def claim_record(
    session: Session, viewer: Viewer, record_id: str, *, now: datetime | None = None, route: str = "review"
) -> bool:
    """Leases this record to the viewer if it is free or already theirs, and commits; False if someone holds it."""
    _require_reviewer(viewer)
    now = now or utcnow()
    visible_record(session, viewer, record_id)
    taken = _take(session, viewer, record_id, now, LEASE, route)
    session.commit()
    return taken


def renew_lease(
    session: Session, viewer: Viewer, record_id: str, *, now: datetime | None = None, lease: timedelta = LEASE
) -> datetime | None:
    """Extends the viewer's live lease while the review screen is open and commits; None if it is no longer theirs.

    No event: the lease's end is not a value of the record, and the screen renews every few minutes.
    """
    _require_reviewer(viewer)
    now = now or utcnow()
    visible_record(session, viewer, record_id)
    until = now + lease
    result = session.execute(
        update(Record)
        .where(
            Record.id == record_id,
            Record.status == RecordStatus.IN_REVIEW,
            Record.lease_owner == viewer.username,
            Record.lease_until >= now,
        )
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return until if result.rowcount == 1 else None  # type: ignore[attr-defined]


def release(session: Session, viewer: Viewer, record_id: str, *, route: str = "review") -> None:
    """Gives a held record back to the queue unchanged."""
    visible_record(session, viewer, record_id)
    result = session.execute(
        update(Record)
        .where(Record.id == record_id, Record.status == RecordStatus.IN_REVIEW, Record.lease_owner == viewer.username)
        .values(status=RecordStatus.NEEDS_REVIEW, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        record_event(session, actor=viewer.username, action="released", route=route, record_id=record_id)
    session.commit()


def queue_counts(session: Session, viewer: Viewer) -> dict[str, int]:
    """How many records of the viewer's offices wait for review and are being reviewed."""
    query = scoped(
        select(Record.status, func.count()).where(Record.status.in_(REVIEWABLE)).group_by(Record.status), viewer
    )
    counts = {status.value: 0 for status in REVIEWABLE}
    for status, count in session.execute(query):
        counts[RecordStatus(status).value] = count
    return counts


# --- typed values -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedInput:
    ok: bool
    value: str | None  # canonical; None for a blank
    message: str | None = None  # why it cannot be saved
    warning: str | None = None  # saved, but worth a look


def lexicon_kind(key: str, value_type: str) -> LexiconKind | None:
    """Which word list a field's value is checked against, from its key (child_surname -> surname)."""
    if value_type == "name":
        if "surname" in key:
            return "surname"
        if key.endswith("patronymic"):
            return "patronymic"
        if key.endswith("_name"):
            return "given_name"
    if value_type == "text":
        if key.endswith("nationality"):
            return "nationality"
        if key.endswith("citizenship"):
            return "citizenship"
    return None


def parse_input(
    lexicon: Lexicon, value_type: str, raw: str, *, key: str = "", reference_year: int | None = None
) -> ParsedInput:
    """A reviewer's typed text as its canonical value, or the reason it cannot be one."""
    if value_type == "sex" and raw.strip() in SEX_VALUES:
        return ParsedInput(ok=True, value=raw.strip())
    try:
        parsed = parse_value(
            raw, value_type, lexicon, reference_year=reference_year, kind=lexicon_kind(key, value_type)
        )
    except ValueError:
        return ParsedInput(ok=False, value=None, message=f"unknown value type {value_type!r}")
    if not parsed.ok:
        return ParsedInput(ok=False, value=None, message=TYPE_HINTS.get(value_type, "cannot be read"))
    warning = "not in the lexicon: check the spelling" if NOT_IN_LEXICON in parsed.reasons else None
    return ParsedInput(ok=True, value=parsed.value, warning=warning)


# --- the screen -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldView:
    key: str
    label_ru: str
    label_tg: str | None
    value_type: str
    required: bool
    raw_text: str
    value: str | None
    confidence: float
    state: str
    reasons: tuple[str, ...]
    box: tuple[int, int, int, int] | None

    @property
    def flagged(self) -> bool:
        return self.state == FieldState.FLAGGED.value


@dataclass(frozen=True)
class ReviewScreen:
    record: Record
    book: Book
    page: Page
    scan: ScanFile
    fields: tuple[FieldView, ...]
    history: Sequence[AuditEvent]
    image_size: tuple[int, int] | None  # width, height of the aligned page image
    form_title: str
    held_by_viewer: bool  # the viewer holds a live lease: the screen is editable

    @property
    def flagged(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if f.flagged)

    @property
    def others(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if not f.flagged)


def _box(raw: Any) -> tuple[int, int, int, int] | None:
    if isinstance(raw, list | tuple) and len(raw) == 4 and all(isinstance(v, int | float) for v in raw):
        x, y, w, h = (int(v) for v in raw)
        return (x, y, w, h) if w > 0 and h > 0 else None
    return None


def page_image_path(data_dir: Path, page: Page) -> Path | None:
    """The aligned page image inside the data directory (a stored path never leads outside it)."""
    if not page.image_path:
        return None
    path = (data_dir / page.image_path).resolve()
    if not path.is_relative_to(data_dir.resolve()) or not path.is_file():
        return None
    return path


@lru_cache(maxsize=2048)
def _image_size(path: str, _mtime_ns: int) -> tuple[int, int] | None:
    try:
        with Image.open(path) as image:  # reads the header only
            return image.size
    except OSError:
        return None


def image_size(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    return _image_size(str(path), path.stat().st_mtime_ns)


def review_screen(
    session: Session, viewer: Viewer, record_id: str, catalogue: Catalogue, data_dir: Path, now: datetime | None = None
) -> ReviewScreen:
    """Everything the review screen and the record page show, in three queries."""
    now = now or utcnow()
    query = scoped(
        select(Record, Book, Page, ScanFile)
        .join(Book, Book.id == Record.book_id)
        .join(Page, Page.id == Record.page_id)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .where(Record.id == record_id)
        .options(selectinload(Record.fields)),
        viewer,
    )
    row = session.execute(query).first()
    if row is None:
        raise NotFound("no such record")
    record, book, page, scan = row
    try:
        template = catalogue.form(record.form_id)
        specs = {spec.key: spec for spec in template.fields}
        title = " / ".join(template.title)
    except ConfigError:
        specs, title = {}, record.form_id
    fields = tuple(
        FieldView(
            key=f.key,
            label_ru=specs[f.key].label_ru if f.key in specs else f.key,
            label_tg=specs[f.key].label_tg if f.key in specs else None,
            value_type=f.value_type,
            required=f.required,
            raw_text=f.raw_text,
            value=f.value,
            confidence=f.confidence,
            state=f.state.value,
            reasons=tuple(f.reasons or ()),
            box=_box(f.box),
        )
        for f in record.fields
    )
    held = (
        record.status == RecordStatus.IN_REVIEW
        and record.lease_owner == viewer.username
        and record.lease_until is not None
        and aware(record.lease_until) >= now
    )
    return ReviewScreen(
        record=record,
        book=book,
        page=page,
        scan=scan,
        fields=fields,
        history=record_history(session, record.id),
        image_size=image_size(page_image_path(data_dir, page)),
        form_title=title,
        held_by_viewer=held,
    )


# --- save and reject --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInput:
    """What the screen sends for one field: the text in its box and what the reviewer did with it."""

    raw: str
    decision: str = ""  # "" (untouched), "confirm", "edit" or "unreadable"


@dataclass(frozen=True)
class SaveOutcome:
    record_id: str
    corrected: int
    confirmed: int
    loaded: bool


def _guarded_update(viewer: Viewer, record_id: str, version: int, now: datetime) -> Any:
    """Matches the record only at the version the reviewer saw, and only if no one else holds a live lease."""
    return update(Record).where(
        Record.id == record_id,
        Record.version == version,
        Record.status.in_(REVIEWABLE),
        or_(Record.lease_owner.is_(None), Record.lease_owner == viewer.username, Record.lease_until < now),
    )


def _field_state(field: Field, new_value: str | None, decision: str) -> FieldState:
    if new_value != field.value:
        return FieldState.CORRECTED
    if field.state == FieldState.FLAGGED or decision in ("confirm", UNREADABLE):
        return FieldState.CONFIRMED
    return field.state


def save_review(
    workflow: Session,
    registry: sessionmaker[Session] | None,
    viewer: Viewer,
    record_id: str,
    version: int,
    inputs: Mapping[str, FieldInput],
    lexicon: Lexicon,
    *,
    route: str = "review",
    now: datetime | None = None,
) -> SaveOutcome:
    """Checks every value, stores the reviewed fields and the record as verified with one event per change,
    commits, then loads the record into the registry.

    ``registry`` is the registry's session factory, or None when the registry is the workflow database itself
    (then one connection does both, which SQLite needs: two writers on one file would wait on each other).
    Raises ReviewInvalid naming each field that cannot be saved, ReviewConflict if the record moved on.
    """
    _require_reviewer(viewer)
    now = now or utcnow()
    record = visible_record(workflow, viewer, record_id, with_fields=True)
    errors: dict[str, str] = {}
    planned: list[tuple[Field, str | None, FieldState, str]] = []
    for field in record.fields:
        entry = inputs.get(field.key)
        if entry is None:
            if field.state == FieldState.FLAGGED:
                errors[field.key] = "not reviewed"
            continue
        decision = entry.decision if entry.decision in DECISIONS else ""
        if field.state == FieldState.FLAGGED and not decision:
            errors[field.key] = "not reviewed: confirm it (Enter), type the right value, or mark it unreadable"
            continue
        if decision == UNREADABLE:
            new_value = None
        elif entry.raw == (field.value or ""):
            new_value = field.value  # left as shown: the stored canonical value stays
        else:
            parsed = parse_input(lexicon, field.value_type, entry.raw, key=field.key, reference_year=record.act_year)
            if not parsed.ok:
                errors[field.key] = parsed.message or "cannot be read"
                continue
            new_value = parsed.value
        planned.append((field, new_value, _field_state(field, new_value, decision), decision))
    if errors:
        raise ReviewInvalid(errors)
    values = {f.key: f.value for f in record.fields} | {f.key: v for f, v, _s, _d in planned}
    done = workflow.execute(
        _guarded_update(viewer, record_id, version, now)
        .values(
            status=RecordStatus.VERIFIED,
            version=version + 1,
            verified_by=viewer.username,
            verified_at=now,
            lease_owner=None,
            lease_until=None,
            act_number=values.get("act_number", record.act_number),
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        workflow.rollback()
        raise ReviewConflict("the record was changed or taken by someone else since it was opened: open it again")
    before_status = record.status.value
    workflow.expire(record, ["status", "version", "verified_by", "verified_at", "lease_owner", "lease_until"])
    corrected = confirmed = 0
    for field, new_value, state, decision in planned:
        if new_value == field.value and state == field.state:
            continue
        action = "field_unreadable" if decision == UNREADABLE else f"field_{state.value}"
        record_event(
            workflow,
            actor=viewer.username,
            action=action,
            route=route,
            record_id=record_id,
            field_key=field.key,
            before={"value": field.value, "state": field.state.value},
            after={"value": new_value, "state": state.value},
            at=now,
        )
        if decision == UNREADABLE and UNREADABLE not in field.reasons:
            field.reasons = [*field.reasons, UNREADABLE]
        field.value = new_value
        field.state = state
        corrected += state == FieldState.CORRECTED
        confirmed += state == FieldState.CONFIRMED
    record_event(
        workflow,
        actor=viewer.username,
        action="verified",
        route=route,
        record_id=record_id,
        before={"status": before_status},
        after={"status": RecordStatus.VERIFIED.value},
        at=now,
    )
    workflow.commit()
    return SaveOutcome(record_id, corrected, confirmed, load_verified(workflow, registry, record_id))


def load_verified(workflow: Session, registry: sessionmaker[Session] | None, record_id: str) -> bool:
    """Loads one verified record into the registry now; on failure it stays verified for `archive load`."""
    try:
        if registry is None:
            result = load_records(workflow, workflow, [record_id])
        else:
            with session_scope(registry) as registry_session:
                result = load_records(workflow, registry_session, [record_id])
        if result.loaded or result.updated:
            record_event(workflow, actor="system", action="loaded", route="loader", record_id=record_id)
        workflow.commit()
        return bool(result.loaded or result.updated)
    except Exception as exc:  # noqa: BLE001 - the review is saved; loading is retried by `archive load`
        workflow.rollback()
        # The error's type only: database errors quote the statement's parameters, i.e. names and dates.
        logger.error("registry load failed (%s)", type(exc).__name__, extra={"record_id": record_id})
        return False


def reject_record(
    session: Session,
    viewer: Viewer,
    record_id: str,
    version: int,
    reason: str,
    note: str = "",
    *,
    route: str = "review",
    now: datetime | None = None,
) -> None:
    """Marks the record rejected (not an act record, a duplicate, an illegible page), the reason as its event."""
    _require_reviewer(viewer)
    if reason not in REJECT_REASONS:
        raise ReviewInvalid({"reason": "choose one of: " + ", ".join(REJECT_REASONS)})
    now = now or utcnow()
    record = visible_record(session, viewer, record_id)
    before_status = record.status.value
    done = session.execute(
        _guarded_update(viewer, record_id, version, now)
        .values(status=RecordStatus.REJECTED, version=version + 1, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ReviewConflict("the record was changed or taken by someone else since it was opened: open it again")
    record_event(
        session,
        actor=viewer.username,
        action="rejected",
        route=route,
        record_id=record_id,
        before={"status": before_status},
        after={"status": RecordStatus.REJECTED.value, "reason": reason},
        note=note.strip()[:500] or None,
        at=now,
    )
    session.commit()


# --- the records list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    id: str
    office: str
    act_type: str
    act_year: int
    act_number: str | None
    status: str
    book_label: str
    file_name: str
    page_number: int
    slot: int
    lease_owner: str | None
    verified_by: str | None


@dataclass(frozen=True)
class RecordList:
    rows: tuple[RecordRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_records(
    session: Session,
    viewer: Viewer,
    *,
    status: str | None = None,
    office: str | None = None,
    book_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> RecordList:
    """A page of the viewer's records in book order, filtered by status, office and book."""
    filters: list[Any] = []
    if status:
        filters.append(Record.status == RecordStatus(status))
    if office:
        filters.append(Record.office == office)
    if book_id is not None:
        filters.append(Record.book_id == book_id)
    total = session.scalar(scoped(select(func.count()).select_from(Record).where(*filters), viewer)) or 0
    query = scoped(
        select(
            Record.id,
            Record.office,
            Record.act_type,
            Record.act_year,
            Record.act_number,
            Record.status,
            Book.label,
            ScanFile.source_path,
            Page.page_number,
            Record.slot,
            Record.lease_owner,
            Record.verified_by,
        )
        .join(Book, Book.id == Record.book_id)
        .join(Page, Page.id == Record.page_id)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .where(*filters)
        .order_by(Record.book_id, Record.page_id, Record.slot)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page),
        viewer,
    )
    rows = tuple(
        RecordRow(
            id=r[0],
            office=r[1],
            act_type=r[2],
            act_year=r[3],
            act_number=r[4],
            status=RecordStatus(r[5]).value,
            book_label=r[6],
            file_name=r[7],
            page_number=r[8],
            slot=r[9],
            lease_owner=r[10],
            verified_by=r[11],
        )
        for r in session.execute(query)
    )
    return RecordList(rows=rows, total=total, page=max(page, 1), per_page=per_page)


def visible_books(session: Session, viewer: Viewer) -> Sequence[tuple[int, str, str]]:
    """(id, label, office) of the books the viewer may filter by."""
    query = select(Book.id, Book.label, Book.office).order_by(Book.office, Book.label)
    if viewer.offices is not None:
        query = query.where(Book.office.in_(sorted(viewer.offices)))
    return [(r[0], r[1], r[2]) for r in session.execute(query)]
