"""Generates sample scans with ground truth: filled forms and book covers, "scanned" with a profile's defects.

A scan file is planned as a :class:`FileSpec` (its pages as :class:`PageSpec`), then made by
:func:`make_file` and written by :func:`write_file`. :func:`generate_scans` plans and writes many at once.
Everything drawn comes from a seeded generator per file, so the same plan always gives the same files.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import Catalogue, load_catalogue
from pipeline.prepare.spread import SPREAD_SLOT_OFFSET
from pipeline.synth import defects
from pipeline.synth.cover import render_cover
from pipeline.synth.lexicon import SynthLexicon, load_synth_lexicon
from pipeline.synth.profiles import Profile, get_profile
from pipeline.synth.render import STYLES, render_filled
from pipeline.synth.scan import ScanParams, draw_params, simulate_scan
from pipeline.synth.values import Book, RecordValues, form_era, generate_record, new_book
from pipeline.synth.writers import MULTI_PAGE, SUFFIXES, ScanFormat, write_scan, write_truth

GENERATOR_VERSION = 1
DEFAULT_SCHEMAS = PROJECT_ROOT / "schemas"
# Share of two-record pages (birth_su_1970) whose second slot is left empty: the book's last record.
_EMPTY_SLOT_SHARE = 0.15
_SPREAD_GUTTER_WIDTH = 0.05  # of a page's width: the shadow where each page of an open book curves into the spine
_SPREAD_GUTTER_DEPTH = (0.25, 0.55)


@dataclass(frozen=True)
class PageSpec:
    """One page to make. ``form_id`` None makes the book's cover; other None fields are drawn."""

    form_id: str | None
    profile: str = "mixed"
    style: str | None = None  # a key of render.STYLES
    rotation: int | None = None
    skew_deg: float | None = None
    records: int | None = None  # records on the page (a spread's second page), at most the form's slots
    spread: bool = False  # two pages of the book side by side in one scan, as an open book lies on the glass


@dataclass(frozen=True)
class FileSpec:
    """One scan file; its record pages come from one book (office and year) per form."""

    name: str  # file name without suffix
    fmt: ScanFormat | Literal["auto"]  # auto: PNG for a noise-free grey page, else JPEG
    pages: tuple[PageSpec, ...]
    dpi: int = 300
    seed: int = 0
    year: int | None = None  # of the books; drawn within each form's years when None


@dataclass(frozen=True)
class MadeFile:
    """A file's pages as arrays, its ground truth, and the format chosen."""

    spec: FileSpec
    fmt: ScanFormat
    pages: list[np.ndarray] = field(repr=False)
    truth: dict[str, Any]
    jpeg_quality: int
    lossless: bool  # every page noise-free and grey: PNG, deflated TIFF


@dataclass(frozen=True)
class _Sources:
    catalogue: Catalogue
    lexicon: SynthLexicon


def _sources(schemas_dir: Path) -> _Sources:
    return _Sources(load_catalogue(schemas_dir / "forms"), load_synth_lexicon(schemas_dir / "lexicons"))


def _style(spec: PageSpec, profile: Profile, era: str, rng: random.Random) -> str:
    if spec.style is not None:
        if spec.style not in STYLES:
            raise ValueError(f"unknown writing style {spec.style!r}; known: {', '.join(STYLES)}")
        return spec.style
    if rng.random() < profile.handwritten_share:
        return "handwriting"
    # Soviet offices typed on typewriters; since 2010 most entries are printed, some still typed.
    return "typewriter" if era == "su" or rng.random() < 0.2 else "printer"


def _record_count(spec: PageSpec, slots: int, rng: random.Random) -> int:
    if spec.records is not None:
        if not 1 <= spec.records <= slots:
            raise ValueError(f"a page of this form holds 1 to {slots} records, not {spec.records}")
        return spec.records
    return slots - 1 if slots > 1 and rng.random() < _EMPTY_SLOT_SHARE else slots


