"""The whole flow on the committed sample scans, with real Tesseract: run, export, rerun, crash, bad files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from cli.main import app
from database.session import session_scope, workflow_sessions
from database.workflow import Page, PageState, Record
from pipeline.config import Settings
from services.evaluation import load_truth

pytestmark = pytest.mark.slow

RUN_ARGS = ["--office", "KHJ", "--act-type", "birth", "--year", "2015", "--copy", "first"]


def _truth_records(scans: Path) -> dict[tuple[str, int, int], dict[str, Any]]:
    """(file, page, slot) -> truth fields, for every record of every sample scan."""
    records = {}
    for truth_file in sorted(scans.rglob("*.truth.json")):
        scan = next(p for p in truth_file.parent.glob(truth_file.name.replace(".truth.json", ".*")) if p != truth_file)
        doc = load_truth(scan)
        assert doc is not None
        for page in doc["pages"]:
            for record in page["records"]:
                records[(scan.relative_to(scans).as_posix(), page["page"], record["slot"])] = record["fields"]
    return records


def _run(scans: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(scans), *RUN_ARGS])
    assert result.exit_code == 0, result.output


def _export(tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "export.jsonl"
    result = CliRunner().invoke(app, ["export", "--format", "jsonl", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_run_then_export_finds_every_record_with_every_field(settings: Settings, scans: Path, tmp_path: Path) -> None:
    truth = _truth_records(scans)
    _run(scans)
    lines = _export(tmp_path)
    found = {(line["source"]["file"], line["source"]["page"], line["source"]["slot"]): line for line in lines}
    assert set(found) == set(truth)
    right = total = 0
    for key, line in found.items():
        assert set(line["fields"]) == set(truth[key])
        assert line["status"] in ("auto_verified", "needs_review")
        for field, entry in line["fields"].items():
            assert entry["state"] in ("auto", "flagged")
            total += 1
            right += entry["value"] == truth[key][field]
    # The sample scans are mostly clean: a flow that reads them badly is broken, whatever the thresholds.
    assert right / total >= 0.85, f"{right}/{total} fields right"
    with session_scope(workflow_sessions(settings)) as session:
        states = dict(session.execute(select(Page.state, func.count()).group_by(Page.state)).all())
    assert states.get(PageState.UNMATCHED, 0) >= 1  # the cover page is not forced into a form
    assert states.get(PageState.FAILED, 0) == 0


def test_rerun_skips_done_pages_and_duplicates_nothing(settings: Settings, scans: Path, tmp_path: Path) -> None:
    _run(scans)
    with session_scope(workflow_sessions(settings)) as session:
        before = session.scalar(select(func.count()).select_from(Record))
        attempts = dict(session.execute(select(Page.id, Page.attempts)).all())
    _run(scans)
    with session_scope(workflow_sessions(settings)) as session:
        assert session.scalar(select(func.count()).select_from(Record)) == before
        assert dict(session.execute(select(Page.id, Page.attempts)).all()) == attempts
    assert len(_export(tmp_path)) == before


def test_a_corrupt_file_is_quarantined_and_the_batch_goes_on(sqlite_settings: Settings, scans: Path) -> None:
    (scans / "zz_truncated.jpg").write_bytes((next(scans.glob("*.jpg"))).read_bytes()[:2000])
    (scans / "zz_empty.pdf").write_bytes(b"")
    result = CliRunner().invoke(app, ["run", str(scans), *RUN_ARGS])
    assert result.exit_code == 0, result.output
    assert "zz_truncated.jpg" in result.output and "zz_empty.pdf" in result.output
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        assert session.scalar(select(func.count()).select_from(Record)) == len(_truth_records(scans))


def _done_pages(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM pages WHERE state IN ('checked', 'unmatched')")) or 0)
    except Exception:  # noqa: BLE001 - the database may not exist yet while the run starts
        return 0
    finally:
        engine.dispose()


def test_killed_run_resumes_without_loss_or_duplicates(settings: Settings, scans: Path) -> None:
    env = {**os.environ}
    command = [sys.executable, "-m", "cli", "run", str(scans), *RUN_ARGS]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while _done_pages(settings.workflow_url) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert process.poll() is None, (
        f"the run ended before it could be killed: {process.stderr.read() if process.stderr else ''}"
    )
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_at_kill = _done_pages(settings.workflow_url)
    _run(scans)
    truth = _truth_records(scans)
    with session_scope(workflow_sessions(settings)) as session:
        pages = session.execute(select(Page.state, Page.attempts)).all()
        keys = session.execute(select(Page.scan_file_id, Page.page_number, Record.slot).join(Record)).all()
    assert all(state in (PageState.CHECKED, PageState.UNMATCHED) for state, _ in pages)
    assert sum(1 for _, attempts in pages if attempts == 1) >= len(pages) - 2  # done pages were not redone
    assert done_at_kill >= 3
    assert len(keys) == len(set(keys)) == len(truth)
