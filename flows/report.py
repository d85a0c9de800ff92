"""The daily progress report as a scheduled Prefect flow: a deployment with a cron schedule on the archive's work
pool writes the report file every morning (see deploy/README.md); `archive report` writes it at once."""

from __future__ import annotations

from pathlib import Path
from typing import cast
from uuid import UUID

from prefect import flow, get_run_logger

from flows.deployment import DEFAULT_POOL, ensure_work_pool
from pipeline.config import get_settings
from services.report import DAILY_CRON, DAILY_TIMEZONE, write_report

FLOW_NAME = "archive-progress-report"
DEPLOYMENT_NAME = "daily"


@flow(name=FLOW_NAME)
def report_flow(out: str | None = None, office: str | None = None) -> str:
    """Writes the progress report (every office, or one) and returns its path. Without ``out`` it goes to the
    reports folder (ARCHIVE_REPORTS_DIR, default data_dir/reports) as progress-<date>[-<office>].html."""
    path = write_report(get_settings(), Path(out) if out else None, office)
    get_run_logger().info("progress report written to %s", path)
    return str(path)


def register_report_deployment(
    pool: str = DEFAULT_POOL,
    cron: str = DAILY_CRON,
    timezone: str = DAILY_TIMEZONE,
    office: str | None = None,
    out: str | None = None,
) -> UUID:
    """Registers (or updates) the scheduled report on the server named by PREFECT_API_URL; a worker of ``pool``
    runs it. Safe to run again, from any machine with the package installed."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    ensure_work_pool(pool)
    parameters = {k: v for k, v in (("office", office), ("out", out)) if v is not None}
    deployment_id = report_flow.deploy(
        name=DEPLOYMENT_NAME if office is None else f"{DEPLOYMENT_NAME}-{office}",  # one per office, beside "daily"
        work_pool_name=pool,
        build=False,
        push=False,
        entrypoint_type=EntrypointType.MODULE_PATH,
        schedule=Cron(cron, timezone=timezone),
        parameters=parameters,
        description="The daily progress report file for offices without the web app (see deploy/README.md).",
        tags=["archive"],
        print_next_steps=False,
        ignore_warnings=True,
    )
    return cast(UUID, deployment_id)
