"""What the flows share in one process: Prefect's local settings, the page task runner, one OCR engine per thread."""

from __future__ import annotations

import os
import threading
from datetime import date
from typing import Any, Literal

import cv2

from pipeline.config import Settings
from pipeline.deadline import is_abandoned
from pipeline.errors import ConfigError
from pipeline.forms.catalogue import load_catalogue
from pipeline.ocr.engine import OcrEngine, get_engine
from pipeline.ocr.lexicon import load_lexicon
from pipeline.process import PageContext
from pipeline.qa.rules import load_rules
from pipeline.qa.thresholds import load_thresholds

_local = threading.local()


def configure_prefect(settings: Settings) -> None:
    """Local, offline Prefect defaults, set before Prefect is imported; explicit PREFECT_* settings win."""
    os.environ.setdefault("PREFECT_HOME", str(settings.resolved_data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
    # The in-process server starts in ~13 s on an idle 2-core machine but can take minutes on a busy one.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


RunnerKind = Literal["threads", "processes", "dask"]


def limit_native_threads() -> None:
    """One thread inside OpenCV, as inside Tesseract (OMP_THREAD_LIMIT=1, set by the engine module).

    Pages are what runs in parallel; OpenCV's own pool on top of that only adds switching (measured on 2 cores
    with 2 pages at once: 0.70 CPU s a page with OpenCV's default of one thread per core, 0.675 s with one).
    It also makes a page thread's CPU time (its provenance) count all the work done for the page.
    """
    cv2.setNumThreads(1)


def page_task_runner(kind: RunnerKind, workers: int, dask_address: str | None = None) -> Any:
    """The task runner pages go through: threads by default (see deploy/README.md for the measurements).

    Threads work because Tesseract and OpenCV release the GIL while they compute; processes are kept as an
    option for measurement and for pipelines that would hold the GIL longer. Page processes reach the API
    the flow uses through PREFECT_API_URL (``flows.local_api`` sets it when no server is configured).
    ``dask`` sends pages to the workers of a running Dask cluster (``prefect-dask``, the ``dask`` extra); its
    workers need the same ARCHIVE_* and PREFECT_API_URL settings and the masters on shared storage.
    """
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    if kind == "dask":
        return _dask_task_runner(dask_address)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=workers, initializer=limit_native_threads)
    limit_native_threads()
    return ThreadPoolTaskRunner(max_workers=workers)


def _dask_task_runner(address: str | None) -> Any:
    if not address:
        raise ConfigError(
            "pages are to run on a Dask cluster (ARCHIVE_PAGE_RUNNER=dask) but no scheduler is named: set "
            "ARCHIVE_DASK_ADDRESS=tcp://host:8786, or ARCHIVE_PAGE_RUNNER=threads to run pages on this machine"
        )
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise ConfigError("ARCHIVE_PAGE_RUNNER=dask needs prefect-dask: pip install 'archive-digitizer[dask]'") from exc
    return DaskTaskRunner(address=address)


def thread_engine(settings: Settings) -> OcrEngine:
    """Tesseract handles are not thread-safe: each worker thread keeps its own, open for the batch."""
    engine: OcrEngine | None = getattr(_local, "engine", None)
    if engine is None or is_abandoned(engine):  # one left in a call past a page's time limit is never reused
        engine = get_engine(settings)
        _local.engine = engine
    return engine


def page_context(settings: Settings, *, form_hint: str | None, year: int | None) -> PageContext:
    limit_native_threads()  # also in pages run by a Dask worker, whose threads this process did not start
    catalogue = load_catalogue(settings.schemas_dir / "forms")
    return PageContext(
        catalogue=catalogue,
        engine=thread_engine(settings),
        lexicon=load_lexicon(settings.schemas_dir),
        thresholds=load_thresholds(settings.thresholds_file or settings.schemas_dir / "thresholds.yaml"),
        rules=load_rules(settings.schemas_dir / "rules.yaml"),
        form_hint=form_hint,
        dpi=300,
        reference_year=_reference_year(year),
    )


def _reference_year(book_year: int | None) -> int:
    """Two-digit years resolve at or before the book's year (the end of it), else this year."""
    return book_year if book_year else date.today().year
