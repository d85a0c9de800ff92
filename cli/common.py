"""What every command needs: settings, databases brought to head, and domain errors turned into exit codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from database.migrate import upgrade_all
from pipeline.config import Settings, get_settings
from pipeline.errors import ArchiveError

console = Console()
err_console = Console(stderr=True)


def ready_settings() -> Settings:
    """Settings with both databases migrated to the newest schema."""
    settings = get_settings()
    settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_all(settings)
    return settings


@contextmanager
def domain_errors() -> Iterator[None]:
    """Prints an ArchiveError's message (which says what to do) and exits with its code; no traceback."""
    try:
        yield
    except ArchiveError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(exc.exit_code) from exc


def quiet_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
