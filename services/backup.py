"""Backups: one consistent snapshot of the workflow store, the registry and the masters, checked on restore.

A backup is a folder: one file per database (``pg_dump -Fc`` for PostgreSQL, a copy made through SQLite's
online backup API), the master files under their data-relative paths, and ``manifest.json`` written last
(versions, Alembic revisions, rows per table, SHA-256 of every file). The masters copied are exactly the ones
the workflow snapshot lists, so the snapshot and its files always agree. When the registry is a database of
its own it is dumped right after the workflow store; `archive load` brings it level if records were loaded
between the two.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import database.accounts  # noqa: F401 - its tables belong to the workflow metadata
from database.migrate import alembic_config, upgrade_all
from database.registry import RegistryBase
from database.session import dispose_engines
from database.workflow import ScanFile, ScanFileState, WorkflowBase
from pipeline.config import Settings
from pipeline.errors import ArchiveError, MissingDependency
from pipeline.ingest.fingerprint import sha256_of
from pipeline.ingest.masters import READ_ONLY

FORMAT = 1
MANIFEST = "manifest.json"
VERSION_TABLES = {"workflow": "alembic_version_workflow", "registry": "alembic_version_registry"}
METADATA: dict[str, MetaData] = {"workflow": WorkflowBase.metadata, "registry": RegistryBase.metadata}
_CHUNK = 1 << 20
Progress = Callable[[str, int, int], None]


class BackupError(ArchiveError):
    """A backup cannot be made or restored as asked."""

    code = "backup"
    exit_code = 2


@dataclass(frozen=True)
class Database:
    """One database to back up: its URL and which schemas ('workflow', 'registry') it holds."""

    name: str
    url: str
    holds: tuple[str, ...]

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    @property
    def file_name(self) -> str:
        return f"{self.name}.dump" if self.dialect == "postgresql" else f"{self.name}.sqlite"


@dataclass
class RestoreReport:
    databases: list[str] = field(default_factory=list)
    rows: int = 0
    masters: int = 0
    master_bytes: int = 0


def databases_of(settings: Settings) -> list[Database]:
    """The workflow store, and the registry when it is a database of its own."""
    if settings.registry_database_url == settings.workflow_url:
        return [Database("workflow", settings.workflow_url, ("workflow", "registry"))]
    return [
        Database("workflow", settings.workflow_url, ("workflow",)),
        Database("registry", settings.registry_database_url, ("registry",)),
    ]


# --- what a snapshot holds ------------------------------------------------------------------------------------


def _table_counts(conn: Connection, holds: tuple[str, ...]) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    names = sorted(t for schema in holds for t in METADATA[schema].tables if t in present)
    return {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()) for name in names}


def _revisions(conn: Connection, holds: tuple[str, ...]) -> dict[str, str | None]:
    present = set(inspect(conn).get_table_names())
    found: dict[str, str | None] = {}
    for schema in holds:
        table = VERSION_TABLES[schema]
        found[schema] = conn.execute(text(f"SELECT version_num FROM {table}")).scalar() if table in present else None
    return found


def _stored_masters(conn: Connection) -> list[tuple[str, str]]:
    query = select(ScanFile.sha256, ScanFile.master_path).where(
        ScanFile.state == ScanFileState.STORED, ScanFile.master_path.is_not(None)
    )
    return [(sha256, master or "") for sha256, master in conn.execute(query.order_by(ScanFile.id))]


def _facts(conn: Connection, db: Database) -> dict[str, Any]:
    return {"revisions": _revisions(conn, db.holds), "tables": _table_counts(conn, db.holds)}


# --- PostgreSQL tools -----------------------------------------------------------------------------------------


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for the client programs, the password passed in the environment (not on the command line)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str, server_major: int) -> tuple[str, str]:
    """The path and version line of pg_dump or pg_restore, refused when older than the server."""
    path = shutil.which(name)
    if path is None:
        raise MissingDependency(
            f"{name} is not installed: install the PostgreSQL client programs "
            f"(Debian: postgresql-client-{server_major})"
        )
    line = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = re.search(r"(\d+)(?:\.\d+)?", line)
    major = int(found.group(1)) if found else 0
    if major < server_major:
        raise MissingDependency(
            f"{name} is version {major} but the server is {server_major}: "
            f"install postgresql-client-{server_major} so the dump can be read back"
        )
    return path, line


def _server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else f'exit code {done.returncode}'}")


# --- backup ---------------------------------------------------------------------------------------------------


def _hash_copy(source: Path, target: Path) -> tuple[str, int]:
    """Copies a file while hashing it; the copy is written aside and renamed, then made read-only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, partial.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    partial.chmod(READ_ONLY)
    partial.replace(target)
    return digest.hexdigest(), size


