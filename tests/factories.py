"""Builders of workflow rows for tests that start after recognition (export, load, review)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from database.workflow import Batch, Book, CopyKind, Field, Page, PageState, Record, ScanFile, ScanFileState
from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import load_catalogue
from pipeline.types import FieldState, RecordStatus

CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")


def make_book(session: Session, office: str = "KHJ", copy: CopyKind = CopyKind.FIRST, year: int = 1987) -> Book:
    book = Book(office=office, act_type="birth", year=year, copy=copy, label=f"{office}-birth-{year}-{copy.value}")
    session.add(book)
    session.flush()
    return book


def make_record(
    session: Session,
    book: Book,
    values: dict[str, str | None],
    *,
    form_id: str = "birth_tj_2010",
    status: RecordStatus = RecordStatus.AUTO_VERIFIED,
    flagged: tuple[str, ...] = (),
    file_name: str = "book/p0001.png",
    page_number: int = 1,
    slot: int = 0,
) -> Record:
    """A record on its own scan file and page; every field of the form, the ones in ``flagged`` flagged."""
    sha = hashlib.sha256(f"{book.id}/{file_name}/{page_number}/{slot}".encode()).hexdigest()
    batch = Batch(book_id=book.id, source=file_name, started_by="test", summary={})
    session.add(batch)
    session.flush()
    scan = ScanFile(
        sha256=sha,
        source_path=file_name,
        book_id=book.id,
        first_batch_id=batch.id,
        size_bytes=1,
        media_type="image/png",
        page_count=page_number,
        state=ScanFileState.STORED,
        master_path=None,
    )
    session.add(scan)
    session.flush()
    page = Page(scan_file_id=scan.id, page_number=page_number, state=PageState.CHECKED, form_id=form_id)
    session.add(page)
    session.flush()
    template = CATALOGUE.form(form_id)
    record = Record(
        page_id=page.id,
        slot=slot,
        book_id=book.id,
        office=book.office,
        act_type=template.act_type,
        act_year=book.year,
        copy=book.copy,
        form_id=form_id,
        act_number=values.get("act_number"),
        status=status,
    )
    record.fields = [
        Field(
            key=spec.key,
            position=i,
            value_type=spec.type,
            required=spec.required,
            raw_text=values.get(spec.key) or "",
            value=values.get(spec.key),
            confidence=0.5 if spec.key in flagged else 0.97,
            engine_confidence=0.9,
            state=FieldState.FLAGGED if spec.key in flagged else FieldState.AUTO,
            reasons=["low_confidence"] if spec.key in flagged else [],
            box=[100, 100 + 40 * i, 600, 30],
        )
        for i, spec in enumerate(template.fields)
    ]
    session.add(record)
    session.flush()
    return record
