"""Alembic environment for the workflow database."""

from __future__ import annotations

from alembic import context

import database.accounts  # noqa: F401 - its tables and indexes belong to the workflow metadata
from database.migrate import run_migrations
from database.workflow import WorkflowBase
from pipeline.config import get_settings

run_migrations(context, WorkflowBase.metadata, "alembic_version_workflow", get_settings().workflow_url)
