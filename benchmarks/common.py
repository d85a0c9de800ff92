"""What the PostgreSQL benchmarks share: a database emptied and filled anew, rows written with COPY, samples timed
and reported as median and p95, the machine's load, a login to the web app."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from database.migrate import downgrade_all, upgrade_all
from pipeline.config import Settings

PASSWORD = "benchmark password"  # of the users the benchmarks add


def local_database(name: str) -> str:
    """The URL of database ``name`` on the local server (scripts/postgres-up), the benchmarks' default."""
    return f"postgresql+psycopg://postgres:postgres@127.0.0.1:5432/{name}"


def arguments(description: str, default_url: str, records: int) -> argparse.ArgumentParser:
    """The options every benchmark takes (--url, --records); each adds its own."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=default_url, help="PostgreSQL URL of a database to empty and fill")
    parser.add_argument("--records", type=int, default=records)
    return parser


def ensure_database(url: str) -> None:
    """Creates the database of ``url`` on its server when it does not exist yet."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def refill(settings: Settings, fill: Callable[[], object]) -> float:
    """Empties the benchmark's database (created if missing, both schemas taken down and up again), runs ``fill``
    and returns the seconds it took."""
    ensure_database(settings.workflow_url)
    downgrade_all(settings)
    upgrade_all(settings)
    start = time.perf_counter()
    fill()
    return time.perf_counter() - start


def copy_rows(engine: Engine, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """COPY rows in (millions of fields: executemany would take minutes)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def times(action: Callable[[], object], samples: int) -> list[float]:
    """Milliseconds of each of ``samples`` calls."""
    spent = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def report(name: str, spent: list[float], goal_ms: float | None = None) -> None:
    ordered = sorted(spent)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    goal = f"  (goal <= {goal_ms:.0f} ms)" if goal_ms else ""
    print(f"{name:<44} median {statistics.median(spent):7.1f} ms   p95 {p95:7.1f} ms   n={len(spent)}{goal}")


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min) {five:.1f} (5 min)"


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Signs ``client`` in as ``username`` (a new session: the cookies of the one before are dropped)."""
    client.cookies.clear()
    form = client.get("/login").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.status_code
