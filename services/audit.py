"""The audit trail: every change to a record or an account is an event (who, when, what, before, after, where)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.accounts import AuditEvent
from database.workflow import Record, utcnow


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    route: str,
    record_id: str | None = None,
    field_key: str | None = None,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Adds one event to the caller's transaction, so the change and its event are committed together."""
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor,
        action=action,
        route=route[:120],
        record_id=record_id,
        field_key=field_key,
        before=before,
        after=after,
        note=note,
    )
    session.add(event)
    return event


def record_history(session: Session, record_id: str, limit: int = 500) -> Sequence[AuditEvent]:
    """A record's events, oldest first."""
    query = (
        select(AuditEvent).where(AuditEvent.record_id == record_id).order_by(AuditEvent.at, AuditEvent.id).limit(limit)
    )
    return session.scalars(query).all()


@dataclass(frozen=True)
class AuditFilter:
    """Which events the audit log shows; dates are whole UTC days, both ends included."""

    actor: str | None = None
    office: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    record_id: str | None
    office: str | None
    field_key: str | None
    before: Any
    after: Any
    note: str | None
    route: str

    @property
    def reason(self) -> str | None:
        """Why: the reject reason an event carries, and the note written with it."""
        given = self.after.get("reason") if isinstance(self.after, dict) else None
        return "; ".join(p for p in (given, self.note) if p) or None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _where(filters: AuditFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.actor:
        conditions.append(AuditEvent.actor == filters.actor)
    if filters.office:
        conditions.append(Record.office == filters.office)
    if filters.date_from:
        conditions.append(AuditEvent.at >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        conditions.append(AuditEvent.at < datetime.combine(filters.date_to + timedelta(days=1), time(), UTC))
    return conditions


def audit_log(session: Session, filters: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """A page of events, newest first; an event's office is its record's (events of accounts have none).

    Records replaced by reprocessing leave their events without an office: they show under no office filter.
    """
    conditions = _where(filters)
    joined = select(func.count()).select_from(AuditEvent).outerjoin(Record, Record.id == AuditEvent.record_id)
    total = session.scalar(joined.where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        select(AuditEvent, Record.office)
        .outerjoin(Record, Record.id == AuditEvent.record_id)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [
        AuditRow(
            id=event.id,
            at=event.at,
            actor=event.actor,
            action=event.action,
            record_id=event.record_id,
            office=office,
            field_key=event.field_key,
            before=event.before,
            after=event.after,
            note=event.note,
            route=event.route,
        )
        for event, office in session.execute(query)
    ]
    return AuditPage(rows=rows, total=total, page=page, pages=pages)


def audit_actors(session: Session) -> list[str]:
    """Everyone who appears in the audit trail, for the log's user filter."""
    return list(session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))


def audit_offices(session: Session) -> list[str]:
    """Offices of the records, for the log's office filter."""
    return list(session.scalars(select(Record.office).distinct().order_by(Record.office)))