def _copy_masters(
    settings: Settings, listed: list[tuple[str, str]], dest: Path, progress: Progress | None
) -> dict[str, Any]:
    files: dict[str, str] = {}
    total_bytes = 0
    for done, (sha256, relative) in enumerate(listed, start=1):
        source = settings.resolved_data_dir / relative
        if not source.is_file():
            raise BackupError(f"master {relative} is missing from {settings.resolved_data_dir}: run `archive verify`")
        digest, size = _hash_copy(source, dest / relative)
        if digest != sha256:
            raise BackupError(f"master {relative} no longer has the content it was stored with: run `archive verify`")
        files[relative] = digest
        total_bytes += size
        if progress:
            progress("masters", done, len(listed))
    return {"count": len(files), "bytes": total_bytes, "files": files}


@contextmanager
def _postgres_snapshot(url: str) -> Iterator[tuple[Connection, str]]:
    """A read-only repeatable-read transaction and its exported snapshot, for pg_dump to share."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn, str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
    finally:
        engine.dispose()


def _dump_postgres(db: Database, dest: Path) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    with _postgres_snapshot(db.url) as (conn, snapshot):
        major = _server_major(conn)
        pg_dump, tool = _tool("pg_dump", major)
        uri, env = _libpq(db.url)
        target = dest / db.file_name
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-owner", f"--file={target}", f"--dbname={uri}"],
            env,
            f"pg_dump of the {db.name} database",
        )
        facts = _facts(conn, db) | {"server_version": str(conn.execute(text("SHOW server_version")).scalar_one())}
        masters = _stored_masters(conn) if "workflow" in db.holds else []
    return facts | {"tool": tool}, masters


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"cannot back up an in-memory SQLite database ({url})")
    return Path(database)


def _dump_sqlite(db: Database, dest: Path) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    source_path = _sqlite_path(db.url)
    if not source_path.is_file():
        raise BackupError(f"the {db.name} database {source_path} does not exist: nothing to back up")
    target = dest / db.file_name
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one consistent snapshot even while a batch writes
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            facts = _facts(conn, db) | {"server_version": sqlite3.sqlite_version}
            masters = _stored_masters(conn) if "workflow" in db.holds else []
    finally:
        engine.dispose()
    return facts | {"tool": f"sqlite3 online backup (SQLite {sqlite3.sqlite_version})"}, masters


def _package_version() -> str:
    try:
        return version("archive-digitizer")
    except PackageNotFoundError:
        return "unknown"


def _check_destination(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not an empty folder: give a new folder for the backup")
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)  # the registry's people are in it: readable by the archive's own user only


def backup(settings: Settings, dest: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Writes a backup of the archive into the new or empty folder ``dest``; returns its manifest."""
    dest = dest.resolve()
    _check_destination(dest)
    entries: list[dict[str, Any]] = []
    masters: list[tuple[str, str]] = []
    for db in databases_of(settings):
        dump = _dump_postgres if db.dialect == "postgresql" else _dump_sqlite
        facts, listed = dump(db, dest)
        masters.extend(listed)
        target = dest / db.file_name
        entries.append(
            {
                "name": db.name,
                "holds": list(db.holds),
                "dialect": db.dialect,
                "file": db.file_name,
                "sha256": sha256_of(target),
                "bytes": target.stat().st_size,
            }
            | facts
        )
        if progress:
            progress(db.name, 1, 1)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "archive_digitizer": _package_version(),
        "databases": entries,
        "masters": _copy_masters(settings, masters, dest, progress),
    }
    partial = dest / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(dest / MANIFEST)  # last: a folder without a manifest is an unfinished backup
    return manifest


# --- restore --------------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup, or one that did not finish")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read ({exc}): the backup is damaged") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of backup format {manifest.get('format')!r}; this version reads {FORMAT}")
    return manifest


