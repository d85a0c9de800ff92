"""Takes one found file into the archive: fingerprint, store the master or quarantine it, list its pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.workflow import Batch, BatchFile, Page, PageState, ScanFile, ScanFileState
from pipeline.config import Settings
from pipeline.errors import UnreadableScan
from pipeline.ingest.discover import SCAN_SUFFIXES, SourceFile
from pipeline.ingest.fingerprint import SUFFIX_FOR, sha256_of, sniff_media_type
from pipeline.ingest.masters import master_path, store_copy
from pipeline.ingest.pages import ReadLimits, count_pages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestOutcome:
    source_name: str
    state: str  # "stored" | "known" | "quarantined"
    sha256: str | None
    pages: int
    reason: str | None = None


def read_limits(settings: Settings) -> ReadLimits:
    return ReadLimits(dpi=settings.render_dpi, timeout_s=settings.page_timeout_s, max_pixels=settings.max_image_pixels)


def _check_readable(source: SourceFile, settings: Settings) -> tuple[str, int]:
    """Media type and page count; raises UnreadableScan with the reason naming the file."""
    if source.problem:
        raise UnreadableScan(source.problem, code="not_followed" if "symlink" in source.problem else "missing")
    try:
        media_type = sniff_media_type(source.path)
    except OSError as exc:
        raise UnreadableScan(f"{source.source_name}: cannot open ({exc.strerror})", code="unreadable") from exc
    if media_type is None:
        if source.path.stat().st_size == 0:
            raise UnreadableScan(f"{source.source_name}: the file is empty (0 bytes); scan it again", code="empty")
        known = ", ".join(sorted(s.lstrip(".") for s in SCAN_SUFFIXES))
        raise UnreadableScan(
            f"{source.source_name}: not a scan this archive reads (expected one of: {known})", code="not_a_scan"
        )
    return media_type, count_pages(source.path, source.source_name, media_type, read_limits(settings))


def ingest_file(session: Session, settings: Settings, batch: Batch, source: SourceFile) -> IngestOutcome:
    """Ingests one file into ``batch``. The same content ingested again is linked, never duplicated."""
    sha256 = None
    if not source.problem and source.path.is_file():
        try:
            sha256 = sha256_of(source.path)
        except OSError as exc:
            source = SourceFile(source.path, source.source_name, problem=f"{source.source_name}: cannot read ({exc})")
    if sha256 is not None:
        known = session.scalar(select(ScanFile).where(ScanFile.sha256 == sha256))
        if known is not None:
            _link(session, batch.id, known.id, source.source_name, already_known=True)
            return IngestOutcome(source.source_name, "known", sha256, known.page_count, known.reason)
    try:
        media_type, pages = _check_readable(source, settings)
    except UnreadableScan as exc:
        return _quarantine(session, settings, batch, source, sha256, exc)
    assert sha256 is not None
    stored = store_copy(source.path, master_path(settings.masters_dir, sha256, SUFFIX_FOR[media_type]))
    scan = ScanFile(
        sha256=sha256,
        source_path=source.source_name,
        book_id=batch.book_id,
        first_batch_id=batch.id,
        size_bytes=stored.stat().st_size,
        media_type=media_type,
        page_count=pages,
        state=ScanFileState.STORED,
        master_path=str(stored.relative_to(settings.resolved_data_dir)),
    )
    session.add(scan)
    session.flush()
    session.add_all(Page(scan_file_id=scan.id, page_number=n, state=PageState.INGESTED) for n in range(1, pages + 1))
    _link(session, batch.id, scan.id, source.source_name, already_known=False)
    return IngestOutcome(source.source_name, "stored", sha256, pages)


def _link(session: Session, batch_id: str, scan_file_id: int, name: str, *, already_known: bool) -> None:
    if session.get(BatchFile, (batch_id, scan_file_id)) is None:
        session.add(
            BatchFile(batch_id=batch_id, scan_file_id=scan_file_id, source_path=name, already_known=already_known)
        )
        session.flush()


def _quarantine(
    session: Session, settings: Settings, batch: Batch, source: SourceFile, sha256: str | None, exc: UnreadableScan
) -> IngestOutcome:
    """Keeps a copy of the bad file for inspection and records why; the batch goes on."""
    logger.warning("file quarantined", extra={"file": source.source_name, "reason_code": exc.code})
    kept: Path | None = None
    if sha256 is not None:
        kept = store_copy(source.path, settings.quarantine_dir / f"{sha256}{source.path.suffix.lower()[:8]}")
    scan = ScanFile(
        sha256=sha256 or f"missing:{batch.id[:8]}:{source.source_name}"[:64],
        source_path=source.source_name,
        book_id=batch.book_id,
        first_batch_id=batch.id,
        size_bytes=kept.stat().st_size if kept else 0,
        media_type=None,
        page_count=0,
        state=ScanFileState.QUARANTINED,
        reason_code=exc.code,
        reason=exc.message,
        master_path=str(kept.relative_to(settings.resolved_data_dir)) if kept else None,
    )
    session.add(scan)
    session.flush()
    _link(session, batch.id, scan.id, source.source_name, already_known=False)
    return IngestOutcome(source.source_name, "quarantined", sha256, 0, exc.message)
