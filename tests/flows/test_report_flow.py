"""Flows of the managers' view: the report flow writes the file; its daily deployment; batches keep their run id."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect import get_client
from sqlalchemy import func, select

from database.session import session_scope, workflow_sessions
from database.workflow import Batch, CopyKind, Record
from flows.batch import batch_flow
from flows.report import register_report_deployment, report_flow
from pipeline.config import Settings
from services.batches import BatchRequest, start_batch
from tests.services.test_report import assert_self_contained, expected_figures, figures
from tests.webapp.test_dashboard import _workload


def test_the_report_flow_writes_the_database_counts(sqlite_settings: Settings, tmp_path: Path) -> None:
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        _workload(session)
    out = tmp_path / "daily" / "progress.html"
    assert report_flow(out=str(out)) == str(out)
    html = out.read_text(encoding="utf-8")
    shown = figures(html)
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        for code in ("KHJ", "SNO"):
            for key, value in expected_figures(session, code).items():
                assert shown[key] == value, key
        assert shown[("records", "total")] == session.scalar(select(func.count()).select_from(Record)) == 10
    assert_self_contained(html)


def test_the_daily_deployment_is_on_a_cron_schedule(sqlite_settings: Settings) -> None:
    deployment_id = register_report_deployment(pool="archive-test", cron="30 5 * * 1-6", office="KHJ")
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment(deployment_id)
    assert deployment.entrypoint == "flows.report.report_flow"
    assert deployment.work_pool_name == "archive-test" and deployment.parameters == {"office": "KHJ"}
    [schedule] = deployment.schedules
    assert schedule.active
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 5 * * 1-6", "Asia/Dushanbe")
    again = register_report_deployment(pool="archive-test", cron="0 7 * * *", office="KHJ")
    all_offices = register_report_deployment(pool="archive-test")
    with get_client(sync_client=True) as client:
        assert again == deployment_id and client.read_deployment(again).schedules[0].schedule.cron == "0 7 * * *"
        assert all_offices != deployment_id and client.read_deployment(all_offices).name == "daily"


def test_a_batch_keeps_the_id_of_its_flow_run(sqlite_settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "nothing-yet"
    empty.mkdir()
    request = BatchRequest(paths=(empty,), office="KHJ", act_type="birth", year=1990, copy=CopyKind.FIRST)
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        batch_id = start_batch(session, request).id
    state = batch_flow(batch_id, [str(empty)], workers=1, return_state=True)
    assert state.is_completed()
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        stored = session.get_one(Batch, batch_id).flow_run_id
    assert stored is not None and UUID(stored) == state.state_details.flow_run_id
