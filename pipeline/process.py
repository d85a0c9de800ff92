"""One page through every pure stage: prepare, segment, recognise and decide. No database, no Prefect."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from pipeline.forms.catalogue import Catalogue
from pipeline.ocr.engine import OcrEngine
from pipeline.ocr.fields import read_record
from pipeline.ocr.lexicon import Lexicon
from pipeline.prepare import prepare_page
from pipeline.qa.rules import RuleSet, apply_rules, default_rules
from pipeline.qa.thresholds import Thresholds
from pipeline.segment import segment_page
from pipeline.types import PageReading, PreparedPage, SegmentedPage


@dataclass(frozen=True)
class PageContext:
    """What every page of a batch shares: the catalogue, the engine and the decision settings."""

    catalogue: Catalogue
    engine: OcrEngine
    lexicon: Lexicon
    thresholds: Thresholds
    form_hint: str | None = None
    dpi: int = 300
    reference_year: int | None = None
    rules: RuleSet = field(default_factory=default_rules)


@dataclass(frozen=True)
class PageOutcome:
    """The reading plus the intermediate images a reviewer may want to see (and the flow saves)."""

    reading: PageReading
    prepared: PreparedPage
    segmented: SegmentedPage


@contextmanager
def _timed(timings: dict[str, float], cpu: dict[str, float], stage: str) -> Iterator[None]:
    # CPU time of this thread beside wall time: with pages in parallel, wall time also counts waiting for a core.
    start, start_cpu = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 1)
        cpu[stage] = round((time.thread_time() - start_cpu) * 1000, 1)


def read_page(image: np.ndarray, ctx: PageContext) -> PageOutcome:
    """Reads one scanned page. Raises PageProcessingError subclasses for a page that cannot go on."""
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    osd: Callable[[np.ndarray], tuple[int, float]] = ctx.engine.detect_orientation
    with _timed(timings, cpu, "prepare"):
        prepared = prepare_page(image, osd=osd)
    with _timed(timings, cpu, "segment"):
        segmented = segment_page(prepared.image, ctx.catalogue, form_hint=ctx.form_hint, dpi=ctx.dpi)
    records = []
    with _timed(timings, cpu, "recognize"):
        if segmented.form_id is not None:
            template = ctx.catalogue.form(segmented.form_id)
            for slot_crops in segmented.slots:
                record = read_record(
                    slot_crops,
                    template,
                    ctx.engine,
                    ctx.lexicon,
                    ctx.thresholds,
                    page_quality=prepared.quality,
                    alignment_score=segmented.alignment_score,
                    reference_year=ctx.reference_year,
                )
                # fields that each look right may still contradict each other (dates, ages, sex and names)
                records.append(apply_rules(record, template.act_type, ctx.rules, ctx.lexicon))
    reading = PageReading(
        rotation=prepared.rotation,
        skew_deg=prepared.skew_deg,
        quality=prepared.quality,
        form_id=segmented.form_id,
        match_score=segmented.match_score,
        alignment_score=segmented.alignment_score,
        records=tuple(records),
        timings_ms=timings,
        cpu_ms=cpu,
    )
    return PageOutcome(reading=reading, prepared=prepared, segmented=segmented)
