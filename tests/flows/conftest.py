"""Fixtures for whole-flow tests: Prefect's local state shared by the session, a copy of the sample scans."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_SCANS


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the whole session, so its own database is migrated once."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(autouse=True)
def _prefect_env(prefect_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PREFECT_HOME", str(prefect_home))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    yield


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    """A private copy of the committed sample scans (with their truth files)."""
    target = tmp_path / "scans"
    shutil.copytree(SAMPLE_SCANS, target, ignore=shutil.ignore_patterns("README*"))
    return target
