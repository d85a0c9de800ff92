"""The audit trail: every change to a record or an account is an event (who, when, what, before, after, where)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.accounts import AuditEvent
from database.workflow import utcnow


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
