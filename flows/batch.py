"""The batch flow: ingest the files given while their pages are processed (one task per page, a bounded number in
flight), check the book and draw its audit sample, load, summarise."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from sqlalchemy import select
from sqlalchemy.orm import Session

from database.session import session_scope, workflow_and_registry, workflow_sessions
from database.workflow import Batch, BatchFile, BatchState, Book, Page, ScanFile, ScanFileState
from flows.local_api import prefect_api
from flows.pacing import QUEUED_PER_WORKER, ProgressLog, TaskWindow
from flows.runtime import RunnerKind, page_context, page_task_runner
from pipeline.config import get_settings
from pipeline.ingest.discover import SourceFile, discover
from pipeline.qa.rules import load_rules
from services.audit_sampling import draw_audit
from services.batches import DONE_PAGE_STATES, finish_batch
from services.book_checks import check_books
from services.ingest import ingest_file
from services.loader import load_records
from services.pages import process_page

# Files ingested per task: small, so the first pages start soon and ingest keeps just ahead of the workers.
FILES_PER_INGEST = 4


@task(name="ingest-files")
def ingest_files(batch_id: str, sources: list[SourceFile]) -> dict[int, list[int]]:
    """Ingests the files into the batch, one transaction per file; returns, per stored file, its pages still to do."""
    settings = get_settings()
    sessions = workflow_sessions(settings)
    pending: dict[int, list[int]] = {}
    for source in sources:
        with session_scope(sessions) as session:
            outcome = ingest_file(session, settings, session.get_one(Batch, batch_id), source)
            if outcome.sha256 is not None and outcome.state != "quarantined":
                pending.update(_pages_to_do(session, outcome.sha256))
    return pending


def _pages_to_do(session: Session, sha256: str) -> dict[int, list[int]]:
    """The file's pages not done yet (a file already known may be done, partly done or quarantined)."""
    rows = session.execute(
        select(ScanFile.id, Page.id)
        .join(Page, Page.scan_file_id == ScanFile.id)
        .where(ScanFile.sha256 == sha256, ScanFile.state == ScanFileState.STORED, Page.state.not_in(DONE_PAGE_STATES))
        .order_by(Page.page_number)
    ).all()
    pages: dict[int, list[int]] = {}
    for scan_file_id, page_id in rows:
        pages.setdefault(scan_file_id, []).append(page_id)
    return pages


@task(name="pages-left")
def pages_left(batch_id: str, seen_files: list[int]) -> dict[int, list[int]]:
    """Pages still to do of files the batch holds from an earlier run but not found this time (a batch resumed
    after its scans were moved away: their masters are stored)."""
    seen = set(seen_files)
    settings = get_settings()
    with session_scope(workflow_sessions(settings)) as session:
        rows = session.execute(
            select(Page.scan_file_id, Page.id)
            .join(BatchFile, BatchFile.scan_file_id == Page.scan_file_id)
            .join(ScanFile, ScanFile.id == Page.scan_file_id)
            .where(
                BatchFile.batch_id == batch_id,
                ScanFile.state == ScanFileState.STORED,
                Page.state.not_in(DONE_PAGE_STATES),
            )
            .order_by(Page.scan_file_id, Page.page_number)
        )
        pages: dict[int, list[int]] = {}
        for scan_file_id, page_id in rows:
            if scan_file_id not in seen:  # pages of files found this time were submitted already
                pages.setdefault(scan_file_id, []).append(page_id)
    return pages


@task(name="process-page")
def process_page_task(page_id: int, batch_id: str, form_hint: str | None, year: int) -> str:
    settings = get_settings()
    ctx = page_context(settings, form_hint=form_hint, year=year)
    return process_page(settings, workflow_sessions(settings), page_id, batch_id, ctx)