def _check_backup(source: Path, manifest: dict[str, Any], targets: list[Database]) -> None:
    """The backup's files are whole and fit this archive's databases and code; nothing is touched yet."""
    layout = [(e["name"], e["dialect"]) for e in manifest["databases"]]
    wanted = [(t.name, t.dialect) for t in targets]
    if layout != wanted:
        raise BackupError(
            f"the backup holds databases {layout} but this archive is set up for {wanted}: set ARCHIVE_DATABASE_URL "
            "and ARCHIVE_REGISTRY_URL to databases of the same kinds as when the backup was made"
        )
    for entry in manifest["databases"]:
        path = source / entry["file"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise BackupError(f"{path} is missing or not the file the backup wrote: the backup is damaged")
        for schema, revision in entry["revisions"].items():
            scripts = ScriptDirectory.from_config(alembic_config(schema, ""))
            if revision is not None and scripts.get_revision(revision) is None:
                raise BackupError(
                    f"the backup's {schema} schema is at revision {revision}, which this version does not know: "
                    "restore it with the version that made it (or a newer one)"
                )


def _rows_in(url: str, holds: tuple[str, ...]) -> int:
    if url.startswith("sqlite") and not _sqlite_path(url).is_file():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sum(_table_counts(conn, holds).values())
    except OperationalError as exc:
        where = make_url(url).render_as_string(hide_password=True)
        raise BackupError(
            f"cannot reach the database to restore into ({where}): {exc.orig}. Create it first "
            "(e.g. `createdb archive`) and check ARCHIVE_DATABASE_URL / ARCHIVE_REGISTRY_URL."
        ) from exc
    finally:
        engine.dispose()


def _check_empty(settings: Settings, targets: list[Database], force: bool) -> None:
    """Every target database can be reached; unless ``force``, none holds rows and no master is there."""
    taken = [f"the {t.name} database holds rows" for t in targets if _rows_in(t.url, t.holds)]
    if settings.masters_dir.is_dir() and any(p.is_file() for p in settings.masters_dir.rglob("*")):
        taken.append(f"{settings.masters_dir} holds files")
    if taken and not force:
        raise BackupError(
            "refusing to restore over an archive in use: " + "; ".join(taken) + ". Restore into an empty data "
            "directory and empty databases, or give --force to replace them."
        )


def _restore_sqlite(path: Path, target_url: str) -> None:
    target = _sqlite_path(target_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _restore_postgres(path: Path, target_url: str, name: str) -> None:
    engine = create_engine(target_url)
    try:
        with engine.connect() as conn:
            major = _server_major(conn)
    finally:
        engine.dispose()
    pg_restore, _line = _tool("pg_restore", major)
    uri, env = _libpq(target_url)
    args = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*args, "--single-transaction", f"--dbname={uri}", str(path)], env, f"pg_restore of the {name} database")


def _check_restored(db: Database, entry: dict[str, Any]) -> int:
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            facts = _facts(conn, db)
    finally:
        engine.dispose()
    if facts["revisions"] != entry["revisions"]:
        raise BackupError(f"the restored {db.name} database is at {facts['revisions']}, not {entry['revisions']}")
    differ = sorted(
        t for t in set(facts["tables"]) | set(entry["tables"]) if facts["tables"].get(t) != entry["tables"].get(t)
    )
    if differ:
        raise BackupError(
            f"the restored {db.name} database's row counts differ from the backup's in: {', '.join(differ)}"
        )
    return sum(facts["tables"].values())


def _restore_masters(
    settings: Settings, source: Path, masters: dict[str, Any], report: RestoreReport, progress: Progress | None
) -> None:
    files: dict[str, str] = masters["files"]
    bad: list[str] = []
    for done, (relative, sha256) in enumerate(sorted(files.items()), start=1):
        target = settings.resolved_data_dir / relative
        kept = source / relative
        if not kept.is_file():
            bad.append(f"{relative} (missing from the backup)")
            continue
        if target.is_file():
            target.chmod(target.stat().st_mode | 0o200)  # a master of the same name is replaced by the backup's
        digest, size = _hash_copy(kept, target)
        # Hashed again as it now lies on disk, not as it was read: a bad write shows here.
        if digest != sha256 or sha256_of(target) != sha256:
            bad.append(relative)
        report.masters += 1
        report.master_bytes += size
        if progress:
            progress("masters", done, len(files))
    if bad:
        raise BackupError(
            f"{len(bad)} restored master(s) do not match the manifest's SHA-256: {', '.join(bad[:5])}. "
            "The backup is damaged; the databases are restored but these masters are not: restore an intact "
            "backup with --force"
        )


def restore(
    settings: Settings, source: Path, *, force: bool = False, progress: Progress | None = None
) -> RestoreReport:
    """Restores a backup into this archive's databases and data directory, checking every file and count.

    Refuses an archive in use unless ``force``. Afterwards the databases are brought to this version's schema.
    """
    source = source.resolve()
    manifest = read_manifest(source)
    targets = databases_of(settings)
    _check_backup(source, manifest, targets)
    dispose_engines()
    _check_empty(settings, targets, force)
    report = RestoreReport()
    for db, entry in zip(targets, manifest["databases"], strict=True):
        path = source / entry["file"]
        if db.dialect == "postgresql":
            _restore_postgres(path, db.url, db.name)
        else:
            _restore_sqlite(path, db.url)
        report.rows += _check_restored(db, entry)
        report.databases.append(db.name)
        if progress:
            progress(db.name, 1, 1)
    settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    _restore_masters(settings, source, manifest["masters"], report, progress)
    upgrade_all(settings)  # a backup of an older version is brought to this one's schema
    dispose_engines()
    return report
