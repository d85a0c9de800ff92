"""Pages in parallel on one machine: bounded submission while files are still being ingested, both runners."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy import func, select

import flows.batch
from database.session import session_scope, workflow_sessions
from database.workflow import CopyKind, Page, PageState, Record, ScanFile
from flows.batch import run_batch_flow
from flows.local_api import prefect_api
from flows.pacing import ProgressLog, TaskWindow
from pipeline.config import Settings
from services.batches import BatchRequest, start_batch
from tests.flows.test_batch_flow import RUN_ARGS, _truth_records
from tests.flows.test_deployment import _descendants

FILES = 24
WORKERS = 2


class _Recorder:
    """What the stand-in page task saw: pages, how many ran at once, files ingested when each page started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: list[int] = []
        self.running = 0
        self.most_running = 0
        self.files_at_start: list[int] = []


recorder = _Recorder()


@task(name="process-page")
def _stand_in_page_task(page_id: int, batch_id: str, form_hint: str | None, year: int) -> str:
    """Takes the place of the real page work: slow enough to overlap, no OCR."""
    from pipeline.config import get_settings

    with session_scope(workflow_sessions(get_settings())) as session:
        files = session.scalar(select(func.count()).select_from(ScanFile)) or 0
    with recorder.lock:
        recorder.pages.append(page_id)
        recorder.files_at_start.append(files)
        recorder.running += 1
        recorder.most_running = max(recorder.most_running, recorder.running)
    time.sleep(0.15)
    with recorder.lock:
        recorder.running -= 1
    return PageState.CHECKED.value


def _small_scans(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        pixels = np.full((60, 40), 255, dtype=np.uint8)
        pixels[i // 40, i % 40] = 0  # every file differs, so none is taken for a copy of another
        Image.fromarray(pixels).save(folder / f"p{i:03d}.png")
    return folder


def _start(settings: Settings, paths: list[Path]) -> str:
    request = BatchRequest(paths=tuple(paths), office="KHJ", act_type="birth", year=2015, copy=CopyKind.FIRST)
    with session_scope(workflow_sessions(settings)) as session:
        return start_batch(session, request).id


def test_pages_start_while_files_are_still_ingested_and_each_is_submitted_once(
    sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    global recorder
    recorder = _Recorder()
    monkeypatch.setattr(flows.batch, "process_page_task", _stand_in_page_task)
    scans = _small_scans(tmp_path / "scans", FILES)
    batch_id = _start(sqlite_settings, [scans, scans / "p000.png"])  # one file given twice: processed once
    run_batch_flow(batch_id, [str(scans), str(scans / "p000.png")], workers=WORKERS)
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        page_ids = sorted(session.scalars(select(Page.id)))
    assert len(page_ids) == FILES
    assert sorted(recorder.pages) == page_ids
    assert recorder.most_running == WORKERS
    # Ingest and processing overlap: the first pages ran before the last files were found.
    assert min(recorder.files_at_start) < FILES


def test_a_batch_resumed_after_its_scans_were_moved_away_still_does_its_pages(
    sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    global recorder
    scans = _small_scans(tmp_path / "scans", 6)
    batch_id = _start(sqlite_settings, [scans])

    @task(name="process-page")
    def crashing_page_task(page_id: int, batch_id: str, form_hint: str | None, year: int) -> str:
        raise RuntimeError("the machine went down")

    monkeypatch.setattr(flows.batch, "process_page_task", crashing_page_task)
    run_batch_flow(batch_id, [str(scans)], workers=WORKERS)
    shutil.rmtree(scans)  # the masters are stored: the scans given are not needed any more
    recorder = _Recorder()
    monkeypatch.setattr(flows.batch, "process_page_task", _stand_in_page_task)
    run_batch_flow(batch_id, [str(scans)], workers=WORKERS)
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        page_ids = sorted(session.scalars(select(Page.id)))
    assert len(page_ids) == 6
    assert sorted(recorder.pages) == page_ids


def test_the_window_never_holds_more_unfinished_tasks_than_its_size() -> None:
    size, tasks = 3, 12
    lock = threading.Lock()
    unfinished_at_submit: list[int] = []
    counts = {"submitted": 0, "finished": 0}

    @task
    def nap(i: int) -> int:
        time.sleep(0.02 * (i % 3))
        return i

    def finished(state_name: str, result: Any) -> None:
        assert state_name == "COMPLETED"
        counts["finished"] += 1

    class CountingRunner(ThreadPoolTaskRunner):  # type: ignore[type-arg]
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            with lock:
                unfinished_at_submit.append(counts["submitted"] - counts["finished"])
                counts["submitted"] += 1
            return super().submit(*args, **kwargs)

    @flow
    def windowed() -> None:
        with CountingRunner(max_workers=2) as runner:
            window = TaskWindow(runner, size, finished)
            for i in range(tasks):
                window.submit(nap, {"i": i})
            window.drain()

    with prefect_api():
        windowed()
    assert counts == {"submitted": tasks, "finished": tasks}
    assert max(unfinished_at_submit) == size - 1  # full windows were waited on before submitting more


def test_progress_is_logged_with_each_outcome(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.progress")
    progress = ProgressLog(logger, every_s=0.0)
    progress.submitted = 3
    with caplog.at_level(logging.INFO, logger="test.progress"):
        progress.done("COMPLETED", "checked")
        progress.done("COMPLETED", "failed")
        progress.done("FAILED", None)
    assert progress.finished == 3
    assert "pages finished 3 of 3 submitted so far (checked 1, failed 1, task failed 1)" in caplog.messages[-1]


@pytest.mark.slow
def test_page_processes_read_pages_as_threads_do(sqlite_settings: Settings, scans: Path) -> None:
    """The process runner (kept for measurement, see deploy/README.md) gives every record, each once."""
    picked = [scans / "birth_tj_2010_printed.png", scans / "death_tj_2010_printed.png"]
    batch_id = _start(sqlite_settings, picked)
    summary = run_batch_flow(batch_id, [str(p) for p in picked], workers=2, runner="processes")
    assert summary["pages_done"] == 2
    truth = {key for key in _truth_records(scans) if key[0] in {p.name for p in picked}}
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        keys = session.execute(
            select(ScanFile.source_path, Page.page_number, Record.slot)
            .join(Page, Page.scan_file_id == ScanFile.id)
            .join(Record, Record.page_id == Page.id)
        )
        found = [tuple(row) for row in keys]
    assert len(found) == len(set(found)) == len(truth)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its exit status waits to be collected


@pytest.mark.slow
def test_a_killed_run_leaves_no_prefect_server_behind(sqlite_settings: Settings, scans: Path) -> None:
    command = [sys.executable, "-m", "cli", "run", str(scans / "book_birth_1987.tif"), *RUN_ARGS]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    deadline = time.monotonic() + 90
    while server is None and time.monotonic() < deadline and run.poll() is None:
        server = next((pid for pid in _descendants(run.pid) if b"create_app" in _command_line(pid)), None)
        time.sleep(0.2)
    assert server is not None, "the run's Prefect server was not seen"
    run.kill()
    run.wait()
    deadline = time.monotonic() + 15
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(server), "the Prefect server outlived the run killed with SIGKILL"


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
