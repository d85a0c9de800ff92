"""The batch flow for many machines: a deployment on a Prefect server whose process workers run on each station.

A batch is submitted by parameters (the book and the paths of its scans on the shared storage), from
`prefect deployment run`, the Prefect UI or :func:`submit_book`; whichever worker of the pool is free runs it.
Every machine has this package installed, so the deployment names the flow by module path: no code is copied.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from prefect import flow, get_run_logger

from database.session import session_scope, workflow_sessions
from database.workflow import CopyKind
from flows.batch import batch_flow
from pipeline.config import get_settings
from pipeline.forms.catalogue import load_catalogue
from services.batches import BatchRequest, start_batch

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

FLOW_NAME = "archive-book"
DEPLOYMENT_NAME = "archive-book"
DEFAULT_POOL = "archive"


@flow(name=FLOW_NAME)
def book_flow(
    paths: list[str],
    office: str,
    act_type: str,
    year: int,
    copy_kind: CopyKind,
    book: str | None = None,
    form: str | None = None,
    started_by: str = "deployment",
    batch_id: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Starts a batch of the book on the files or folders given (paths as the workers see them, on the shared
    storage) and runs it on this machine. Given ``batch_id``, resumes that batch instead: done pages are skipped.
    """
    settings = get_settings()
    if batch_id is None:
        if form is not None:
            load_catalogue(settings.schemas_dir / "forms").form(form)  # an unknown form fails before any work
        request = BatchRequest(
            paths=tuple(Path(p) for p in paths),
            office=office,
            act_type=act_type,
            year=year,
            copy=copy_kind,
            book_label=book,
            form_hint=form,
            started_by=started_by,
        )
        with session_scope(workflow_sessions(settings)) as session:
            batch_id = start_batch(session, request).id
    # The id to resubmit with (batch_id) if this machine goes down before the batch ends.
    get_run_logger().info("batch %s of book %s-%s-%s-%s", batch_id, office, act_type, year, copy_kind)
    return batch_flow(batch_id, paths, workers=workers)


def ensure_work_pool(pool: str) -> None:
    """Creates the process work pool unless it exists."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            with suppress(ObjectAlreadyExists):  # another station created it at the same moment
                client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template))


def register_deployment(pool: str = DEFAULT_POOL, name: str = DEPLOYMENT_NAME) -> UUID:
    """Creates the work pool if needed and registers (or updates) the deployment on the server named by
    PREFECT_API_URL. Safe to run again, from any machine with the package installed."""
    from prefect.deployments.runner import EntrypointType

    ensure_work_pool(pool)
    deployment_id = book_flow.deploy(
        name=name,
        work_pool_name=pool,
        build=False,
        push=False,
        entrypoint_type=EntrypointType.MODULE_PATH,
        description="One book's scans in, checked records out (see deploy/README.md).",
        tags=["archive"],
        print_next_steps=False,
        ignore_warnings=True,
    )
    return cast(UUID, deployment_id)  # called from synchronous code: Prefect returns the value, not a coroutine


def submit_book(parameters: dict[str, Any], name: str = f"{FLOW_NAME}/{DEPLOYMENT_NAME}") -> UUID:
    """Queues a run of the deployment with these :func:`book_flow` parameters; returns the flow run's id."""
    from prefect.deployments import run_deployment

    flow_run = cast("FlowRun", run_deployment(name, parameters=parameters, timeout=0, as_subflow=False))
    return flow_run.id
