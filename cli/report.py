"""`archive report`: the progress report file now, or its daily schedule on the Prefect server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, domain_errors, err_console, ready_settings
from services.report import DAILY_CRON, DAILY_TIMEZONE, write_report


def report(
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: reports folder, dated)")] = None,
    office: Annotated[str | None, typer.Option(help="only this office")] = None,
    schedule: Annotated[
        bool, typer.Option("--schedule", help="register the daily report on the Prefect server instead")
    ] = False,
    cron: Annotated[str, typer.Option(help="with --schedule: when (cron, in --timezone)")] = DAILY_CRON,
    timezone: Annotated[str, typer.Option(help="with --schedule: the cron's time zone")] = DAILY_TIMEZONE,
    pool: Annotated[str, typer.Option(help="with --schedule: the work pool whose workers run it")] = "archive",
) -> None:
    """Write the progress report: one self-contained HTML file (figures, charts) for offices without the web app."""
    with domain_errors():
        settings = ready_settings()
        if schedule:
            from prefect.settings import PREFECT_API_URL

            from flows.report import register_report_deployment

            if not PREFECT_API_URL.value():
                err_console.print(
                    "[bold red]error:[/] PREFECT_API_URL is not set: point it at the archive's Prefect server "
                    "(see deploy/README.md)"
                )
                raise typer.Exit(2)
            deployment = register_report_deployment(pool, cron, timezone, office, str(out.resolve()) if out else None)
            console.print(f"daily report deployment {deployment} registered: {cron} ({timezone}) on pool {pool!r}")
            return
        path = write_report(settings, out, office)
    console.print(f"progress report written to {path}")
