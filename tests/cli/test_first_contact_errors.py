"""What a new user meets first: no Tesseract language data, a database out of reach or a URL that is not one, a
file that is not a scan, a port in use. Each says what happened and what to do, exits non-zero, no traceback.

Run as the user runs them: the `archive` program in its own process, with only the environment changed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from database.accounts import User
from database.session import dispose_engines, session_scope, workflow_sessions
from pipeline.config import Settings
from tests.conftest import SAMPLE_SCANS

RUN_ARGS = ["--office", "KHJ", "--act-type", "birth", "--year", "2010", "--copy", "first"]


def archive(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env={**os.environ, "COLUMNS": "200", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr  # plain or boxed
    return result


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """A new user's environment: an archive folder of their own, SQLite, the system's Tesseract."""
    return {"ARCHIVE_DATA_DIR": str(tmp_path / "archive"), "ARCHIVE_DATABASE_URL": "", "ARCHIVE_REGISTRY_URL": ""}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("variable", ["TESSDATA_PREFIX", "ARCHIVE_TESSDATA_DIR"])
def test_no_tesseract_language_data(user_env: dict[str, str], tmp_path: Path, variable: str) -> None:
    empty = tmp_path / "tessdata"
    empty.mkdir()
    scan = str(SAMPLE_SCANS / "birth_tj_2010_printed.png")
    result = archive("run", scan, *RUN_ARGS, env={**user_env, variable: str(empty)}, cwd=tmp_path)
    assert result.returncode == 4, result.stderr
    message = " ".join(result.stderr.split())
    assert "Tesseract language data rus, tgk, eng, osd not found" in message
    assert "apt-get install tesseract-ocr tesseract-ocr-rus" in message and "ARCHIVE_TESSDATA_DIR" in message


@pytest.mark.parametrize("command", [["progress"], ["serve", "--port", "8765"]])
def test_database_out_of_reach(user_env: dict[str, str], tmp_path: Path, command: list[str]) -> None:
    url = f"postgresql+psycopg://archive:secret-pw@127.0.0.1:{_closed_port()}/archive"
    result = archive(*command, env={**user_env, "ARCHIVE_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 5, result.stderr
    message = " ".join(result.stderr.split())
    assert "cannot reach the workflow database" in message and "Connection refused" in message
    assert "Start the database server, or fix ARCHIVE_DATABASE_URL" in message
    assert "secret-pw" not in message  # the password is never printed


@pytest.mark.parametrize("url", ["postgres://archive@127.0.0.1/archive"])
def test_a_database_url_that_is_not_one(user_env: dict[str, str], tmp_path: Path, url: str) -> None:
    result = archive("progress", env={**user_env, "ARCHIVE_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert "cannot be used" in message and "postgresql+psycopg://user:password@host:5432/name" in message


def test_a_file_that_is_not_a_scan(user_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a scan")
    (tmp_path / "blank.png").write_bytes(b"")
    result = archive("run", "notes.txt", "blank.png", "missing.tif", *RUN_ARGS, env=user_env, cwd=tmp_path)
    assert result.returncode == 6, result.stderr
    message = " ".join(result.stderr.split())
    assert "nothing to run: notes.txt: not a scan (by its content); blank.png: the file is empty (0 bytes); " in message
    assert "missing.tif: no such file or folder" in message and "Give scan files (PDF, TIFF, JPEG, PNG)" in message
    assert not (tmp_path / "archive").exists()  # refused before anything was created


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield int(holder.getsockname()[1])


def test_serve_on_a_port_in_use(sqlite_settings: Settings, tmp_path: Path, taken_port: int) -> None:
    env = {"ARCHIVE_DATA_DIR": str(sqlite_settings.data_dir), "ARCHIVE_DATABASE_URL": sqlite_settings.workflow_url}
    result = archive("serve", "--port", str(taken_port), env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert f"port {taken_port} on 127.0.0.1 is in use: stop what uses it or pick --port" in message
    # no first admin was created (and its one-time password shown) by a server that could not start
    assert "password" not in result.stdout
    dispose_engines()
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_an_archive_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    env = {"ARCHIVE_DATA_DIR": str(tmp_path / "a-file" / "archive"), "ARCHIVE_DATABASE_URL": ""}
    result = archive("progress", env=env, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert (
        "cannot create the archive folder" in message
        and "set ARCHIVE_DATA_DIR to a folder this user can write" in message
    )
