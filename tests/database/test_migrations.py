"""Alembic migrations bring an empty database to the models' schema, and back down, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from database.migrate import downgrade_all, upgrade_all
from database.registry import RegistryBase
from database.session import dispose_engines
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
