"""Runs one stored page through the pure pipeline and saves what it found, in one transaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from database.session import session_scope
from database.workflow import Batch, Field, Page, PageState, Record, ScanFile, utcnow
from pipeline.config import Settings
from pipeline.deadline import Deadline, DeadlineEngine, run_within
from pipeline.errors import ArchiveError, PageProcessingError, UnreadableScan
from pipeline.ingest.pages import read_page
from pipeline.prepare import SPREAD_SLOT_OFFSET
from pipeline.process import PageContext, PageOutcome
from pipeline.process import read_page as read_page_image
from services.batches import DONE_PAGE_STATES
from services.ingest import read_limits

logger = logging.getLogger(__name__)


class _StageClock:
    """Wall and CPU milliseconds of the stages run here (reading the page, saving its image)."""

    def __init__(self) -> None:
        self.wall_ms: dict[str, float] = {}
        self.cpu_ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        # thread CPU time: pages run in parallel threads, so the process's CPU time would mix pages
        start, start_cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.wall_ms[name] = round((time.perf_counter() - start) * 1000, 1)
            self.cpu_ms[name] = round((time.thread_time() - start_cpu) * 1000, 1)


def derived_path(settings: Settings, sha256: str, page_number: int, stage: str, suffix: str = ".jpg") -> Path:
    """Deterministic place of a derived image: ``derived/<sha256>/<page>_<stage>.jpg``."""
    return settings.derived_dir / sha256 / f"{page_number:04d}_{stage}{suffix}"


def _save_image(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial{path.suffix}")
    if not cv2.imwrite(str(partial), image, [cv2.IMWRITE_JPEG_QUALITY, 85]):
        raise OSError(f"cannot write {path}")
    partial.replace(path)


def process_page(
    settings: Settings, sessions: sessionmaker[Session], page_id: int, batch_id: str, ctx: PageContext
) -> str:
    """Processes one page unless it is already done; returns the page's final state.

    Any failure is stored on the page (stage, code, message naming file and page) and the batch goes on.
    """
    with session_scope(sessions) as session:
        page = session.get_one(Page, page_id)
        if page.state in DONE_PAGE_STATES:
            return page.state.value
        scan = session.get_one(ScanFile, page.scan_file_id)
        page.attempts += 1
        master = settings.resolved_data_dir / (scan.master_path or "")
        name, media_type, number, sha256 = scan.source_path, scan.media_type or "", page.page_number, scan.sha256
    clock = _StageClock()
    deadline = Deadline(settings.page_timeout_s)
    bounded = replace(ctx, engine=DeadlineEngine(ctx.engine, deadline))
    try:
        outcome, image_path = run_within(
            deadline,
            lambda: _read_and_save(settings, master, media_type, name, number, sha256, bounded, deadline, clock),
            engine=ctx.engine,
        )
    except (UnreadableScan, PageProcessingError) as exc:
        return _fail(sessions, page_id, deadline.stage, exc.code, _naming_page(exc.message, name, number))
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - an unexpected bug on one page must not stop the batch
        logger.exception("page failed", extra={"file": name, "page": number, "stage": deadline.stage})
        return _fail(
            sessions, page_id, deadline.stage, "internal_error", f"{name}, page {number}: {type(exc).__name__}: {exc}"
        )
    with session_scope(sessions) as session:
        batch = session.get_one(Batch, batch_id)
        _save_outcome(session, session.get_one(Page, page_id), batch, outcome, image_path, settings, ctx, clock)
        return session.get_one(Page, page_id).state.value


def _read_and_save(
    settings: Settings,
    master: Path,
    media_type: str,
    name: str,
    number: int,
    sha256: str,
    ctx: PageContext,
    deadline: Deadline,
    clock: _StageClock,
) -> tuple[PageOutcome, Path]:
    """The page's work outside the database, run within its time limit: read, the pipeline, the derived image."""
    with clock.stage("read"):
        image = read_page(master, name, media_type, number, read_limits(settings))
    deadline.check("prepare")
    outcome = read_page_image(image, ctx)
    del image  # the page's pixels are not needed any more: one less full page held while saving
    deadline.check("save")
    with clock.stage("save"):
        image_path = derived_path(settings, sha256, number, outcome.image_stage)
        _save_image(image_path, outcome.image)
    return outcome, image_path


