"""`archive worker`: takes batches submitted to the Prefect server and runs them on this machine."""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Annotated

import typer

from cli.common import console, domain_errors, err_console, ready_settings
from pipeline.config import Settings
from pipeline.errors import ConfigError

DEFAULT_POOL = "archive"  # the same as flows.deployment.DEFAULT_POOL, which cannot be imported before Prefect's setup


def _pin_settings(settings: Settings) -> None:
    """Flow runs start in a temporary folder: relative paths and a .env file would not be found from there,
    so the settings this command resolved are handed to them as absolute values."""
    os.environ["ARCHIVE_DATA_DIR"] = str(settings.resolved_data_dir)
    os.environ["ARCHIVE_DATABASE_URL"] = settings.workflow_url
    os.environ["ARCHIVE_REGISTRY_URL"] = settings.registry_database_url
    os.environ["ARCHIVE_SCHEMAS_DIR"] = str(settings.schemas_dir.resolve())
    os.environ["ARCHIVE_WORKERS"] = str(settings.workers)
    for variable, path in (
        ("ARCHIVE_TESSDATA_DIR", settings.tessdata_dir),
        ("ARCHIVE_THRESHOLDS_FILE", settings.thresholds_file),
    ):
        if path is not None:
            os.environ[variable] = str(path.resolve())


def worker(
    pool: Annotated[str, typer.Option(help="work pool to take batches from")] = DEFAULT_POOL,
    name: Annotated[str | None, typer.Option(help="name shown in Prefect; default the host name")] = None,
    batches: Annotated[int, typer.Option(help="batches run at once (each uses ARCHIVE_WORKERS cores)")] = 1,
    register: Annotated[
        bool, typer.Option("--register/--no-register", help="register (or update) the deployment first")
    ] = True,
) -> None:
    """Run batches submitted to the Prefect server (PREFECT_API_URL) on this machine, until stopped."""
    with domain_errors():
        settings = ready_settings()
        # The worker's own messages (flow runs taken, finished) are what an operator watches here.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
        from flows.runtime import configure_prefect, thread_engine

        configure_prefect(settings)
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            raise ConfigError(
                "PREFECT_API_URL is not set: point it at the Prefect server of the archive, e.g. "
                "export PREFECT_API_URL=http://archive-server:4200/api (see deploy/README.md)"
            )
        if settings.workflow_url.startswith("sqlite"):
            err_console.print(
                "[yellow]warning:[/] the workflow store is SQLite, which only this machine can use; "
                "set ARCHIVE_DATABASE_URL to the archive's PostgreSQL when several machines run batches"
            )
        thread_engine(settings)  # Tesseract and its languages checked before any batch is taken
        _pin_settings(settings)
        if register:
            from flows.deployment import register_deployment

            register_deployment(pool)
        from prefect.utilities.processutils import setup_signal_handlers_worker
        from prefect.workers.process import ProcessWorker

        worker_name = name or socket.gethostname()
        # First SIGTERM or Ctrl-C: stop taking batches and let the running one finish; second: kill it.
        setup_signal_handlers_worker(os.getpid(), f"archive worker {worker_name!r}", console.print)
        console.print(f"taking batches from work pool {pool!r} of {PREFECT_API_URL.value()} as {worker_name!r}")
        process_worker = ProcessWorker(work_pool_name=pool, name=worker_name, limit=max(1, batches))
        asyncio.run(process_worker.start(printer=console.print))
