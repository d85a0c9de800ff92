"""The batch flow: ingest the files given, process every pending page (one task per page), check the book and
draw its audit sample, load, summarise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy import select

from database.session import session_scope, workflow_and_registry, workflow_sessions
from database.workflow import Batch, BatchState, Book
from flows.runtime import page_context
from pipeline.config import get_settings
from pipeline.ingest.discover import discover
from pipeline.qa.rules import load_rules
from services.audit_sampling import draw_audit
from services.batches import batch_page_ids, finish_batch
from services.book_checks import check_books
from services.ingest import ingest_file
from services.loader import load_records
from services.pages import process_page


@task(name="ingest-files")
def ingest_files(batch_id: str, paths: list[str]) -> dict[str, int]:
    """Ingests every file found under ``paths`` into the batch, one transaction per file."""
    settings = get_settings()
    sessions = workflow_sessions(settings)
    counts = {"stored": 0, "known": 0, "quarantined": 0}
    for source in discover(Path(p) for p in paths):
        with session_scope(sessions) as session:
            outcome = ingest_file(session, settings, session.get_one(Batch, batch_id), source)
        counts[outcome.state] += 1
    return counts


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
def batch_flow(batch_id: str, paths: list[str]) -> dict[str, Any]:
    """Runs one batch end to end. Safe to run again: done pages are skipped, nothing is duplicated."""
    settings = get_settings()
    sessions = workflow_sessions(settings)
    ingest_files(batch_id, paths)
    with session_scope(sessions) as session:
        batch = session.get_one(Batch, batch_id)
        form_hint, year = batch.form_hint, batch.book.year
        page_ids = batch_page_ids(session, batch_id, pending_only=True)
    futures = [process_page_task.submit(page_id, batch_id, form_hint, year) for page_id in page_ids]
    wait(futures)
    check_book_task(batch_id)
    load_verified_task()
    with session_scope(sessions) as session:
        return finish_batch(session, batch_id, state=BatchState.FINISHED).to_dict()


def run_batch_flow(batch_id: str, paths: list[str], *, workers: int) -> dict[str, Any]:
    """Runs the flow in this process with ``workers`` pages at once (threads; Tesseract itself single-threaded)."""
    runner = ThreadPoolTaskRunner(max_workers=max(1, workers))  # type: ignore[arg-type]
    return batch_flow.with_options(task_runner=runner)(batch_id, paths)
