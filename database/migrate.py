"""Brings both databases to the newest schema with Alembic (no alembic.ini needed at run time)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.exc import OperationalError

from database.session import engine_for, shown_url
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.errors import DatabaseUnavailable

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(database: str, url: str) -> Config:
    """An Alembic config for ``database`` ('workflow' or 'registry') pointed at ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR / database))
    cfg.attributes["url"] = url
    return cfg


def upgrade_all(settings: Settings, revision: str = "head") -> None:
    """Upgrades the workflow store and the registry; creates the SQLite folder when needed."""
    for url in {settings.workflow_url, settings.registry_database_url}:
        if url.startswith("sqlite:///"):
            folder = Path(url.removeprefix("sqlite:///")).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"cannot create the folder {folder} of the SQLite database ({exc.strerror}); "
                    "set ARCHIVE_DATA_DIR (or ARCHIVE_DATABASE_URL) to a place this user can write"
                ) from exc
    registry_variable = "ARCHIVE_REGISTRY_URL" if settings.registry_url else "ARCHIVE_DATABASE_URL"
    for database, url, variable in (
        ("workflow", settings.workflow_url, "ARCHIVE_DATABASE_URL"),
        ("registry", settings.registry_database_url, registry_variable),
    ):
        try:
            command.upgrade(alembic_config(database, url), revision)
        except OperationalError as exc:
            raise DatabaseUnavailable(_unreachable(database, url, variable, exc)) from exc


def _unreachable(database: str, url: str, variable: str, exc: OperationalError) -> str:
    reason = str(exc.orig).strip().replace("\n", " ")
    if url.startswith("sqlite"):
        return (
            f"cannot open the {database} database {shown_url(url)} ({reason}); check that its folder exists and is "
            f"writable, or set ARCHIVE_DATA_DIR or {variable}"
        )
    return (
        f"cannot reach the {database} database {shown_url(url)} ({reason}). Start the database server, or fix "
        f"{variable} (its host, port, user, password and database name)"
    )


def downgrade_all(settings: Settings, revision: str = "base") -> None:
    command.downgrade(alembic_config("registry", settings.registry_database_url), revision)
    command.downgrade(alembic_config("workflow", settings.workflow_url), revision)


def run_migrations(context: EnvironmentContext, metadata: MetaData, version_table: str, default_url: str) -> None:
    """Migrates the connection Alembic was handed, else the configured URL, else ``default_url``."""

    def own_tables_only(name: str | None, type_: str, _parent: object) -> bool:
        # Both databases may share one server schema: never touch the other database's tables.
        return type_ != "table" or name in metadata.tables

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=own_tables_only,
        )
        with context.begin_transaction():
            context.run_migrations()

    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    with engine_for(config.attributes.get("url") or default_url).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a SQLite table (copy, drop, rename); with foreign keys enforced, dropping the
            # old table deletes every row pointing at it through ON DELETE CASCADE (a downgrade of records lost
            # all fields). SQLite ignores this pragma inside a transaction: off before it begins, on after it ends.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            run(conn)
            conn.commit()
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
