"""One page through every pure stage: prepare, segment, recognise and decide. No database, no Prefect.

A scan of an open book is read as its two pages (see :func:`pipeline.prepare.prepare_spread`), each
segmented and read on its own; the scan stays one page of its file. The second page's record slots are
numbered from ``SPREAD_SLOT_OFFSET`` and its field boxes lie right of the first page's in the outcome's image.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

from pipeline.forms.catalogue import Catalogue
from pipeline.ocr.engine import OcrEngine
from pipeline.ocr.fields import read_record
from pipeline.ocr.lexicon import Lexicon
from pipeline.prepare import SPREAD_SLOT_OFFSET, prepare_spread
from pipeline.qa.rules import RuleSet, apply_rules, default_rules
from pipeline.qa.thresholds import Thresholds
from pipeline.segment import segment_page
from pipeline.types import PageReading, PreparedPage, RecordReading, SegmentedPage


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
class PageHalf:
    """One page of the scan: the whole scan, or one page of a two-page spread."""

    prepared: PreparedPage
    segmented: SegmentedPage

    @property
    def image(self) -> np.ndarray:
        """The page aligned to its form (its field boxes are in this frame), or as prepared when it matched none."""
        return self.segmented.aligned if self.segmented.aligned is not None else self.prepared.image


@dataclass(frozen=True)
class PageOutcome:
    """The reading plus the image a reviewer sees (and the flow saves), the field boxes in its frame."""

    reading: PageReading
    halves: tuple[PageHalf, ...]  # the scan's one page, or a spread's two in reading order
    image: np.ndarray = field(repr=False)  # a spread's pages side by side, the second from ``offsets_px[1]``
    offsets_px: tuple[int, ...]  # x of each half's left edge in ``image``

    @property
    def image_stage(self) -> str:
        """What the saved image shows, for its file name."""
        if len(self.halves) > 1:
            return "spread"
        return "aligned" if self.halves[0].segmented.aligned is not None else "prepared"

    def form_of(self, record: RecordReading) -> str | None:
        """The form of the page the record was read on."""
        return self.halves[record.slot // SPREAD_SLOT_OFFSET].segmented.form_id


@contextmanager
def _timed(timings: dict[str, float], cpu: dict[str, float], stage: str) -> Iterator[None]:
    # CPU time of this thread beside wall time: with pages in parallel, wall time also counts waiting for a core.
    start, start_cpu = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 1)
        cpu[stage] = round((time.thread_time() - start_cpu) * 1000, 1)


def side_by_side(images: Sequence[np.ndarray]) -> tuple[np.ndarray, tuple[int, ...]]:
    """The pages in a row, top-aligned on white, and the x of each one's left edge (one page: itself)."""
    if len(images) == 1:
        return images[0], (0,)
    height = max(image.shape[0] for image in images)
    row = np.hstack([np.pad(image, ((0, height - image.shape[0]), (0, 0)), constant_values=255) for image in images])
    offsets = np.cumsum([0] + [image.shape[1] for image in images[:-1]])
    return row, tuple(int(x) for x in offsets)


def _read_half(half: PageHalf, ctx: PageContext, first_slot: int, offset_px: int) -> list[RecordReading]:
    """The records of one page, their slots numbered from ``first_slot``, boxes moved right by ``offset_px``."""
    segmented = half.segmented
    if segmented.form_id is None:
        return []
    template = ctx.catalogue.form(segmented.form_id)
    records = []
    for slot_crops in segmented.slots:
        record = read_record(
            slot_crops,
            template,
            ctx.engine,
            ctx.lexicon,
            ctx.thresholds,
            page_quality=half.prepared.quality,
            alignment_score=segmented.alignment_score,
            reference_year=ctx.reference_year,
        )
        # fields that each look right may still contradict each other (dates, ages, sex and names)
        record = apply_rules(record, template.act_type, ctx.rules, ctx.lexicon)
        if first_slot or offset_px:
            fields = tuple(replace(f, box_px=(f.box_px[0] + offset_px, *f.box_px[1:])) for f in record.fields)
            record = replace(record, slot=record.slot + first_slot, fields=fields)
        records.append(record)
    return records


def read_page(image: np.ndarray, ctx: PageContext) -> PageOutcome:
    """Reads one scanned page, or both pages of a spread. Raises PageProcessingError subclasses for a page that
    cannot go on.

    The page's form and scores are those of its first page that matched a form; a spread whose pages both
    match none is unmatched. Its turn and skew are its first page's, its quality the worse page's.
    """
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    osd: Callable[[np.ndarray], tuple[int, float]] = ctx.engine.detect_orientation
    with _timed(timings, cpu, "prepare"):
        pages = prepare_spread(image, osd=osd)
    with _timed(timings, cpu, "segment"):
        halves = tuple(
            PageHalf(page, segment_page(page.image, ctx.catalogue, form_hint=ctx.form_hint, dpi=ctx.dpi))
            for page in pages
        )
    shown, offsets = side_by_side([half.image for half in halves])
    records: list[RecordReading] = []
    with _timed(timings, cpu, "recognize"):
        for index, (half, offset) in enumerate(zip(halves, offsets, strict=True)):
            records.extend(_read_half(half, ctx, index * SPREAD_SLOT_OFFSET, offset))
    first = halves[0].prepared
    matched = next((half.segmented for half in halves if half.segmented.form_id is not None), halves[0].segmented)
    reading = PageReading(
        rotation=first.rotation,
        skew_deg=first.skew_deg,
        quality=min((half.prepared.quality for half in halves), key=lambda quality: quality.score),
        form_id=matched.form_id,
        match_score=matched.match_score,
        alignment_score=matched.alignment_score,
        records=tuple(records),
        timings_ms=timings,
        cpu_ms=cpu,
    )
    return PageOutcome(reading=reading, halves=halves, image=shown, offsets_px=offsets)
