"""What the flows share in one process: Prefect's local settings and one OCR engine per worker thread."""

from __future__ import annotations

import os
import threading
from datetime import date

from pipeline.config import Settings
from pipeline.forms.catalogue import load_catalogue
from pipeline.ocr.engine import OcrEngine, get_engine
from pipeline.ocr.lexicon import load_lexicon
from pipeline.process import PageContext
from pipeline.qa.thresholds import load_thresholds

_local = threading.local()


def configure_prefect(settings: Settings) -> None:
    """Local, offline Prefect defaults, set before Prefect is imported; explicit PREFECT_* settings win."""
    os.environ.setdefault("PREFECT_HOME", str(settings.resolved_data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")


def thread_engine(settings: Settings) -> OcrEngine:
    """Tesseract handles are not thread-safe: each worker thread keeps its own, open for the batch."""
    engine: OcrEngine | None = getattr(_local, "engine", None)
    if engine is None:
        engine = get_engine(settings)
        _local.engine = engine
    return engine


def page_context(settings: Settings, *, form_hint: str | None, year: int | None) -> PageContext:
    catalogue = load_catalogue(settings.schemas_dir / "forms")
    return PageContext(
        catalogue=catalogue,
        engine=thread_engine(settings),
        lexicon=load_lexicon(settings.schemas_dir),
        thresholds=load_thresholds(settings.thresholds_file or settings.schemas_dir / "thresholds.yaml"),
        form_hint=form_hint,
        dpi=300,
        reference_year=_reference_year(year),
    )


def _reference_year(book_year: int | None) -> int:
    """Two-digit years resolve at or before the book's year (the end of it), else this year."""
    return book_year if book_year else date.today().year
