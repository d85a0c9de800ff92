"""Batches and books: start a run, list what it holds, summarise how it went."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.workflow import (
    Batch,
    BatchFile,
    BatchState,
    Book,
    CopyKind,
    Page,
    PageState,
    Record,
    ScanFile,
    ScanFileState,
    utcnow,
)
from pipeline.types import RecordStatus

DONE_PAGE_STATES = (PageState.CHECKED, PageState.UNMATCHED)


@dataclass(frozen=True)
class BatchRequest:
    """What an operator asks for with `archive run`."""

    paths: tuple[Path, ...]
    office: str
    act_type: str
    year: int
    copy: CopyKind
    book_label: str | None = None
    form_hint: str | None = None
    started_by: str = "operator"

    @property
    def label(self) -> str:
        return self.book_label or f"{self.office}-{self.act_type}-{self.year}-{self.copy.value}"


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    files: int
    pages: int
    pages_done: int
    records: int
    auto_verified: int
    to_review: int
    loaded: int
    quarantined: int
    failed: int
    unmatched: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def get_or_create_book(session: Session, request: BatchRequest) -> Book:
    book = session.scalar(
        select(Book).where(
            Book.office == request.office,
            Book.act_type == request.act_type,
            Book.year == request.year,
            Book.copy == request.copy,
            Book.label == request.label,
        )
    )
    if book is None:
        book = Book(
            office=request.office, act_type=request.act_type, year=request.year, copy=request.copy, label=request.label
        )
        session.add(book)
        session.flush()
    return book


def start_batch(session: Session, request: BatchRequest) -> Batch:
    book = get_or_create_book(session, request)
    batch = Batch(
        book_id=book.id,
        source=" ".join(str(p) for p in request.paths),
        started_by=request.started_by,
        form_hint=request.form_hint,
        state=BatchState.RUNNING,
        summary={},
    )
    session.add(batch)
    session.flush()
    return batch


def batch_page_ids(session: Session, batch_id: str, *, pending_only: bool) -> list[int]:
    """Pages of every stored file the batch was given, in file and page order."""
    query = (
        select(Page.id)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .join(BatchFile, BatchFile.scan_file_id == ScanFile.id)
        .where(BatchFile.batch_id == batch_id, ScanFile.state == ScanFileState.STORED)
        .order_by(ScanFile.id, Page.page_number)
    )
    if pending_only:
        query = query.where(Page.state.not_in(DONE_PAGE_STATES))
    return list(session.scalars(query))


def summarize_batch(session: Session, batch_id: str) -> BatchSummary:
    """Counts over everything the batch was given (including files already known from earlier runs)."""
    file_ids = select(BatchFile.scan_file_id).where(BatchFile.batch_id == batch_id)
    files = session.scalar(select(func.count()).select_from(BatchFile).where(BatchFile.batch_id == batch_id)) or 0
    quarantined = (
        session.scalar(
            select(func.count())
            .select_from(ScanFile)
            .where(ScanFile.id.in_(file_ids), ScanFile.state == ScanFileState.QUARANTINED)
        )
        or 0
    )
    page_states = dict(
        session.execute(
            select(Page.state, func.count()).where(Page.scan_file_id.in_(file_ids)).group_by(Page.state)
        ).all()
    )
    record_states = dict(
        session.execute(
            select(Record.status, func.count())
            .join(Page, Page.id == Record.page_id)
            .where(Page.scan_file_id.in_(file_ids))
            .group_by(Record.status)
        ).all()
    )
    loaded = (
        session.scalar(
            select(func.count())
            .select_from(Record)
            .join(Page, Page.id == Record.page_id)
            .where(Page.scan_file_id.in_(file_ids), Record.loaded_at.is_not(None))
        )
        or 0
    )
    return BatchSummary(
        batch_id=batch_id,
        files=files,
        pages=sum(page_states.values()),
        pages_done=sum(page_states.get(s, 0) for s in DONE_PAGE_STATES),
        records=sum(record_states.values()),
        auto_verified=record_states.get(RecordStatus.AUTO_VERIFIED, 0),
        to_review=sum(record_states.get(s, 0) for s in (RecordStatus.NEEDS_REVIEW, RecordStatus.IN_REVIEW)),
        loaded=loaded,
        quarantined=quarantined,
        failed=page_states.get(PageState.FAILED, 0),
        unmatched=page_states.get(PageState.UNMATCHED, 0),
    )


def finish_batch(session: Session, batch_id: str, *, state: BatchState = BatchState.FINISHED) -> BatchSummary:
    summary = summarize_batch(session, batch_id)
    batch = session.get_one(Batch, batch_id)
    batch.state = state
    batch.finished_at = utcnow()
    batch.summary = summary.to_dict()
    return summary


def problems_of_batch(session: Session, batch_id: str) -> list[tuple[str, int | None, str, str]]:
    """Quarantined files and failed pages of a batch: (file, page or None, reason code, message)."""
    file_ids = select(BatchFile.scan_file_id).where(BatchFile.batch_id == batch_id)
    rows: list[tuple[str, int | None, str, str]] = [
        (f.source_path, None, f.reason_code or "", f.reason or "")
        for f in session.scalars(
            select(ScanFile).where(ScanFile.id.in_(file_ids), ScanFile.state == ScanFileState.QUARANTINED)
        )
    ]
    failed = session.execute(
        select(ScanFile.source_path, Page.page_number, Page.reason_code, Page.reason)
        .join(Page, Page.scan_file_id == ScanFile.id)
        .where(ScanFile.id.in_(file_ids), Page.state == PageState.FAILED)
        .order_by(ScanFile.id, Page.page_number)
    )
    rows.extend((path, number, code or "", reason or "") for path, number, code, reason in failed)
    return rows
