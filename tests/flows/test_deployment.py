"""Many machines: a real Prefect server, `archive worker` processes, batches submitted through the deployment."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from database.session import session_scope, workflow_sessions
from database.workflow import Batch, Page, PageState, Record
from pipeline.config import Settings
from tests.conftest import SAMPLE_SCANS
from tests.flows.test_batch_flow import _truth_records

pytestmark = [pytest.mark.slow, pytest.mark.deployment, pytest.mark.postgres]

BOOK = {"office": "KHJ", "act_type": "birth", "year": 2015, "copy_kind": "first"}
# Seven pages: a three-page TIFF, a three-page PDF and a single page, so a worker can be killed mid-batch.
FILES = ("book_birth_1987", "book_death_2019", "birth_tj_2010_printed")
POLL_S = 0.3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    """Every process started under ``pid`` (the worker's flow runs run in their own process group)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found += children
        pending += children
    return found


def _kill_with_descendants(process: subprocess.Popen[bytes]) -> None:
    for pid in [process.pid, *_descendants(process.pid)]:  # listed first: orphans would be re-parented
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`prefect server start` on a free port with its own home; its API URL once /api/health answers."""
    port = _free_port()
    home = tmp_path_factory.mktemp("prefect-server")
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    prefect = str(Path(sys.executable).with_name("prefect"))
    command = [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, (home / "server.log").read_text()
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(POLL_S)
    else:
        pytest.fail(f"the Prefect server did not answer in time:\n{(home / 'server.log').read_text()}")
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _kill_with_descendants(server)
    log.close()


@pytest.fixture
def pool() -> str:
    """A work pool of this test alone, so no other worker takes its batches."""
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def shared_scans(tmp_path: Path) -> Path:
    """The scans as every worker sees them (on a shared mount in production)."""
    target = tmp_path / "shared" / "inbox"
    target.mkdir(parents=True)
    for stem in FILES:
        for path in SAMPLE_SCANS.glob(f"{stem}.*"):
            shutil.copy(path, target / path.name)
    return target


def _start_worker(api_url: str, pool: str, name: str, tmp_path: Path, *, register: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,  # ARCHIVE_DATA_DIR, ARCHIVE_DATABASE_URL and ARCHIVE_WORKERS of the test's settings
        "PREFECT_API_URL": api_url,
        "PREFECT_WORKER_QUERY_SECONDS": "1",  # the default 10 s between polls would only make the test wait
    }
    command = [sys.executable, "-m", "cli", "worker", "--pool", pool, "--name", name]
    command.append("--register" if register else "--no-register")
    log = (tmp_path / f"{name}.log").open("ab")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _submit(api_url: str, pool: str, parameters: dict[str, Any], deadline_s: float = 60) -> uuid.UUID:
    """Queues the batch once the worker has registered the deployment on its pool (it does so as it starts)."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployment import DEPLOYMENT_NAME, FLOW_NAME, submit_book

    deadline = time.monotonic() + deadline_s
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        with get_client(sync_client=True) as client:
            while True:
                try:
                    if client.read_deployment_by_name(f"{FLOW_NAME}/{DEPLOYMENT_NAME}").work_pool_name == pool:
                        break
                except ObjectNotFound:
                    pass
                assert time.monotonic() < deadline, "the worker did not register the deployment in time"
                time.sleep(POLL_S)
        return submit_book(parameters)


def _wait_for_flow_run(api_url: str, flow_run_id: uuid.UUID, worker: subprocess.Popen[bytes], log: Path) -> str:
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + 75
    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(flow_run_id).state
            if state is not None and state.is_final():
                return state.type.value
            assert worker.poll() is None, f"the worker stopped:\n{log.read_text(errors='replace')}"
            time.sleep(POLL_S)
    pytest.fail(f"the batch did not finish in time:\n{log.read_text(errors='replace')}")


def _done_pages(settings: Settings) -> int:
    with session_scope(workflow_sessions(settings)) as session:
        done = Page.state.in_([PageState.CHECKED, PageState.UNMATCHED])
        return session.scalar(select(func.count()).select_from(Page).where(done)) or 0


def _assert_every_record_once(settings: Settings, scans: Path) -> list[tuple[PageState, int]]:
    truth = _truth_records(scans)
    with session_scope(workflow_sessions(settings)) as session:
        pages = [(state, attempts) for state, attempts in session.execute(select(Page.state, Page.attempts))]
        keys = session.execute(select(Page.scan_file_id, Page.page_number, Record.slot).join(Record)).all()
    assert len(pages) == 7
    assert all(state in (PageState.CHECKED, PageState.UNMATCHED) for state, _ in pages)
    assert len(keys) == len(set(keys)) == len(truth)
    return pages


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_a_batch_submitted_to_the_deployment_is_run_by_a_worker(
    settings: Settings, prefect_server: str, pool: str, shared_scans: Path, tmp_path: Path
) -> None:
    worker = _start_worker(prefect_server, pool, "station-1", tmp_path, register=True)
    try:
        flow_run_id = _submit(prefect_server, pool, {"paths": [str(shared_scans)], **BOOK, "book": "KHJ-1987-1"})
        state = _wait_for_flow_run(prefect_server, flow_run_id, worker, tmp_path / "station-1.log")
    finally:
        _kill_with_descendants(worker)
    assert state == "COMPLETED"
    _assert_every_record_once(settings, shared_scans)
    with session_scope(workflow_sessions(settings)) as session:
        batch = session.scalars(select(Batch)).one()
        assert batch.started_by == "deployment"
        assert batch.book.label == "KHJ-1987-1"
        assert batch.summary["pages_done"] == 7


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing_once_the_batch_is_resubmitted(
    settings: Settings, prefect_server: str, pool: str, shared_scans: Path, tmp_path: Path
) -> None:
    parameters = {"paths": [str(shared_scans)], **BOOK}
    worker = _start_worker(prefect_server, pool, "station-2", tmp_path, register=True)
    try:
        _submit(prefect_server, pool, parameters)
        deadline = time.monotonic() + 75
        while _done_pages(settings) < 2 and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "station-2.log").read_text(errors="replace")
            time.sleep(POLL_S / 3)
    finally:
        # The machine goes down: the worker and the flow run it started die at once, without any clean-up.
        _kill_with_descendants(worker)
    done_at_kill = _done_pages(settings)
    assert 2 <= done_at_kill < 7, f"{done_at_kill} pages were done when the worker was killed"
    time.sleep(2)
    assert _done_pages(settings) == done_at_kill, "the flow run outlived its worker"
    with session_scope(workflow_sessions(settings)) as session:
        batch_id = session.scalars(select(Batch.id)).one()
    worker = _start_worker(prefect_server, pool, "station-2", tmp_path, register=False)
    try:
        flow_run_id = _submit(prefect_server, pool, {**parameters, "batch_id": batch_id})
        state = _wait_for_flow_run(prefect_server, flow_run_id, worker, tmp_path / "station-2.log")
    finally:
        _kill_with_descendants(worker)
    assert state == "COMPLETED"
    pages = _assert_every_record_once(settings, shared_scans)
    # Pages done before the kill were not redone; only those in flight at that moment were tried twice.
    assert sum(1 for _, attempts in pages if attempts == 1) >= done_at_kill
    assert all(attempts <= 2 for _, attempts in pages)
