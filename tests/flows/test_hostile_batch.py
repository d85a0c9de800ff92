"""The real batch flow on a folder mixing good scans with broken and hostile files, and with a page whose OCR
hangs past the page time limit: bad files are quarantined, bad pages fail by number, the rest is loaded."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import flows.runtime
from cli.main import app
from database.session import session_scope, workflow_sessions
from database.workflow import Batch, CopyKind, Page, PageState, Record, ScanFile, ScanFileState
from pipeline.config import Settings, get_settings
from pipeline.ocr.engine import OcrEngine
from pipeline.ocr.fakes import SlowEngine
from services.batches import BatchRequest, start_batch
from tests.conftest import SAMPLE_SCANS
from tests.ingest.test_hostile_scans import (
    good_files,
    pdf_with,
    png_bomb,
    tiff_bomb,
    tiff_with_broken_page,
)
from tests.services.test_page_timeout import _page_image

pytestmark = pytest.mark.slow

RUN_ARGS = ["--office", "KHJ", "--act-type", "birth", "--year", "2010", "--copy", "first"]


def _states(settings: Settings) -> dict[tuple[str, int], tuple[PageState, str | None, str | None]]:
    with session_scope(workflow_sessions(settings)) as session:
        rows = session.execute(
            select(ScanFile.source_path, Page.page_number, Page.state, Page.reason_code, Page.reason).join(Page)
        ).all()
    return {(name, number): (state, code, reason) for name, number, state, code, reason in rows}


def test_a_batch_of_good_broken_and_hostile_files_loads_the_good_pages(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    shutil.copy(SAMPLE_SCANS / "birth_tj_2010_printed.png", folder / "a_good_form.png")
    hostile = {
        "b_empty.png": b"",
        "c_password.pdf": pdf_with("encrypt"),
        "d_bomb.png": png_bomb(),
        "e_bomb.tif": tiff_bomb(),
        "f_huge_page_2.pdf": pdf_with("huge-page-2"),
        "g_broken_page_2.tif": tiff_with_broken_page(),
        "h_jpeg_named.pdf": good_files()[".jpg"],
        "i_truncated.jpg": good_files()[".jpg"][:300],
    }
    for name, data in hostile.items():
        (folder / name).write_bytes(data)
    result = CliRunner().invoke(app, ["run", str(folder), *RUN_ARGS])
    assert result.exit_code == 0, result.output
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        quarantined = dict(
            session.execute(
                select(ScanFile.source_path, ScanFile.reason_code).where(ScanFile.state == ScanFileState.QUARANTINED)
            ).all()
        )
        records = session.scalars(select(Record).join(Page).join(ScanFile)).all()
        assert records and {r.page.scan_file.source_path for r in records} == {"a_good_form.png"}
    assert quarantined == {
        "b_empty.png": "empty",
        "c_password.pdf": "encrypted",
        "d_bomb.png": "too_large",
        "e_bomb.tif": "too_large",
        "i_truncated.jpg": "corrupt_image",
    }
    states = _states(sqlite_settings)
    failed = {key: (code, reason) for key, (state, code, reason) in states.items() if state == PageState.FAILED}
    assert set(failed) == {("f_huge_page_2.pdf", 2), ("g_broken_page_2.tif", 2)}
    assert failed[("f_huge_page_2.pdf", 2)][0] == "too_large"
    for (name, number), (_code, reason) in failed.items():
        assert reason and reason.startswith(f"{name}, page {number}: "), reason
    done = {key for key, (state, _c, _r) in states.items() if state in (PageState.CHECKED, PageState.UNMATCHED)}
    assert done == {
        ("a_good_form.png", 1),
        ("f_huge_page_2.pdf", 1),
        ("f_huge_page_2.pdf", 3),
        ("g_broken_page_2.tif", 1),
        ("g_broken_page_2.tif", 3),
        ("h_jpeg_named.pdf", 1),
    }
    for name in (*quarantined, "f_huge_page_2.pdf", "g_broken_page_2.tif"):
        assert name in result.output  # the summary lists every problem by its file


@pytest.fixture
def hung_first_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowEngine]:
    """The first OCR engine a worker thread opens hangs in its first call for a minute; the others are real."""
    hung = SlowEngine(seconds=60)
    real = flows.runtime.get_engine
    handed: list[Any] = []

    def get_engine(settings: Settings) -> OcrEngine:
        engine: OcrEngine = hung if not handed else real(settings)
        handed.append(engine)
        return engine

    monkeypatch.setattr(flows.runtime, "get_engine", get_engine)
    yield hung
    hung.release.set()


def test_a_page_hanging_past_the_limit_fails_and_the_batch_goes_on(
    sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hung_first_engine: SlowEngine
) -> None:
    from flows.batch import run_batch_flow

    monkeypatch.setenv("ARCHIVE_PAGE_TIMEOUT_S", "5")
    get_settings.cache_clear()
    folder = tmp_path / "scans"
    folder.mkdir()
    for seed in range(1, 6):
        _page_image(seed).save(folder / f"p{seed}.png")
    request = BatchRequest(paths=(folder,), office="KHJ", act_type="birth", year=1987, copy=CopyKind.FIRST)
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        batch_id = start_batch(session, request).id
    started = time.monotonic()
    summary = run_batch_flow(batch_id, [str(folder)], workers=2)
    elapsed = time.monotonic() - started
    assert elapsed < 55, elapsed  # the hung call (60 s) was not waited for
    assert hung_first_engine.calls == 1
    states = _states(sqlite_settings)
    failed = {key: reason for key, (state, code, reason) in states.items() if state == PageState.FAILED}
    assert len(failed) == 1 and summary["failed"] == 1, states
    [((name, number), reason)] = failed.items()
    assert reason and reason.startswith(f"{name}, page {number}: timeout"), reason
    assert all(state == PageState.UNMATCHED for key, (state, _c, _r) in states.items() if key not in failed)
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        assert session.get_one(Batch, batch_id).state.value == "finished"


def test_a_folder_of_only_broken_files_runs_and_exits_non_zero(sqlite_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "empty.png").write_bytes(b"")
    (folder / "password.pdf").write_bytes(pdf_with("encrypt"))
    result = CliRunner().invoke(app, ["run", str(folder), *RUN_ARGS])
    assert result.exit_code == 6, result.output
    assert "empty.png" in result.output and "password.pdf" in result.output  # the summary's reasons
    assert "no page could be read from the files given" in " ".join(result.output.split())
