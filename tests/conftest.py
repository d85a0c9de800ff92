"""Fixtures: an isolated data directory and databases (SQLite and PostgreSQL), and generated scans."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from database.migrate import upgrade_all
from database.registry import RegistryBase
from database.session import dispose_engines
from database.workflow import WorkflowBase
from pipeline.config import PROJECT_ROOT, Settings, get_settings

SAMPLE_SCANS = PROJECT_ROOT / "sample_scans"
POSTGRES_URL_ENV = "ARCHIVE_TEST_POSTGRES_URL"


def _postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.fail(
            f"{POSTGRES_URL_ENV} is not set: run the suite with scripts/test, which starts PostgreSQL and sets it",
            pytrace=False,
        )
    return url


def _admin_engine(base_url: str) -> Engine:
    return create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A PostgreSQL database of this test session and xdist worker alone, migrated, dropped at the end.

    Its own database (not a shared one) keeps two suites running at once from truncating each other's rows.
    """
    base_url = _postgres_base_url()
    url = make_url(base_url)
    name = f"{url.database}_{worker_id}_{os.getpid()}"
    admin = _admin_engine(base_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    own_url = url.set(database=name).render_as_string(hide_password=False)
    upgrade_all(Settings(database_url=own_url, data_dir=Path("unused")))
    dispose_engines()
    yield own_url
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (faster than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "archive.sqlite"
    upgrade_all(Settings(database_url=f"sqlite:///{path}", data_dir=path.parent))
    dispose_engines()
    return path


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = [*WorkflowBase.metadata.sorted_tables, *RegistryBase.metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> Iterator[Settings]:
    """Settings for an empty archive (data directory and databases), on SQLite and on PostgreSQL.

    The same values are put in the environment, so code that reads ``get_settings()`` (flows, CLI) sees them.
    """
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "sqlite":
        shutil.copy(sqlite_template, data_dir / "archive.sqlite")
        url = f"sqlite:///{data_dir / 'archive.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_postgres(url)
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
    dispose_engines()


@pytest.fixture
def sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path) -> Iterator[Settings]:
    """SQLite only, for tests whose subject is not the database."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(sqlite_template, data_dir / "archive.sqlite")
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"sqlite:///{data_dir / 'archive.sqlite'}")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
    dispose_engines()
