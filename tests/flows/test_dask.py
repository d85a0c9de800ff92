"""Pages on a Dask cluster: a real scheduler and a worker in their own processes, as on other machines."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from database.session import session_scope, workflow_sessions
from database.workflow import Page, PageState, Record
from flows.batch import run_batch_flow
from flows.local_api import prefect_api
from flows.runtime import page_task_runner
from pipeline.config import Settings, get_settings
from pipeline.errors import ConfigError
from tests.flows.test_batch_flow import _truth_records
from tests.flows.test_deployment import _free_port
from tests.flows.test_parallel import _start

pytest.importorskip("prefect_dask")
FILES = ("book_birth_1987.tif", "birth_tj_2010_printed.png")


@pytest.fixture
def dask_cluster(sqlite_settings: Settings, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A scheduler and one two-thread worker; the worker's environment is filled in by the test (the API)."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    dask_bin = str(Path(sys.executable).parent / "dask")
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str, name: str, extra: dict[str, str]) -> None:
        with (tmp_path / f"{name}.log").open("wb") as output:
            processes.append(
                subprocess.Popen([dask_bin, *args], env={**env, **extra}, stdout=output, stderr=subprocess.STDOUT)
            )

    start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", name="scheduler", extra={})
    yield address, {"start_worker": start}  # type: ignore[dict-item]
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_workers(address: str, count: int, timeout_s: float = 120) -> None:
    from distributed import Client

    with Client(address, timeout=timeout_s) as client:
        client.wait_for_workers(count, timeout=timeout_s)


def _tasks_run_by_workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=30) as client:
        counts = client.run(lambda dask_worker: dask_worker.state.executed_count)
    return sum(counts.values())


@pytest.mark.slow
def test_pages_run_on_the_workers_of_a_dask_cluster(
    sqlite_settings: Settings, scans: Path, dask_cluster: tuple[str, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL

    address, controls = dask_cluster
    monkeypatch.setenv("ARCHIVE_DASK_ADDRESS", address)
    get_settings.cache_clear()
    picked = [scans / name for name in FILES]
    batch_id = _start(sqlite_settings, picked)
    with prefect_api():
        # The worker is another machine: it is given the settings and the Prefect API, not this process's state.
        worker_env = {
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "ARCHIVE_DATA_DIR": str(sqlite_settings.data_dir),
            "ARCHIVE_DATABASE_URL": sqlite_settings.workflow_url,
        }
        start_worker = controls["start_worker"]
        start_worker(  # type: ignore[operator]
            "worker", address, "--nthreads", "2", "--nworkers", "1", "--no-dashboard", name="worker", extra=worker_env
        )
        _wait_for_workers(address, 1)
        run_batch_flow(batch_id, [str(p) for p in picked], workers=2, runner="dask")
    truth = {key for key in _truth_records(scans) if key[0] in FILES}
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        states = dict(session.execute(select(Page.state, func.count()).group_by(Page.state)).all())
        records = session.scalar(select(func.count()).select_from(Record))
    assert PageState.FAILED not in states
    assert sum(states.values()) == 4  # the three-page book and one single page, each read once
    assert records == len(truth)
    assert _tasks_run_by_workers(address) == 4  # every page ran in the worker's process, none in this one


def test_a_dask_runner_without_a_scheduler_says_what_to_set() -> None:
    with pytest.raises(ConfigError, match="ARCHIVE_DASK_ADDRESS"):
        page_task_runner("dask", 2, None)
