"""`archive run`: ingest files and folders and run the whole flow on them, with a progress bar."""

from __future__ import annotations

import getpass
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import func, select

from cli.common import console, domain_errors, ready_settings
from database.session import session_scope, workflow_sessions
from database.workflow import BatchFile, CopyKind, Page
from pipeline.config import Settings
from pipeline.errors import IngestError
from pipeline.forms.catalogue import load_catalogue
from pipeline.ingest.fingerprint import sniff_media_type
from services.batches import DONE_PAGE_STATES, BatchRequest, problems_of_batch, start_batch


def _batch_counts(settings: Settings, batch_id: str) -> tuple[int, int, int]:
    """Files linked so far, pages known, pages done (read while the flow writes)."""
    with session_scope(workflow_sessions(settings)) as session:
        files = session.scalar(select(func.count()).where(BatchFile.batch_id == batch_id)) or 0
        file_ids = select(BatchFile.scan_file_id).where(BatchFile.batch_id == batch_id)
        pages = session.scalar(select(func.count()).select_from(Page).where(Page.scan_file_id.in_(file_ids))) or 0
        done = (
            session.scalar(
                select(func.count())
                .select_from(Page)
                .where(Page.scan_file_id.in_(file_ids), Page.state.in_([*DONE_PAGE_STATES, "failed"]))
            )
            or 0
        )
    return files, pages, done


def _run_with_progress(settings: Settings, batch_id: str, paths: list[str]) -> dict[str, Any]:
    from flows.batch import run_batch_flow  # Prefect is imported only once its settings are in place

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["summary"] = run_batch_flow(batch_id, paths, workers=settings.workers)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="batch-flow", daemon=True)
    worker.start()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        files_task = progress.add_task("files ingested", total=None)
        pages_task = progress.add_task("pages processed", total=None)
        while worker.is_alive():
            worker.join(0.5)
            files, pages, done = _batch_counts(settings, batch_id)
            progress.update(files_task, completed=files)
            progress.update(pages_task, completed=done, total=pages or None)
        files, pages, done = _batch_counts(settings, batch_id)
        progress.update(files_task, completed=files, total=files)
        progress.update(pages_task, completed=done, total=pages)
    if "error" in outcome:
        raise outcome["error"]
    return dict(outcome["summary"])


def print_summary(summary: dict[str, Any], problems: list[tuple[str, int | None, str, str]], seconds: float) -> None:
    table = Table(title=f"batch {summary['batch_id']}", show_header=False)
    for label, key in (
        ("files", "files"),
        ("pages", "pages"),
        ("records", "records"),
        ("auto-verified", "auto_verified"),
        ("to review", "to_review"),
        ("loaded into the registry", "loaded"),
        ("quarantined files", "quarantined"),
        ("failed pages", "failed"),
        ("pages of no known form", "unmatched"),
    ):
        table.add_row(label, str(summary[key]))
    table.add_row("wall time", f"{seconds:.1f} s")
    console.print(table)
    if problems:
        issues = Table(title="quarantined files and failed pages", show_lines=False)
        issues.add_column("file")
        issues.add_column("page")
        issues.add_column("reason")
        issues.add_column("message", overflow="fold")
        for path, page, code, message in problems:
            issues.add_row(path, str(page or "-"), code, message)
        console.print(issues)


def run(
    paths: Annotated[list[Path], typer.Argument(help="scan files (PDF, TIFF, JPEG, PNG) or folders of them")],
    office: Annotated[str, typer.Option(help="office code, e.g. KHJ")],
    act_type: Annotated[str, typer.Option("--act-type", help="birth, death, marriage or divorce")],
    year: Annotated[int, typer.Option(help="the book's year")],
    copy: Annotated[CopyKind, typer.Option(help="first or second copy")],
    book: Annotated[str | None, typer.Option(help="book label; default office-type-year-copy")] = None,
    form: Annotated[str | None, typer.Option(help="form id, when every page is known to be of one form")] = None,
) -> None:
    """Ingest the files or folders and run the whole flow on them; prints a summary."""
    with domain_errors():
        check_given(paths)
        settings = ready_settings()
        if form is not None:
            load_catalogue(settings.schemas_dir / "forms").form(form)
        from flows.runtime import configure_prefect, thread_engine

        configure_prefect(settings)
        thread_engine(settings)  # checks Tesseract and its languages before any file is touched
        request = BatchRequest(
            paths=tuple(paths),
            office=office,
            act_type=act_type,
            year=year,
            copy=copy,
            book_label=book,
            form_hint=form,
            started_by=getpass.getuser(),
        )
        with session_scope(workflow_sessions(settings)) as session:
            batch_id = start_batch(session, request).id
        started = time.perf_counter()
        summary = _run_with_progress(settings, batch_id, [str(p) for p in paths])
        with session_scope(workflow_sessions(settings)) as session:
            problems = problems_of_batch(session, batch_id)
        print_summary(summary, problems, time.perf_counter() - started)
        if not summary["pages"]:
            raise IngestError(
                "no page could be read from the files given (the reasons are listed above); "
                f"give scan files ({SCAN_KINDS}) or folders of them"
            )


SCAN_KINDS = "PDF, TIFF, JPEG, PNG"


def check_given(paths: list[Path]) -> None:
    """Refuses, before a batch is started, a run none of whose paths is a folder or a scan (a first run given the
    wrong file); when some are, the batch runs and quarantines the others with their reasons."""
    problems = []
    for path in paths:
        if path.is_dir():
            return
        try:
            if sniff_media_type(path) is not None:
                return
            empty = path.stat().st_size == 0
            problems.append(f"{path}: " + ("the file is empty (0 bytes)" if empty else "not a scan (by its content)"))
        except FileNotFoundError:
            problems.append(f"{path}: no such file or folder")
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror})")
    raise IngestError(f"nothing to run: {'; '.join(problems)}. Give scan files ({SCAN_KINDS}) or folders of them")
