"""What every command needs: settings, databases brought to head, and domain errors turned into exit codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from database.migrate import upgrade_all
from pipeline.config import PROJECT_ROOT, Settings, get_settings
from pipeline.errors import ArchiveError, ConfigError
from services.redaction import forms_personal_keys, install_redaction

console = Console()
err_console = Console(stderr=True)


def ready_settings() -> Settings:
    """Settings with both databases migrated to the newest schema."""
    settings = get_settings()
    try:
        settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the archive folder {settings.resolved_data_dir} ({exc.strerror}); "
            "set ARCHIVE_DATA_DIR to a folder this user can write"
        ) from exc
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
    """Warnings and errors on stderr, with names and dates of birth redacted (see services.redaction)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        forms_dir = get_settings().schemas_dir / "forms"
    except ValueError:  # bad settings are reported by the command that reads them
        forms_dir = PROJECT_ROOT / "schemas" / "forms"
    install_redaction(forms_personal_keys(forms_dir))
