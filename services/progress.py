"""Progress per office and book against targets, counted by the database (grouped queries)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import Row, Select, case, func, select
from sqlalchemy.orm import Session

from database.workflow import Book, Page, PageState, Record, ScanFile, ScanFileState
from pipeline.types import RecordStatus
from services.offices import office_plan

Statement: TypeAlias = "Select[*tuple[Any, ...]]"  # a SELECT of any number of columns


@dataclass(frozen=True)
class BookProgress:
    office: str
    book: str
    act_type: str
    year: int
    copy: str
    files: int
    quarantined: int
    pages: int
    pages_done: int
    pages_failed: int
    records: int
    auto_verified: int
    to_review: int
    verified: int
    loaded: int


@dataclass(frozen=True)
class OfficeProgress:
    office: str
    name: str
    target: int
    records: int
    auto_verified: int
    to_review: int
    verified: int
    loaded: int
    pages: int
    pages_failed: int
    quarantined: int
    books: list[BookProgress]

    @property
    def percent_of_target(self) -> float:
        return 100.0 * (self.auto_verified + self.verified) / self.target if self.target else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["percent_of_target"] = round(self.percent_of_target, 2)
        return data


def book_progress_statements(office: str | None = None) -> list[Statement]:
    """Pages per book, records per book, the books: three grouped statements, folded by fold_book_progress."""
    pages_q = (
        select(
            ScanFile.book_id,
            func.count(func.distinct(ScanFile.id)).label("files"),
            func.count(func.distinct(case((ScanFile.state == ScanFileState.QUARANTINED, ScanFile.id)))).label("q"),
            func.count(Page.id).label("pages"),
            func.count(case((Page.state.in_([PageState.CHECKED, PageState.UNMATCHED]), 1))).label("done"),
            func.count(case((Page.state == PageState.FAILED, 1))).label("failed"),
        )
        .outerjoin(Page, Page.scan_file_id == ScanFile.id)
        .group_by(ScanFile.book_id)
    )
    rec_q = select(
        Record.book_id,
        func.count().label("records"),
        func.count(case((Record.status == RecordStatus.AUTO_VERIFIED, 1))).label("auto"),
        func.count(case((Record.status.in_([RecordStatus.NEEDS_REVIEW, RecordStatus.IN_REVIEW]), 1))).label("review"),
        func.count(case((Record.status == RecordStatus.VERIFIED, 1))).label("verified"),
        func.count(Record.loaded_at).label("loaded"),
    ).group_by(Record.book_id)
    books_q = select(Book.id, Book.office, Book.label, Book.act_type, Book.year, Book.copy).order_by(
        Book.office, Book.act_type, Book.year, Book.copy, Book.label
    )
    if office:  # only the office's rows are counted, not every book's of the archive
        pages_q = pages_q.where(ScanFile.book_id.in_(select(Book.id).where(Book.office == office)))
        rec_q = rec_q.where(Record.office == office)
        books_q = books_q.where(Book.office == office)
    return [pages_q, rec_q, books_q]


def fold_book_progress(results: list[list[Row[Any]]]) -> list[BookProgress]:
    pages_rows, record_rows, book_rows = results
    pages = {row.book_id: row for row in pages_rows}
    records = {row.book_id: row for row in record_rows}
    result = []
    for book in book_rows:
        p, r = pages.get(book.id), records.get(book.id)
        result.append(
            BookProgress(
                office=book.office,
                book=book.label,
                act_type=book.act_type,
                year=book.year,
                copy=book.copy.value,
                files=p.files if p else 0,
                quarantined=p.q if p else 0,
                pages=p.pages if p else 0,
                pages_done=p.done if p else 0,
                pages_failed=p.failed if p else 0,
                records=r.records if r else 0,
                auto_verified=r.auto if r else 0,
                to_review=r.review if r else 0,
                verified=r.verified if r else 0,
                loaded=r.loaded if r else 0,
            )
        )
    return result


def book_progress(session: Session, office: str | None = None) -> list[BookProgress]:
    return fold_book_progress([list(session.execute(s).all()) for s in book_progress_statements(office)])


def office_progress(session: Session, offices_file: Path, office: str | None = None) -> list[OfficeProgress]:
    """One row per office (the planned offices first, then any other office that has books)."""
    books = book_progress(session, office)
    known = {o.code: o for o in office_plan(session, offices_file)}
    codes = [c for c in known if office in (None, c)]
    codes += sorted({b.office for b in books} - set(codes))
    rows = []
    for code in codes:
        own = [b for b in books if b.office == code]
        info = known.get(code)
        rows.append(
            OfficeProgress(
                office=code,
                name=info.name if info else code,
                target=info.total_target if info else 0,
                records=sum(b.records for b in own),
                auto_verified=sum(b.auto_verified for b in own),
                to_review=sum(b.to_review for b in own),
                verified=sum(b.verified for b in own),
                loaded=sum(b.loaded for b in own),
                pages=sum(b.pages for b in own),
                pages_failed=sum(b.pages_failed for b in own),
                quarantined=sum(b.quarantined for b in own),
                books=own,
            )
        )
    return rows
