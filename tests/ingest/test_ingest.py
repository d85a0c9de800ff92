"""Ingest of every format, of corrupt and hostile files, and of the same file twice."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from database.session import session_scope, workflow_sessions
from database.workflow import Batch, CopyKind, Page, ScanFile, ScanFileState
from pipeline.config import Settings
from pipeline.ingest.discover import discover
from pipeline.ingest.pages import ReadLimits, read_page
from services.batches import BatchRequest, start_batch
from services.ingest import IngestOutcome, ingest_file


def _page(seed: int, size: tuple[int, int] = (400, 560)) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = np.full((size[1], size[0]), 250, np.uint8)
    pixels[50 + seed : 60 + seed, 40:360] = 0
    pixels += rng.integers(0, 5, pixels.shape, dtype=np.uint8)
    return Image.fromarray(pixels, "L")


def _ingest_all(settings: Settings, folder: Path) -> dict[str, IngestOutcome]:
    request = BatchRequest(paths=(folder,), office="KHJ", act_type="birth", year=1987, copy=CopyKind.FIRST)
    sessions = workflow_sessions(settings)
    with session_scope(sessions) as session:
        batch_id = start_batch(session, request).id
    outcomes = {}
    for source in discover([folder]):
        with session_scope(sessions) as session:
            batch = session.get_one(Batch, batch_id)
            outcomes[source.source_name] = ingest_file(session, settings, batch, source)
    return outcomes


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    (folder / "book1").mkdir(parents=True)
    _page(1).save(folder / "book1" / "p1.png")
    _page(2).save(folder / "book1" / "p2.jpg", quality=90)
    _page(3).save(folder / "book1" / "pages.tif", save_all=True, append_images=[_page(4), _page(5)])
    _page(6).save(folder / "book1" / "pages.pdf", save_all=True, append_images=[_page(7)], resolution=100)
    _page(8).save(folder / "mislabelled.pdf", format="JPEG")  # a JPEG named .pdf: read by its content
    (folder / "empty.png").write_bytes(b"")
    (folder / "garbage.tif").write_bytes(os.urandom(3000))
    png = (folder / "book1" / "p1.png").read_bytes()
    (folder / "truncated.png").write_bytes(png[: len(png) // 2])
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF")
    (folder / "notes.bin").write_bytes(b"hello, this is not a scan")
    (folder / "p1.truth.json").write_text("{}")  # sidecar: never ingested
    return folder


def test_every_format_is_stored_and_every_bad_file_quarantined_with_its_name(settings: Settings, scans: Path) -> None:
    outcomes = _ingest_all(settings, scans)
    stored = {name: o.pages for name, o in outcomes.items() if o.state == "stored"}
    assert stored == {
        "book1/p1.png": 1,
        "book1/p2.jpg": 1,
        "book1/pages.tif": 3,
        "book1/pages.pdf": 2,
        "mislabelled.pdf": 1,
    }
    quarantined = {name: o.reason for name, o in outcomes.items() if o.state == "quarantined"}
    assert set(quarantined) == {"empty.png", "garbage.tif", "truncated.png", "broken.pdf", "notes.bin"}
    for name, reason in quarantined.items():
        assert reason is not None and reason.startswith(name), reason
        assert str(scans) not in reason  # messages name the file as given, never a machine path
    assert "p1.truth.json" not in outcomes
    with session_scope(workflow_sessions(settings)) as session:
        assert session.scalar(select(func.count()).select_from(Page)) == 8
        bad = session.scalars(select(ScanFile).where(ScanFile.state == ScanFileState.QUARANTINED)).all()
        assert {f.reason_code for f in bad} >= {"empty", "not_a_scan"}


def test_masters_are_content_addressed_read_only_and_sources_untouched(settings: Settings, scans: Path) -> None:
    source = scans / "book1" / "pages.tif"
    before = (source.read_bytes(), source.stat().st_mtime_ns)
    _ingest_all(settings, scans)
    sha = hashlib.sha256(before[0]).hexdigest()
    master = settings.masters_dir / sha[:2] / sha[2:4] / f"{sha}.tif"
    assert master.read_bytes() == before[0]
    assert not master.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before


def test_the_same_file_ingested_twice_is_linked_not_duplicated(settings: Settings, scans: Path) -> None:
    first = _ingest_all(settings, scans)
    second = _ingest_all(settings, scans)
    assert first["book1/pages.tif"].state == "stored"
    assert second["book1/pages.tif"].state == "known"
    with session_scope(workflow_sessions(settings)) as session:
        assert session.scalar(select(func.count()).select_from(Page)) == 8
        assert session.scalar(select(func.count()).select_from(ScanFile)) == 10


def test_decompression_bomb_is_quarantined(sqlite_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "bomb"
    folder.mkdir()

    # A valid PNG claiming 60000 x 60000 pixels (3.6 gigapixels) in under a kilobyte.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
    (folder / "bomb.png").write_bytes(png + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    outcome = _ingest_all(sqlite_settings, folder)["bomb.png"]
    assert outcome.state == "quarantined"
    assert outcome.reason and "too large" in outcome.reason


def test_symlink_out_of_the_folder_is_not_followed(sqlite_settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    _page(9).save(outside)
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "link.png").symlink_to(outside)
    outcome = _ingest_all(sqlite_settings, folder)["link.png"]
    assert outcome.state == "quarantined"
    assert outcome.reason and "outside" in outcome.reason


def test_pages_are_read_one_at_a_time_in_grayscale(scans: Path) -> None:
    limits = ReadLimits(dpi=100)
    tif = read_page(scans / "book1" / "pages.tif", "pages.tif", "image/tiff", 3, limits)
    pdf = read_page(scans / "book1" / "pages.pdf", "pages.pdf", "application/pdf", 2, limits)
    assert tif.ndim == 2 and tif.dtype == np.uint8 and tif.shape == (560, 400)
    assert pdf.ndim == 2 and abs(pdf.shape[0] - 560) <= 2
    # page 3 of the TIFF is _page(5): its dark bar starts at row 55
    assert tif[57, 100] < 50 and tif[40, 100] > 200
