"""`archive export`, `archive load` and `archive progress`: what the registry team and managers read."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, domain_errors, ready_settings
from database.session import session_scope, workflow_and_registry, workflow_sessions
from pipeline.forms.catalogue import load_catalogue
from services.export import export_records
from services.loader import load_records
from services.progress import BookProgress, office_progress


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


PROGRESS_CSV_COLUMNS = (
    "book",
    "act_type",
    "year",
    "copy",
    "files",
    "quarantined",
    "pages",
    "pages_done",
    "pages_failed",
    "records",
    "auto_verified",
    "to_review",
    "verified",
    "loaded",
)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class ProgressFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def export(
    out: Annotated[Path, typer.Option("--out", help="file to write")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv")] = ExportFormat.JSONL,
    office: Annotated[str | None, typer.Option(help="only this office")] = None,
    status: Annotated[str | None, typer.Option(help="only records in this status (or 'loaded')")] = None,
) -> None:
    """Export the records, one per line, in the export contract's format."""
    with domain_errors():
        settings = ready_settings()
        catalogue = load_catalogue(settings.schemas_dir / "forms")
        with session_scope(workflow_sessions(settings)) as session:
            count = export_records(session, catalogue, out, fmt=fmt.value, office=office, status=status)
        console.print(f"{count} records written to {out}")


def load() -> None:
    """Load every verified record not yet in the registry (the flow does this at the end of each batch)."""
    with domain_errors():
        settings = ready_settings()
        with workflow_and_registry(settings) as (workflow, registry):
            result = load_records(workflow, registry)
        console.print(f"new acts: {result.loaded}, updated: {result.updated}, without act number: {result.skipped}")


def progress(
    office: Annotated[str | None, typer.Option(help="only this office")] = None,
    fmt: Annotated[ProgressFormat, typer.Option("--format", help="table, json or csv")] = ProgressFormat.TABLE,
) -> None:
    """Progress per office and book against targets."""
    with domain_errors():
        settings = ready_settings()
        with session_scope(workflow_sessions(settings)) as session:
            rows = office_progress(session, settings.schemas_dir / "offices.yaml", office)
        if fmt is ProgressFormat.JSON:
            console.print_json(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
            return
        if fmt is ProgressFormat.CSV:  # one line per book, for a spreadsheet (an office with no book: one empty line)
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(["office", "office_name", "office_target", *PROGRESS_CSV_COLUMNS])
            for row in rows:
                books: list[BookProgress | None] = [*row.books] or [None]
                for book in books:
                    values = (
                        [getattr(book, c) for c in PROGRESS_CSV_COLUMNS] if book else [""] * len(PROGRESS_CSV_COLUMNS)
                    )
                    writer.writerow([row.office, row.name, row.target, *values])
            return
        table = Table(title="digitization progress")
        for column in ("office", "target", "records", "auto-verified", "to review", "verified", "loaded", "% target"):
            table.add_column(column, justify="left" if column == "office" else "right")
        table.add_column("failed pages / quarantined", justify="right")
        for row in rows:
            table.add_row(
                f"{row.office} {row.name}",
                f"{row.target:,}",
                f"{row.records:,}",
                f"{row.auto_verified:,}",
                f"{row.to_review:,}",
                f"{row.verified:,}",
                f"{row.loaded:,}",
                f"{row.percent_of_target:.1f}",
                f"{row.pages_failed} / {row.quarantined}",
            )
            for book in row.books:
                table.add_row(
                    f"  └ {book.book}",
                    "",
                    f"{book.records:,}",
                    f"{book.auto_verified:,}",
                    f"{book.to_review:,}",
                    f"{book.verified:,}",
                    f"{book.loaded:,}",
                    "",
                    f"{book.pages_failed} / {book.quarantined}",
                )
        console.print(table)
