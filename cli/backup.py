"""`archive backup DEST` and `archive restore SRC`: the archive's databases and masters, with a checked manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, domain_errors, ready_settings
from pipeline.config import get_settings
from services.backup import backup, restore


def backup_command(dest: Annotated[Path, typer.Argument(help="new or empty folder to write the backup into")]) -> None:
    """Back up the workflow store, the registry and the masters into DEST (one consistent snapshot)."""
    with domain_errors():
        settings = ready_settings()
        manifest = backup(settings, dest)
    masters = manifest["masters"]
    for entry in manifest["databases"]:
        rows = sum(entry["tables"].values())
        console.print(f"{entry['name']}: {entry['dialect']}, {rows} rows in {len(entry['tables'])} tables")
    console.print(f"{masters['count']} masters ({masters['bytes'] / 1e6:.1f} MB); manifest {dest / 'manifest.json'}")


def restore_command(
    src: Annotated[Path, typer.Argument(help="a folder written by `archive backup`")],
    force: Annotated[bool, typer.Option("--force", help="replace an archive that already holds data")] = False,
) -> None:
    """Restore a backup into the configured databases and data directory, checking counts and hashes."""
    with domain_errors():
        # Not ready_settings(): the databases are restored as they were, then brought to this version's schema.
        settings = get_settings()
        report = restore(settings, src, force=force)
    console.print(
        f"restored {', '.join(report.databases)} ({report.rows} rows) and {report.masters} masters "
        f"({report.master_bytes / 1e6:.1f} MB); counts and SHA-256 checked against the manifest"
    )