def _truth_page(
    number: int, form_id: str | None, params: ScanParams, records: Sequence[RecordValues], *, spread: bool
) -> dict[str, Any]:
    page = {
        "page": number,
        "form": form_id,
        "rotation": params.rotation,
        "skew_deg": params.skew_deg,
        "records": [{"slot": r.slot, "fields": r.truth()} for r in records],
    }
    # a spread's second page has its slots numbered from SPREAD_SLOT_OFFSET, as the pipeline keys them
    return {**page, "spread": True} if spread else page


def _open_book(left: np.ndarray, right: np.ndarray, depth: float) -> np.ndarray:
    """Two upright pages side by side, each shadowed where it curves into the spine between them."""
    return np.hstack(
        [
            defects.gutter_shadow(left, _SPREAD_GUTTER_WIDTH, depth, left=False),
            defects.gutter_shadow(right, _SPREAD_GUTTER_WIDTH, depth, left=True),
        ]
    )


def make_file(spec: FileSpec, *, schemas_dir: Path = DEFAULT_SCHEMAS) -> MadeFile:
    """The pages and ground truth of one planned file (nothing is written)."""
    if not spec.pages:
        raise ValueError(f"{spec.name}: a file needs at least one page")
    sources = _sources(schemas_dir)
    # Separate streams: the values do not change with the resolution or the writing, nor the defects with either.
    values_rng, ink_rng, scan_rng = (
        random.Random(f"{spec.seed}:{spec.name}:{part}") for part in ("values", "ink", "scan")
    )
    books: dict[str, Book] = {}
    first_form = next((p.form_id for p in spec.pages if p.form_id), None) or values_rng.choice(
        sorted(sources.catalogue.forms)
    )

    def book_for(form_id: str) -> Book:
        if form_id not in books:
            books[form_id] = new_book(sources.catalogue.form(form_id), sources.lexicon, values_rng, year=spec.year)
        return books[form_id]

    images: list[np.ndarray] = []
    truth_pages: list[dict[str, Any]] = []
    generator_pages: list[dict[str, Any]] = []
    params_seen: list[ScanParams] = []
    for number, page in enumerate(spec.pages, start=1):
        profile = get_profile(page.profile)
        params = draw_params(profile, scan_rng, rotation=page.rotation, skew_deg=page.skew_deg)
        params_seen.append(params)
        records: list[RecordValues] = []
        style: str | None
        if page.form_id is None:
            style = None
            upright = render_cover(book_for(first_form), spec.dpi, ink_rng)
        else:
            form = sources.catalogue.form(page.form_id)
            style = _style(page, profile, form_era(form), values_rng)
            sides = []
            # a spread's first page is full: only the book's last page may leave a slot empty
            for side in range(2 if page.spread else 1):
                full = page.spread and side == 0
                count = form.records_per_page if full else _record_count(page, form.records_per_page, values_rng)
                side_records, books[page.form_id] = _records(
                    book_for(page.form_id), count, sources.lexicon, values_rng, style
                )
                sides.append(render_filled(form, side_records, style, spec.dpi, ink_rng))
                records.extend(replace(r, slot=r.slot + side * SPREAD_SLOT_OFFSET) for r in side_records)
            if page.spread:
                upright = _open_book(sides[0], sides[1], scan_rng.uniform(*_SPREAD_GUTTER_DEPTH))
            else:
                upright = sides[0]
        images.append(simulate_scan(upright, params, spec.dpi, seed=scan_rng.getrandbits(64)))
        truth_pages.append(_truth_page(number, page.form_id, params, records, spread=page.spread))
        generator_pages.append(
            {
                "page": number,
                "profile": profile.name,
                "style": style,
                "colour": params.colour is not None,
                "written": [{"slot": r.slot, "fields": r.written()} for r in records],
            }
        )
    lossless = all(p.lossless for p in params_seen)
    fmt: ScanFormat = spec.fmt if spec.fmt != "auto" else ("png" if lossless else "jpeg")
    truth = {
        "pages": truth_pages,
        "generator": {
            "version": GENERATOR_VERSION,
            "seed": spec.seed,
            "file": spec.name,
            "dpi": spec.dpi,
            "pages": generator_pages,
        },
    }
    quality = min(p.jpeg_quality for p in params_seen)
    return MadeFile(spec=spec, fmt=fmt, pages=images, truth=truth, jpeg_quality=quality, lossless=lossless)


