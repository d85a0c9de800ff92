"""Workflow store models: batches, books, scan files, pages, records, fields (SQLAlchemy 2, typed)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from database.types import JsonColumn, enum_column
from pipeline.qa.reconcile import CopyMatch
from pipeline.types import FieldState, RecordStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class WorkflowBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ScanFileState(StrEnum):
    STORED = "stored"
    QUARANTINED = "quarantined"


class PageState(StrEnum):
    INGESTED = "ingested"
    PREPARED = "prepared"
    SEGMENTED = "segmented"
    RECOGNIZED = "recognized"
    CHECKED = "checked"
    FAILED = "failed"
    UNMATCHED = "unmatched"


class BatchState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class CopyKind(StrEnum):
    FIRST = "first"
    SECOND = "second"


class Office(WorkflowBase):
    """An office imported with `archive offices import`; it overrides the shipped offices file's entry."""

    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    target_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    targets: Mapped[list[OfficeTarget]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="(OfficeTarget.copy, OfficeTarget.act_type)"
    )


class OfficeTarget(WorkflowBase):
    """Records an office is to digitize of one copy and act type (its book inventory)."""

    __tablename__ = "office_targets"

    office: Mapped[str] = mapped_column(ForeignKey("offices.code", ondelete="CASCADE"), primary_key=True)
    copy: Mapped[CopyKind] = mapped_column(enum_column(CopyKind), primary_key=True)
    act_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)


class Book(WorkflowBase):
    """An archive book: one office, act type, year and copy (a large year may span volumes/labels)."""

    __tablename__ = "books"
    __table_args__ = (UniqueConstraint("office", "act_type", "year", "copy", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office: Mapped[str] = mapped_column(String(16), index=True)
    act_type: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    copy: Mapped[CopyKind] = mapped_column(enum_column(CopyKind))
    label: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Batch(WorkflowBase):
    """One `archive run`: who started it, on what, and how it went."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(120))
    form_hint: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[BatchState] = mapped_column(enum_column(BatchState), default=BatchState.RUNNING)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)

    book: Mapped[Book] = relationship()


class ScanFile(WorkflowBase):
    """A master scan, stored once by content (sha256) and never modified."""

    __tablename__ = "scan_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_path: Mapped[str] = mapped_column(Text)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    first_batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(40))
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[ScanFileState] = mapped_column(enum_column(ScanFileState))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    master_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    book: Mapped[Book] = relationship()
    pages: Mapped[list[Page]] = relationship(back_populates="scan_file", order_by="Page.page_number")


class BatchFile(WorkflowBase):
    """Which files a batch was given (a file seen again in a later batch is linked, not copied)."""

    __tablename__ = "batch_files"

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    scan_file_id: Mapped[int] = mapped_column(ForeignKey("scan_files.id"), primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)
    already_known: Mapped[bool] = mapped_column(default=False)


class Page(WorkflowBase):
    """One page of a scan file and how far it has gone through the stages."""

    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("scan_file_id", "page_number"),
        Index("ix_pages_file_state", "scan_file_id", "state"),  # pages per file and state, for the managers' view
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_file_id: Mapped[int] = mapped_column(ForeignKey("scan_files.id"), index=True)
    page_number: Mapped[int] = mapped_column(Integer)
    state: Mapped[PageState] = mapped_column(enum_column(PageState), default=PageState.INGESTED, index=True)
    failure_stage: Mapped[str | None] = mapped_column(String(24))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rotation: Mapped[int | None] = mapped_column(Integer)
    skew_deg: Mapped[float | None] = mapped_column(Float)
    form_id: Mapped[str | None] = mapped_column(String(64))
    match_score: Mapped[float | None] = mapped_column(Float)
    alignment_score: Mapped[float | None] = mapped_column(Float)
    quality_score: Mapped[float | None] = mapped_column(Float)
    image_path: Mapped[str | None] = mapped_column(Text)
    provenance: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    scan_file: Mapped[ScanFile] = relationship(back_populates="pages")
    records: Mapped[list[Record]] = relationship(back_populates="page", order_by="Record.slot")


# Partial indexes' predicates, spelled once: queries that should use them write the same literal text.
REVIEWED_RECORDS_SQL = "verified_by IS NOT NULL"
DECIDED_FIELDS_SQL = "state IN ('corrected', 'confirmed')"  # fields' state (records have none)


class Record(WorkflowBase):
    """One act record (one slot of one page) with its review status."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("page_id", "slot"),
        Index("ix_records_queue", "status", "office", "book_id"),
        Index("ix_records_natural_key", "office", "act_type", "act_year", "act_number"),
        # the managers' view: counts per office and status of all time, read off this index alone
        Index("ix_records_progress", "office", "status", "verified_at", "loaded_at"),
        # ... and per office and day of the last days (a range of this index alone, no table access)
        Index("ix_records_created_office", "created_at", "office"),
        # ... and per reviewer, over the reviewed records only
        Index(
            "ix_records_reviewed",
            "verified_by",
            "office",
            "verified_at",
            "id",
            postgresql_where=text(REVIEWED_RECORDS_SQL),
            sqlite_where=text(REVIEWED_RECORDS_SQL),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    office: Mapped[str] = mapped_column(String(16))
    act_type: Mapped[str] = mapped_column(String(16))
    act_year: Mapped[int] = mapped_column(Integer)
    copy: Mapped[CopyKind] = mapped_column(enum_column(CopyKind))
    form_id: Mapped[str] = mapped_column(String(64))
    act_number: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus))
    version: Mapped[int] = mapped_column(Integer, default=1)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(120))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # set when an auto-verified record was drawn for review as an audit of auto-accepted fields
    audit_reason: Mapped[str | None] = mapped_column(String(40))
    # the same act's record in the other copy (first <-> second), so both can be shown side by side
    paired_record_id: Mapped[str | None] = mapped_column(String(32), index=True)
    copy_match: Mapped[CopyMatch | None] = mapped_column(enum_column(CopyMatch))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    page: Mapped[Page] = relationship(back_populates="records")
    book: Mapped[Book] = relationship()
    fields: Mapped[list[Field]] = relationship(
        back_populates="record", order_by="Field.position", cascade="all, delete-orphan"
    )


class Field(WorkflowBase):
    """One field value of a record, with what OCR read, its score, state and why it was flagged."""

    __tablename__ = "fields"
    __table_args__ = (
        UniqueConstraint("record_id", "key"),
        # the fields reviewers corrected or confirmed, a small share of all, counted per reviewer
        Index(
            "ix_fields_decided",
            "record_id",
            "state",
            postgresql_where=text(DECIDED_FIELDS_SQL),
            sqlite_where=text(DECIDED_FIELDS_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    value_type: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(default=False)
    raw_text: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    engine_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    state: Mapped[FieldState] = mapped_column(enum_column(FieldState))
    reasons: Mapped[list[str]] = mapped_column(JsonColumn, default=list)
    box: Mapped[list[int]] = mapped_column(JsonColumn, default=list)

    record: Mapped[Record] = relationship(back_populates="fields")
