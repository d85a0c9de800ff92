"""Backup and restore: a populated archive comes back whole (rows per table, masters' hashes) into an empty place."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli.main import app
from database.accounts import AuditEvent
from database.migrate import upgrade_all
from database.registry import RegistryBase
from database.session import dispose_engines, session_scope, workflow_and_registry, workflow_sessions
from database.workflow import Field, Record, ScanFile, WorkflowBase
from pipeline.config import Settings, get_settings
from pipeline.ingest.fingerprint import SUFFIX_FOR, sha256_of, sniff_media_type
from pipeline.ingest.masters import master_path, store_copy
from services.audit import record_event
from services.backup import BackupError, backup, restore
from services.loader import load_records
from tests.conftest import SAMPLE_SCANS, _admin_engine
from tests.factories import make_book, make_record

SCANS = ["birth_tj_2010_printed.png", "birth_su_1970_handwritten.jpg"]
VALUES = {
    "act_number": "214",
    "registration_date": "2015-03-20",
    "child_surname": "Раҳимова",
    "child_name": "Мадина",
    "child_birth_date": "2015-03-12",
    "mother_surname": "Каримова",
}
runner = CliRunner()


def _populate(settings: Settings) -> None:
    """Two records on real master scans, loaded into the registry, and an audit event."""
    with session_scope(workflow_sessions(settings)) as session:
        book = make_book(session)
        for number, name in enumerate(SCANS, start=1):
            record = make_record(session, book, VALUES | {"act_number": str(200 + number)}, page_number=number)
            source = SAMPLE_SCANS / name
            sha256 = sha256_of(source)
            stored = store_copy(source, master_path(settings.masters_dir, sha256, SUFFIX_FOR[sniff_media_type(source)]))
            scan = session.get_one(ScanFile, record.page.scan_file_id)
            scan.sha256, scan.master_path = sha256, str(stored.relative_to(settings.resolved_data_dir))
            record_event(session, actor="anna", action="field_corrected", route="test", record_id=record.id)
    with workflow_and_registry(settings) as (workflow, registry):
        assert load_records(workflow, registry).loaded == 2


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        tables = [t for m in (WorkflowBase.metadata, RegistryBase.metadata) for t in m.tables if t in present]
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    engine.dispose()
    return counts


def _masters(data_dir: Path) -> dict[str, str]:
    root = data_dir / "masters"
    return {str(p.relative_to(root)): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}


@contextmanager
def _fresh_postgres(base_url: str, suffix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside ``base_url``'s, dropped afterwards."""
    url = make_url(base_url)
    name = f"{url.database}_{suffix}"
    admin = _admin_engine(base_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_place(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """An empty data directory and an empty database of the same kind as ``settings``' (PostgreSQL: a new one)."""
    data_dir = tmp_path / "restored"
    if settings.workflow_url.startswith("sqlite"):
        yield Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'archive.sqlite'}")
        return
    with _fresh_postgres(settings.workflow_url, "restore") as url:
        yield Settings(data_dir=data_dir, database_url=url)


def test_a_backup_restores_into_an_empty_place_with_every_row_and_master(
    settings: Settings, empty_place: Settings, tmp_path: Path
) -> None:
    _populate(settings)
    dest = tmp_path / "backup"
    manifest = backup(settings, dest)
    counts = _counts(settings.workflow_url)
    assert counts["records"] == 2 and counts["registry_act_records"] == 2 and counts["audit_events"] == 2
    (entry,) = manifest["databases"]
    assert entry["tables"] == counts
    assert entry["revisions"]["workflow"] and entry["revisions"]["registry"]
    assert manifest["masters"]["count"] == 2
    assert set(manifest["masters"]["files"].values()) == {sha256_of(SAMPLE_SCANS / n) for n in SCANS}
    assert json.loads((dest / "manifest.json").read_text()) == manifest

    report = restore(empty_place, dest)
    assert report.masters == 2 and report.rows == sum(counts.values())
    assert _counts(empty_place.workflow_url) == counts
    assert _masters(empty_place.resolved_data_dir) == _masters(settings.resolved_data_dir)
    with session_scope(workflow_sessions(empty_place)) as session:
        restored = {f.value for f in session.scalars(select(Field).where(Field.key == "child_name"))}
        assert restored == {"Мадина"}
        assert session.scalar(select(AuditEvent.actor)) == "anna"
        assert len(session.scalars(select(Record.id)).all()) == 2

    # a second restore over the now populated place is refused, and done with --force
    with pytest.raises(BackupError, match="--force"):
        restore(empty_place, dest)
    assert restore(empty_place, dest, force=True).rows == sum(counts.values())
    assert _counts(empty_place.workflow_url) == counts


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_damaged_backup_is_refused_and_the_cli_runs_both_ways(
    settings: Settings, empty_place: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _populate(settings)
    dest = tmp_path / "backup"
    made = runner.invoke(app, ["backup", str(dest)])
    assert made.exit_code == 0, made.output
    assert "2 masters" in made.output
    assert runner.invoke(app, ["backup", str(dest)]).exit_code == 2  # never written over an earlier backup

    damaged = tmp_path / "damaged"
    shutil.copytree(dest, damaged)
    master = next(p for p in (damaged / "masters").rglob("*") if p.is_file())
    master.chmod(0o644)
    master.write_bytes(master.read_bytes()[:-1] + b"\0")
    with pytest.raises(BackupError, match="do not match the manifest"):
        restore(empty_place, damaged)
    dump = damaged / "workflow.sqlite"
    dump.write_bytes(dump.read_bytes() + b"\0")
    with pytest.raises(BackupError, match="damaged"):
        restore(empty_place, damaged, force=True)

    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "cli-restored"))
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli-restored' / 'archive.sqlite'}")
    get_settings.cache_clear()
    restored = runner.invoke(app, ["restore", str(dest)])
    assert restored.exit_code == 0, restored.output
    assert "2 masters" in restored.output
    assert _counts(get_settings().workflow_url) == _counts(settings.workflow_url)
    refused = runner.invoke(app, ["restore", str(dest)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert os.access(get_settings().masters_dir, os.R_OK)


@pytest.mark.postgres
def test_a_registry_of_its_own_is_dumped_beside_the_workflow_store(
    sqlite_settings: Settings, postgres_url: str, tmp_path: Path
) -> None:
    """Workflow store in SQLite, registry in PostgreSQL: each database in its own kind of file, both restored."""
    with _fresh_postgres(postgres_url, "registry") as registry_url, _fresh_postgres(postgres_url, "registry_to") as to:
        source = Settings(
            data_dir=sqlite_settings.data_dir, database_url=sqlite_settings.workflow_url, registry_url=registry_url
        )
        upgrade_all(source)
        _populate(source)
        manifest = backup(source, tmp_path / "backup")
        assert [(d["name"], d["dialect"], d["file"], d["holds"]) for d in manifest["databases"]] == [
            ("workflow", "sqlite", "workflow.sqlite", ["workflow"]),
            ("registry", "postgresql", "registry.dump", ["registry"]),
        ]
        assert manifest["databases"][1]["tables"]["registry_act_records"] == 2
        assert "registry_act_records" not in manifest["databases"][0]["tables"]
        place = tmp_path / "restored"
        target = Settings(data_dir=place, database_url=f"sqlite:///{place / 'archive.sqlite'}", registry_url=to)
        mismatched = Settings(data_dir=place, database_url=f"sqlite:///{place / 'archive.sqlite'}")
        with pytest.raises(BackupError, match="ARCHIVE_REGISTRY_URL"):
            restore(mismatched, tmp_path / "backup")
        restore(target, tmp_path / "backup")
        assert _counts(to) == _counts(registry_url)
        assert _counts(target.workflow_url)["records"] == 2
        assert _masters(place) == _masters(source.resolved_data_dir)


@pytest.mark.parametrize("settings", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_restore_into_a_database_that_does_not_exist_says_to_create_it(settings: Settings, tmp_path: Path) -> None:
    _populate(settings)
    backup(settings, tmp_path / "backup")
    missing = make_url(settings.workflow_url).set(database="archive_no_such_db").render_as_string(hide_password=False)
    target = Settings(data_dir=tmp_path / "restored", database_url=missing)
    for force in (False, True):
        with pytest.raises(BackupError, match="createdb"):
            restore(target, tmp_path / "backup", force=force)
    assert not (tmp_path / "restored" / "masters").exists()