def _naming_page(message: str, name: str, number: int) -> str:
    prefix = f"{name}, page {number}"
    return message if message.startswith(name) else f"{prefix}: {message}"


def _fail(sessions: sessionmaker[Session], page_id: int, stage: str, code: str, message: str) -> str:
    with session_scope(sessions) as session:
        page = session.get_one(Page, page_id)
        page.state = PageState.FAILED
        page.failure_stage = stage
        page.reason_code = code
        page.reason = message
        page.processed_at = utcnow()
    logger.warning("page failed", extra={"page_id": page_id, "stage": stage, "reason_code": code})
    return PageState.FAILED.value


def _save_outcome(
    session: Session,
    page: Page,
    batch: Batch,
    outcome: PageOutcome,
    image_path: Path,
    settings: Settings,
    ctx: PageContext,
    clock: _StageClock,
) -> None:
    reading = outcome.reading
    page.rotation = reading.rotation
    page.skew_deg = reading.skew_deg
    page.form_id = reading.form_id
    page.match_score = reading.match_score
    page.alignment_score = reading.alignment_score
    page.quality_score = reading.quality.score
    page.image_path = str(image_path.relative_to(settings.resolved_data_dir))
    page.provenance = {
        # read and save around the pipeline's own stages; save is the derived image (the commit is not counted)
        "timings_ms": {**clock.wall_ms, **reading.timings_ms},
        "cpu_ms": {**clock.cpu_ms, **reading.cpu_ms},
        "quality": {
            "blur": reading.quality.blur,
            "contrast": reading.quality.contrast,
            "darkness": reading.quality.darkness,
        },
    }
    if len(outcome.halves) > 1:
        # the records of its second page have slots from SPREAD_SLOT_OFFSET and boxes from offset_px on
        page.provenance["spread"] = {
            "halves": len(outcome.halves),
            "forms": [half.segmented.form_id for half in outcome.halves],
            "offset_px": outcome.offsets_px[1],
            "slot_offset": SPREAD_SLOT_OFFSET,
        }
    page.failure_stage = page.reason_code = page.reason = None
    page.processed_at = utcnow()
    # Records are written with the page's state in one transaction, so a page is never half-saved;
    # clearing first keeps a deliberate reprocessing from duplicating (page, slot).
    session.execute(delete(Record).where(Record.page_id == page.id))
    if reading.form_id is None:
        page.state = PageState.UNMATCHED
        return
    book = batch.book
    for record_reading in reading.records:
        values = {f.key: f.value for f in record_reading.fields}
        form_id = outcome.form_of(record_reading)
        assert form_id is not None  # records are read only on a page that matched a form
        template = ctx.catalogue.form(form_id)
        record = Record(
            page_id=page.id,
            slot=record_reading.slot,
            book_id=book.id,
            office=book.office,
            act_type=template.act_type,
            act_year=book.year,
            copy=book.copy,
            form_id=form_id,
            act_number=values.get("act_number"),
            status=record_reading.status,
        )
        record.fields = [
            Field(
                key=f.key,
                position=i,
                value_type=f.value_type,
                required=template.field(f.key).required,
                raw_text=f.raw_text,
                value=f.value,
                confidence=round(f.confidence, 4),
                engine_confidence=round(f.engine_confidence, 4),
                state=f.state,
                reasons=list(f.reasons),
                box=list(f.box_px),
            )
            for i, f in enumerate(record_reading.fields)
        ]
        session.add(record)
    page.state = PageState.CHECKED
