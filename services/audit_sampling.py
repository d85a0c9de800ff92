"""Audit of auto-accepted fields: a seeded share of auto-verified records per book and form sent to review,
and the error reviewers found on them (corrected fields) per office and per form, with its interval."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from database.workflow import Field, Record
from pipeline.qa.rules import AuditSettings
from pipeline.qa.sampling import AUDIT_SAMPLE, ErrorEstimate, audit_share, draw_sample, estimate_error
from pipeline.types import FieldState, RecordStatus

# an audited record counts once a reviewer has saved it
REVIEWED = (RecordStatus.VERIFIED, RecordStatus.LOADED)
PENDING = (RecordStatus.NEEDS_REVIEW, RecordStatus.IN_REVIEW)


@dataclass(frozen=True)
class AuditRow:
    """Measured error of auto-accepted fields in one office (``form_id`` None) or one office and form."""

    office: str
    form_id: str | None
    audited_records: int  # reviewed
    pending_records: int  # drawn, not yet reviewed
    fields: int
    errors: int
    rate: float
    low: float
    high: float
    share: float  # the audit share the next draw uses here

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class AuditDraw:
    drawn: int
    by_book: dict[int, int]


def _measured(session: Session, *, office: str | None, by_form: bool) -> dict[tuple[str, str | None], tuple[int, ...]]:
    """(office, form) -> (audited records, pending records, fields, corrected fields), grouped in the database.

    Every field of an audited record was auto-accepted (a record is auto-verified only when all its fields
    are), so a field the reviewer corrected is an error of auto-acceptance and any other a correct one."""
    group = [Record.office, Record.form_id] if by_form else [Record.office]
    reviewed = Record.status.in_(REVIEWED)
    fields = (
        select(
            *group,
            func.count(func.distinct(Record.id)),
            func.count(Field.id),
            func.coalesce(func.sum(case((Field.state == FieldState.CORRECTED, 1), else_=0)), 0),
        )
        .join(Field, Field.record_id == Record.id)
        .where(Record.audit_reason.is_not(None), reviewed)
        .group_by(*group)
    )
    pending = (
        select(*group, func.count())
        .where(Record.audit_reason.is_not(None), Record.status.in_(PENDING))
        .group_by(*group)
    )
    if office is not None:
        fields = fields.where(Record.office == office)
        pending = pending.where(Record.office == office)
    found: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in session.execute(fields):
        key = (row[0], row[1] if by_form else None)
        found[key][0], found[key][2], found[key][3] = int(row[-3]), int(row[-2]), int(row[-1])
    for row in session.execute(pending):
        found[(row[0], row[1] if by_form else None)][1] = int(row[-1])
    return {key: tuple(values) for key, values in found.items()}


def audit_report(session: Session, settings: AuditSettings, *, office: str | None = None) -> list[AuditRow]:
    """Per office, then per form of that office: the measured error with its Wilson interval."""
    rows = []
    measured = {**_measured(session, office=office, by_form=False), **_measured(session, office=office, by_form=True)}
    for (row_office, form_id), (audited, pending, fields, errors) in sorted(
        measured.items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        estimate = estimate_error(errors, fields, settings.confidence)
        rows.append(
            AuditRow(
                office=row_office,
                form_id=form_id,
                audited_records=audited,
                pending_records=pending,
                fields=fields,
                errors=errors,
                rate=estimate.rate,
                low=estimate.low,
                high=estimate.high,
                share=audit_share(settings, estimate),
            )
        )
    return rows


def draw_audit(session: Session, settings: AuditSettings, *, book_ids: Sequence[int] | None = None) -> AuditDraw:
    """Sends a share of each book's auto-verified, not yet loaded records to review as an audit, per form:
    the base share, or more where the office and form's measured error may exceed the target."""
    estimates: dict[tuple[str, str | None], ErrorEstimate] = {
        key: estimate_error(errors, fields, settings.confidence)
        for key, (_audited, _pending, fields, errors) in _measured(session, office=None, by_form=True).items()
    }
    scope = select(Record.book_id, Record.office, Record.form_id, Record.id, Record.audit_reason).where(
        (Record.audit_reason.is_not(None))
        | ((Record.status == RecordStatus.AUTO_VERIFIED) & Record.loaded_at.is_(None))
    )
    if book_ids is not None:
        scope = scope.where(Record.book_id.in_(book_ids))
    pools: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    audited: dict[tuple[int, str, str], int] = defaultdict(int)
    for book_id, office, form_id, record_id, reason in session.execute(scope):
        if reason is None:
            pools[(book_id, office, form_id)].append(record_id)
        else:
            audited[(book_id, office, form_id)] += 1
    chosen: list[str] = []
    by_book: dict[int, int] = defaultdict(int)
    for (book_id, office, form_id), pool in sorted(pools.items()):
        share = audit_share(settings, estimates.get((office, form_id)))
        drawn = draw_sample(
            pool, audited[(book_id, office, form_id)], share, seed=settings.seed, scope=f"{book_id}/{form_id}"
        )
        chosen += drawn
        by_book[book_id] += len(drawn)
    if chosen:
        _mark(session, chosen)
    return AuditDraw(drawn=len(chosen), by_book=dict(by_book))


def _mark(session: Session, record_ids: Sequence[str]) -> None:
    """To review with the audit reason; fields stay auto (they were accepted) with the reason as a note."""
    for start in range(0, len(record_ids), 500):
        chunk = list(record_ids[start : start + 500])
        session.execute(
            update(Record)
            .where(Record.id.in_(chunk), Record.status == RecordStatus.AUTO_VERIFIED)
            .values(status=RecordStatus.NEEDS_REVIEW, audit_reason=AUDIT_SAMPLE)
            .execution_options(synchronize_session=False)
        )
        for field in session.scalars(select(Field).where(Field.record_id.in_(chunk))):
            if AUDIT_SAMPLE not in field.reasons:
                field.reasons = [*field.reasons, AUDIT_SAMPLE]
    session.flush()
