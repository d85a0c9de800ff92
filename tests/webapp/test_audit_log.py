"""The admins' audit log: who changed what, old → new and why, filtered by user, office and day, paged."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from database.session import session_scope, workflow_sessions
from pipeline.config import Settings
from services.audit import record_event
from tests.webapp.support import ReviewData, login

SQLITE_ONLY = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
ROW = re.compile(r"<tr>\s*<td>(\d{4}-\d\d-\d\d [\d:]+)</td><td>([^<]*)</td><td>([^<]*)</td>")


def _events(settings: Settings, data: ReviewData) -> None:
    """A correction in KHJ, a rejection in SNO on another day, and an account change (no office)."""
    with session_scope(workflow_sessions(settings)) as session:
        record_event(
            session,
            actor="anna",
            action="field_corrected",
            route="POST /review/save",
            record_id=data.khj[0],
            field_key="child_name",
            before={"value": "Мадииа", "state": "flagged"},
            after={"value": "Мадина", "state": "corrected"},
            at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        )
        record_event(
            session,
            actor="sino",
            action="rejected",
            route="POST /review/reject",
            record_id=data.sno,
            before={"status": "in_review"},
            after={"status": "rejected", "reason": "duplicate"},
            note="same act as page 1",
            at=datetime(2026, 3, 5, 14, 0, tzinfo=UTC),
        )
        record_event(
            session, actor="cli", action="user_created", route="users", after={"user": "anna"},
            at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        )  # fmt: skip


def _rows(html: str) -> list[tuple[str, str, str]]:
    return ROW.findall(html)


def test_the_audit_log_shows_who_what_old_new_and_why_and_filters(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    _events(settings, review_data)
    login(app_client, "root")
    page = app_client.get("/audit-log")
    assert page.status_code == 200
    assert _rows(page.text) == [
        ("2026-03-05 14:00:00", "sino", "rejected"),
        ("2026-03-02 09:30:00", "anna", "field_corrected"),
        ("2026-03-01 08:00:00", "cli", "user_created"),
    ]
    assert "state: flagged; value: Мадииа → state: corrected; value: Мадина" in page.text
    assert "duplicate; same act as page 1" in page.text
    assert f'href="/records/{review_data.khj[0]}"' in page.text
    assert "<script" not in page.text and "onclick" not in page.text.lower()
    assert '<a href="/audit-log">Audit log</a>' in page.text  # in the admin's menu

    assert [r[1] for r in _rows(app_client.get("/audit-log?user=anna").text)] == ["anna"]
    assert [r[1] for r in _rows(app_client.get("/audit-log?office=SNO").text)] == ["sino"]
    assert [r[1] for r in _rows(app_client.get("/audit-log?office=KHJ").text)] == ["anna"]
    days = app_client.get("/audit-log?date_from=2026-03-02&date_to=2026-03-04").text
    assert [r[1] for r in _rows(days)] == ["anna"]
    assert [r[1] for r in _rows(app_client.get("/audit-log?date_to=2026-03-05").text)] == ["sino", "anna", "cli"]
    assert app_client.get("/audit-log?date_from=March").status_code == 422
    assert _rows(app_client.get("/audit-log?user=nobody").text) == []


@SQLITE_ONLY
def test_the_audit_log_is_paged_keeping_its_filters(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        for minute in range(55):
            record_event(
                session, actor="anna", action="claimed", route="queue", record_id=review_data.khj[1],
                at=datetime(2026, 4, 1, 10, minute, tzinfo=UTC),
            )  # fmt: skip
        record_event(session, actor="bobur", action="claimed", route="queue", at=datetime(2026, 4, 2, tzinfo=UTC))
    login(app_client, "root")
    first = app_client.get("/audit-log?user=anna")
    assert "55 events · page 1 of 2" in first.text and len(_rows(first.text)) == 50
    assert _rows(first.text)[0][0] == "2026-04-01 10:54:00"
    assert 'rel="next" href="/audit-log?user=anna&amp;page=2"' in first.text
    second = app_client.get("/audit-log?user=anna&page=2")
    assert [r[0] for r in _rows(second.text)] == [f"2026-04-01 10:0{m}:00" for m in range(4, -1, -1)]
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert len(_rows(app_client.get("/audit-log?page=99").text)) == 6  # past the end: the last page


@SQLITE_ONLY
@pytest.mark.parametrize("username", ["anna", "mira", "oleg"])
def test_only_admins_read_the_audit_log(app_client: TestClient, review_data: ReviewData, username: str) -> None:
    login(app_client, username)
    refused = app_client.get("/audit-log")
    assert refused.status_code == 403 and "cannot read the audit log" in refused.text
    assert 'href="/audit-log"' not in app_client.get("/records").text
