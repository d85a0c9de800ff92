"""Web app models on the workflow store: users and their offices, sessions, login attempts, audit events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database.types import JsonColumn, enum_column
from database.workflow import Field, Record, WorkflowBase, utcnow


class Role(StrEnum):
    OPERATOR = "operator"  # runs batches; reads the records of their offices
    REVIEWER = "reviewer"  # reviews flagged records of their offices
    MANAGER = "manager"  # reads the records and history of their offices
    ADMIN = "admin"  # everything, every office


class User(WorkflowBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when someone else chose the password (the first admin's printed one, a generated one): every page
    # leads to the change-password form until the user picks their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    offices: Mapped[list[UserOffice]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserOffice.office"
    )

    @property
    def office_codes(self) -> tuple[str, ...]:
        return tuple(o.office for o in self.offices)


class UserOffice(WorkflowBase):
    """An office whose records a user works on (no foreign key: offices are codes from schemas/offices.yaml)."""

    __tablename__ = "user_offices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    office: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="offices")


class WebSession(WorkflowBase):
    """A signed-in browser. The id is a keyed hash of the cookie's token, so the table alone lets no one in."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(WorkflowBase):
    """One try to sign in, kept to limit guessing (per user name and per address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(WorkflowBase):
    """One change: who, when, which record and field, the value before and after, and from which route.

    ``record_id`` has no foreign key on purpose: a page processed again replaces its records, and their
    history must outlive them.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record_id_at", "record_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(32))
    field_key: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JsonColumn, nullable=True)
    after: Mapped[Any] = mapped_column(JsonColumn, nullable=True)
    route: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str | None] = mapped_column(Text)


# The review queue: a reviewer's next record is the first needs_review record of their offices in book order.
# Pages of a file are inserted together when the file is ingested, so page ids follow (file, page number)
# within a book and (book_id, page_id, slot) is the book order, readable straight off this index.
Index(
    "ix_records_review_order",
    Record.status,
    Record.office,
    Record.book_id,
    Record.page_id,
    Record.slot,
)

# Records with a flagged required field go first; this small partial index lists exactly them.
FLAGGED_REQUIRED_SQL = "state = 'flagged' AND required"
Index(
    "ix_fields_flagged_required",
    Field.record_id,
    postgresql_where=text(FLAGGED_REQUIRED_SQL),
    sqlite_where=text(FLAGGED_REQUIRED_SQL),
)
