"""`archive verify` and `archive db upgrade`: keeping the archive's files and schema sound."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.common import console, domain_errors, err_console, ready_settings
from database.session import session_scope, workflow_sessions
from services.fixity import verify_masters


def verify() -> None:
    """Re-hash every master scan and report any that changed or went missing (exit 2 if so)."""
    with domain_errors():
        settings = ready_settings()
        columns = (TextColumn("re-hashing masters"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console) as progress, session_scope(workflow_sessions(settings)) as session:
            task = progress.add_task("verify", total=None)
            report = verify_masters(
                session, settings, lambda done, total: progress.update(task, completed=done, total=total)
            )
    for name in report.missing:
        err_console.print(f"[red]missing[/]  {name}")
    for name in report.changed:
        err_console.print(f"[red]changed[/]  {name}")
    console.print(f"{report.checked} masters checked, {len(report.changed)} changed, {len(report.missing)} missing")
    if not report.ok:
        raise typer.Exit(2)


def db_upgrade() -> None:
    """Bring the workflow store and the registry to the newest schema."""
    with domain_errors():
        settings = ready_settings()
    console.print(f"workflow store and registry are at the newest schema ({settings.workflow_url.split('@')[-1]})")
