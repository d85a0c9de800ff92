"""`archive offices import FILE`, `archive offices list` and `archive offices remove CODE`: the offices and their
digitization targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, domain_errors, ready_settings
from database.session import session_scope, workflow_sessions
from services.offices import (
    ACT_TYPES,
    COPIES,
    import_offices,
    office_plan,
    offices_file,
    read_offices_file,
    remove_office,
    target_dates,
)

offices_app = typer.Typer(help="Offices and their targets (records per copy and act type).", no_args_is_help=True)


@offices_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="offices file: .yaml like schemas/offices.yaml, or .csv", exists=True)],
) -> None:
    """Add or update offices and their targets from a file; the whole file is checked before anything is saved."""
    with domain_errors():
        source = read_offices_file(file)
        settings = ready_settings()
        with session_scope(workflow_sessions(settings)) as session:
            result = import_offices(session, source)
        console.print(
            f"{len(source.offices)} offices imported from {file}: "
            f"{len(result.added)} new ({', '.join(result.added) or 'none'}), "
            f"{len(result.updated)} updated ({', '.join(result.updated) or 'none'})"
        )


@offices_app.command("list")
def list_command() -> None:
    """The offices the figures use, with their targets, target date and where they come from."""
    from datetime import UTC, datetime

    with domain_errors():
        settings = ready_settings()
        offices_file = settings.schemas_dir / "offices.yaml"
        with session_scope(workflow_sessions(settings)) as session:
            plan = office_plan(session, offices_file)
        default_date, dates = target_dates(offices_file, datetime.now(UTC).date(), plan)
    table = Table(title="offices and targets (records)")
    for column in ("code", "office", "targets", "total", "target date", "from"):
        table.add_column(column, justify="right" if column == "total" else "left")
    for o in plan:
        targets = "; ".join(
            f"{copy}: " + ", ".join(f"{a} {o.targets[copy][a]:,}" for a in ACT_TYPES if a in o.targets[copy])
            for copy in COPIES
            if o.targets.get(copy)
        )
        table.add_row(
            o.code,
            f"{o.name} ({o.region})" if o.region else o.name,
            targets or "none",
            f"{o.total_target:,}",
            dates.get(o.code, default_date).isoformat(),
            o.source,
        )
    console.print(table)


@offices_app.command("remove")
def remove_command(
    code: Annotated[str, typer.Argument(help="code of an office imported with `archive offices import`")],
    force: Annotated[bool, typer.Option("--force", help="remove it even though it has books")] = False,
) -> None:
    """Remove an imported office and its targets; its books and records are kept (refused while it has books, unless
    --force)."""
    with domain_errors():
        settings = ready_settings()
        shipped = settings.schemas_dir / "offices.yaml"
        in_file = any(o.code == code for o in offices_file(shipped).offices)
        with session_scope(workflow_sessions(settings)) as session:
            removed = remove_office(session, code, force=force)
    console.print(
        f"office {code} removed with its {removed.targets} targets; its {removed.books} book(s) and their records "
        "are kept" + (f"; the figures use its entry in {shipped.name} again" if in_file else "")
    )
