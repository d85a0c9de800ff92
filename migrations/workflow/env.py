"""Alembic environment for the workflow database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import database.accounts  # noqa: F401 - its tables and indexes belong to the workflow metadata
from database.session import engine_for
from database.workflow import WorkflowBase as Base
from pipeline.config import get_settings

config = context.config
VERSION_TABLE = "alembic_version_workflow"


def _own_tables_only(name: str | None, type_: str, _parent: object) -> bool:
    """Both databases may share one server schema: never touch the other database's tables."""
    return type_ != "table" or name in Base.metadata.tables


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_own_tables_only,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    settings = get_settings()
    url = config.attributes.get("url") or settings.workflow_url
    with engine_for(url).connect() as conn:
        _run(conn)
        conn.commit()


run_migrations_online()
