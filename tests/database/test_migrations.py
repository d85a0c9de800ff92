"""Alembic migrations bring an empty database to the models' schema, and back down, on both databases; each step
keeps the rows already in the tables, going up, down and up again."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    inspect,
    select,
)

from database.migrate import alembic_config, downgrade_all, upgrade_all
from database.registry import RegistryBase
from database.session import dispose_engines, engine_for
from database.workflow import WorkflowBase
from pipeline.config import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    downgrade_all(Settings(database_url=url, data_dir=tmp_path))
    dispose_engines()
    return url


def test_migrations_create_exactly_the_models_schema_and_downgrade_to_nothing(
    empty_database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=empty_database_url, data_dir=tmp_path)
    upgrade_all(settings)
    engine = create_engine(empty_database_url)
    with engine.connect() as conn:
        for metadata in (WorkflowBase.metadata, RegistryBase.metadata):
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": True, "include_name": lambda n, t, _p, m=metadata: t != "table" or n in m.tables},
            )
            assert compare_metadata(context, metadata) == []
    downgrade_all(settings)
    tables = set(inspect(engine).get_table_names())
    assert tables <= {"alembic_version_workflow", "alembic_version_registry"}
    engine.dispose()
    upgrade_all(settings)  # leave the shared test database at head for the other tests
    dispose_engines()


# --- every migration step, up and down and up again, with rows in the tables ---------------------------------


def _revisions(database: str, url: str) -> list[str]:
    """The environment's revisions from the first to the head, whatever revisions exist now."""
    script = ScriptDirectory.from_config(alembic_config(database, url))
    heads = script.get_heads()
    assert len(heads) == 1, f"migrations/{database} has several heads {heads}: merge them (alembic merge)"
    return [revision.revision for revision in reversed(list(script.walk_revisions("base", "heads")))]


def _value(column: Column[Any], n: int) -> Any:
    """A representative value of the column's type, distinct for each ``n``."""
    kind = column.type
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        return 100_000 + n
    if isinstance(kind, Float | Numeric):
        return 0.5 + n
    if isinstance(kind, DateTime):
        return datetime(2024, 3, 1, 12, 30, n % 60, tzinfo=UTC if kind.timezone else None)
    if isinstance(kind, Date):
        return date(1987, 3, 1 + n % 28)
    if isinstance(kind, JSON):
        return {"n": n, "words": ["Шаҳноза", "x"]}
    if isinstance(kind, LargeBinary):
        return bytes([n % 256, 0, 255])
    if isinstance(kind, String):  # Text, VARCHAR, and the enums stored as VARCHAR
        text_value = f"v{n}ш"
        return text_value[: kind.length] if kind.length else text_value
    raise AssertionError(f"no representative value for {column.table.name}.{column.name} of type {kind!r}: add one")


Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def _own_tables(conn: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(conn)
    for table in list(metadata.tables.values()):
        if table.name.startswith("alembic_version"):
            metadata.remove(table)
    return metadata


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _insert_rows(conn: Connection, step: int, expected: Rows) -> None:
    """One row in every table, each column filled, foreign keys pointing at the rows of this step."""
    metadata = _own_tables(conn)
    inserted: dict[str, dict[str, Any]] = {}
    for table in metadata.sorted_tables:
        row: dict[str, Any] = {}
        for i, column in enumerate(table.columns):
            fk = next(iter(column.foreign_keys), None)
            if fk is not None:
                parent = inserted.get(fk.column.table.name)
                if parent is not None and fk.column.table.name != table.name:
                    row[column.name] = parent[fk.column.name]
                elif column.nullable:
                    row[column.name] = None
                else:
                    raise AssertionError(f"{table.name}.{column.name}: no parent row to point at")
            else:
                row[column.name] = _value(column, step * 100 + i)
        conn.execute(table.insert().values(**row))
        inserted[table.name] = row
        stored = conn.execute(select(table).where(*(c == row[c.name] for c in table.primary_key.columns))).one()
        expected.setdefault(table.name, {})[_key(table, row)] = dict(stored._mapping)


def _same(a: Any, b: Any) -> bool:
    return a == b or str(a) == str(b)


def _check_rows(conn: Connection, expected: Rows, when: str) -> None:
    """Every row expected is there with its values; tables and columns this revision lacks are forgotten."""
    metadata = _own_tables(conn)
    for name in list(expected):
        table = metadata.tables.get(name)
        if table is None:
            del expected[name]  # the step dropped the table it created, rows and all
            continue
        for key, values in expected[name].items():
            found = conn.execute(
                select(table).where(*(c == v for c, v in zip(table.primary_key.columns, key, strict=True)))
            ).all()
            assert len(found) == 1, f"{when}: row {key} of {name} is gone"
            row = dict(found[0]._mapping)
            for column in list(values):
                if column not in row:
                    del values[column]  # dropped by a downgrade: the rest of the row must survive
                else:
                    assert _same(row[column], values[column]), f"{when}: {name}.{column} of {key} changed"


@pytest.mark.parametrize("database", ["workflow", "registry"])
def test_each_migration_step_keeps_the_rows_going_down_and_up_again(
    empty_database_url: str, tmp_path: Path, database: str
) -> None:
    url = empty_database_url
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / f'{database}.sqlite'}"
    else:
        downgrade_all(Settings(database_url=url, data_dir=tmp_path))
    config = alembic_config(database, url)
    revisions = _revisions(database, url)
    engine = engine_for(url)  # the engine the migrations use: with SQLite's foreign keys switched on
    expected: Rows = {}
    previous = "base"
    try:
        for step, revision in enumerate(revisions):
            command.upgrade(config, revision)
            with engine.begin() as conn:
                _check_rows(conn, expected, f"upgraded to {revision}")
                _insert_rows(conn, step, expected)
            command.downgrade(config, previous)
            with engine.begin() as conn:
                _check_rows(conn, expected, f"downgraded from {revision} to {previous}")
            command.upgrade(config, revision)
            with engine.begin() as conn:
                _check_rows(conn, expected, f"upgraded to {revision} again")
            previous = revision
        assert sum(len(rows) for rows in expected.values()) >= len(revisions)
    finally:
        if not empty_database_url.startswith("sqlite"):
            command.downgrade(config, "base")
            upgrade_all(Settings(database_url=url, data_dir=tmp_path))  # leave the shared database at head
        dispose_engines()
