"""The benchmarks still run end to end at a size of seconds (their figures are measured at full size)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.common import report


def test_the_report_gives_median_and_p95(capsys: pytest.CaptureFixture[str]) -> None:
    report("claim", [float(n) for n in range(20, 0, -1)], 50)
    line = capsys.readouterr().out
    assert "median    10.5 ms" in line and "p95    19.0 ms" in line and "n=20  (goal <= 50 ms)" in line


@pytest.fixture
def bench_url(postgres_url: str) -> Iterator[str]:
    """A database beside the test database (a benchmark empties and migrates its own), dropped afterwards with
    the one a restore creates beside it."""
    url = make_url(postgres_url).set(database=f"{make_url(postgres_url).database}_bench")
    yield url.render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in (url.database, f"{url.database}_restored"):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("benchmark", "options", "printed"),
    [
        ("dashboard_bench", ["--records", "2000", "--samples", "2"], ["GET /dashboard (boss)", "progress report"]),
        ("review_bench", ["--records", "1000", "--samples", "3"], ["claim next", "GET /review/{id}"]),
        ("backup_bench", ["--records", "1000", "--masters", "2", "--master-mb", "0.01"], ["backup:", "restore:"]),
    ],
)
def test_a_benchmark_runs_at_a_small_size(
    bench_url: str,
    benchmark: str,
    options: list[str],
    printed: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", [benchmark, "--url", bench_url, *options])
    importlib.import_module(f"benchmarks.{benchmark}").main()
    out = capsys.readouterr().out
    for part in ("filled", *printed):
        assert part in out, out