def _records(
    book: Book, count: int, lexicon: SynthLexicon, rng: random.Random, style: str
) -> tuple[list[RecordValues], Book]:
    """The book's next ``count`` records in slots 0, 1, ... of one page, and the book moved on past them."""
    records = []
    for slot in range(count):
        record, book = generate_record(book, slot, lexicon, rng, typewriter=style == "typewriter")
        records.append(record)
    return records, book


def write_file(made: MadeFile, out_dir: Path) -> Path:
    """Writes the scan file and its truth beside it; returns the scan file's path."""
    path = out_dir / (made.spec.name + SUFFIXES[made.fmt])
    write_scan(path, made.pages, made.fmt, made.spec.dpi, jpeg_quality=made.jpeg_quality, lossless=made.lossless)
    write_truth(path, made.truth)
    return path


def plan_files(
    *,
    count: int,
    profile: str,
    seed: int,
    forms: Sequence[str],
    dpi: int,
    formats: Sequence[ScanFormat | Literal["auto"]],
    pages_per_file: int,
    cover_share: float,
    spread_share: float = 0.0,
) -> list[FileSpec]:
    """Files for ``count`` pages: formats taken in turn, one page per PNG/JPEG/auto file and up to
    ``pages_per_file`` per TIFF/PDF file, each file one book of a form drawn from ``forms``.

    Which pages are spreads is drawn from a stream of its own, so the files planned are the same as
    without spreads but for those pages."""
    if count < 0 or pages_per_file < 1:
        raise ValueError("count must be >= 0 and pages_per_file >= 1")
    if not forms or not formats:
        raise ValueError("at least one form and one format are needed")
    get_profile(profile)
    rng = random.Random(f"plan:{seed}")
    spread_rng = random.Random(f"spreads:{seed}")
    files: list[FileSpec] = []
    left = count
    while left > 0:
        fmt = formats[len(files) % len(formats)]
        size = min(left, pages_per_file if fmt in MULTI_PAGE else 1)
        form_id = rng.choice(list(forms))
        pages = [
            PageSpec(form_id=form_id, profile=profile, spread=spread_rng.random() < spread_share) for _ in range(size)
        ]
        if rng.random() < cover_share:
            pages[0] = PageSpec(form_id=None, profile=profile)
        files.append(FileSpec(name=f"scan_{len(files) + 1:04d}", fmt=fmt, pages=tuple(pages), dpi=dpi, seed=seed))
        left -= size
    return files


def generate_scans(
    out_dir: Path,
    *,
    count: int,
    profile: str = "mixed",
    seed: int = 0,
    forms: Sequence[str] | None = None,
    dpi: int = 300,
    formats: Sequence[ScanFormat | Literal["auto"]] = ("auto",),
    pages_per_file: int = 1,
    cover_share: float = 0.0,
    spread_share: float = 0.0,
    schemas_dir: Path = DEFAULT_SCHEMAS,
) -> list[Path]:
    """Writes scan files holding ``count`` pages, each with ``NAME.truth.json`` beside it, into ``out_dir``.

    ``profile``: clean, mixed or hard. ``forms``: form ids to draw from (default all in the catalogue).
    ``formats``: taken in turn per file; ``auto`` is PNG or, for noisy pages, JPEG. ``pages_per_file``: pages
    of each TIFF or PDF file. ``cover_share``: share of files whose first page is the book's cover.
    ``spread_share``: share of record pages that are two-page spreads (truth: ``"spread": true``, the second
    page's slots numbered from ``SPREAD_SLOT_OFFSET``).
    Returns the scan files in the order written.
    """
    catalogue = _sources(schemas_dir).catalogue
    for form_id in forms or ():
        catalogue.form(form_id)
    plan = plan_files(
        count=count,
        profile=profile,
        seed=seed,
        forms=list(forms) if forms else sorted(catalogue.forms),
        dpi=dpi,
        formats=formats,
        pages_per_file=pages_per_file,
        cover_share=cover_share,
        spread_share=spread_share,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_file(make_file(spec, schemas_dir=schemas_dir), out_dir) for spec in plan]
