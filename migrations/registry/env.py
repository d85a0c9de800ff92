"""Alembic environment for the registry database."""

from __future__ import annotations

from alembic import context

from database.migrate import run_migrations
from database.registry import RegistryBase
from pipeline.config import get_settings

run_migrations(context, RegistryBase.metadata, "alembic_version_registry", get_settings().registry_database_url)