@task(name="check-book")
def check_book_task(batch_id: str) -> dict[str, int]:
    """Before loading: act numbers of the batch's book flag what they find (gaps, repeats, out of date order),
    then a share of what stays auto-verified goes to review as an audit."""
    settings = get_settings()
    rules = load_rules(settings.schemas_dir / "rules.yaml")
    with session_scope(workflow_sessions(settings)) as session:
        book = session.get_one(Batch, batch_id).book
        checks = check_books(session, rules.sequence, office=book.office, book=book.label, flag=True)
        same_books = select(Book.id).where(
            Book.office == book.office, Book.act_type == book.act_type, Book.year == book.year, Book.copy == book.copy
        )
        drawn = draw_audit(session, rules.audit, book_ids=list(session.scalars(same_books)))
    return {
        "expected": sum(c.report.expected for c in checks),
        "found": sum(c.report.found for c in checks),
        "flagged": sum(c.flagged for c in checks),
        "audit_drawn": drawn.drawn,
    }


@task(name="load-verified")
def load_verified_task() -> dict[str, int]:
    settings = get_settings()
    with workflow_and_registry(settings) as (workflow, registry):
        result = load_records(workflow, registry)
    return {"loaded": result.loaded, "updated": result.updated, "skipped": result.skipped}


@flow(name="archive-batch")
def batch_flow(
    batch_id: str, paths: list[str], workers: int | None = None, runner: RunnerKind | None = None
) -> dict[str, Any]:
    """Runs one batch end to end. Safe to run again: done pages are skipped, nothing is duplicated.

    Files are found and ingested a few at a time while earlier pages are processed; at most a few pages per
    worker are submitted ahead, so a folder of thousands of files is never listed, nor a long book queued whole.
    ``workers`` defaults to ARCHIVE_WORKERS and ``runner`` to ARCHIVE_PAGE_RUNNER of the machine running the flow.
    """
    settings = get_settings()
    sessions = workflow_sessions(settings)
    workers = max(1, workers or settings.workers)
    logger = get_run_logger()
    with session_scope(sessions) as session:
        batch = session.get_one(Batch, batch_id)
        batch.flow_run_id = flow_run.id  # this run (a resumed batch: its latest), linked from the batches page
        form_hint, year = batch.form_hint, batch.book.year
    progress = ProgressLog(logger)
    seen_files: set[int] = set()  # the same content given twice in one batch is processed once
    with page_task_runner(runner or settings.page_runner, workers, settings.dask_address) as page_runner:
        window = TaskWindow(page_runner, workers * (1 + QUEUED_PER_WORKER), progress.done)

        def submit(pages: dict[int, list[int]]) -> None:
            for scan_file_id, page_ids in pages.items():
                if scan_file_id in seen_files:
                    continue
                seen_files.add(scan_file_id)
                for page_id in page_ids:
                    parameters = {"page_id": page_id, "batch_id": batch_id, "form_hint": form_hint, "year": year}
                    window.submit(process_page_task, parameters)
                    progress.submitted += 1

        for sources in _chunks(discover(Path(p) for p in paths), FILES_PER_INGEST):
            submit(ingest_files(batch_id, sources))
        submit(pages_left(batch_id, sorted(seen_files)))
        window.drain()
    progress.log()
    check_book_task(batch_id)
    load_verified_task()
    with session_scope(sessions) as session:
        return finish_batch(session, batch_id, state=BatchState.FINISHED).to_dict()


def _chunks(sources: Iterable[SourceFile], size: int) -> Iterator[list[SourceFile]]:
    iterator = iter(sources)
    while chunk := list(islice(iterator, size)):
        yield chunk


def run_batch_flow(
    batch_id: str, paths: list[str], *, workers: int, runner: RunnerKind | None = None
) -> dict[str, Any]:
    """Runs the flow in this process with ``workers`` pages at once (Tesseract and OpenCV single-threaded)."""
    with prefect_api():
        return batch_flow(batch_id, paths, workers=max(1, workers), runner=runner)
