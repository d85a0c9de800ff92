"""The progress report file: its figures equal the database's counts; self-contained; one office; the command."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app
from database.session import session_scope, workflow_sessions
from database.workflow import Book, Page, PageState, Record, ScanFile, ScanFileState
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.types import RecordStatus
from services.report import render_report
from tests.webapp.test_dashboard import _workload

FIGURE = re.compile(r'data-figure="([a-z_]+)-([\w.-]+)">([\d,]+)<')


def figures(html: str) -> dict[tuple[str, str], int]:
    """(figure, office or reviewer) -> value, as the report shows them."""
    return {(name, key): int(value.replace(",", "")) for name, key, value in FIGURE.findall(html)}


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def expected_figures(session: Session, code: str) -> dict[tuple[str, str], int]:
    """The office's figures counted here with plain queries, independently of services.dashboard."""
    office = Record.office == code
    pages = Page.scan_file_id.in_(
        select(ScanFile.id).where(ScanFile.book_id.in_(select(Book.id).where(Book.office == code)))
    )
    return {
        ("records", code): _count(session, Record, office),
        ("auto_verified", code): _count(session, Record, office, Record.status == RecordStatus.AUTO_VERIFIED),
        ("records_reviewed", code): _count(session, Record, office, Record.verified_by.is_not(None)),
        ("loaded", code): _count(session, Record, office, Record.loaded_at.is_not(None)),
        ("pages", code): _count(session, Page, pages),
    }


def assert_self_contained(html: str) -> None:
    for outside in ("<link", "<script", "src=", "url(", "@import", 'href="/', 'href="http'):
        assert outside not in html, outside
    assert "<style>" in html and "--ink:" in html and "svg.bar" in html  # the style sheets are inside


def test_the_report_shows_the_database_counts(settings: Settings) -> None:
    now = datetime.now(UTC)
    with session_scope(workflow_sessions(settings)) as session:
        _workload(session)
    with session_scope(workflow_sessions(settings)) as session:
        html = render_report(session, settings.schemas_dir / "offices.yaml", None, now.date(), now)
        shown = figures(html)
        for code in ("KHJ", "SNO"):
            for key, value in expected_figures(session, code).items():
                assert shown[key] == value, key
        assert shown[("records", "total")] == _count(session, Record)
        assert shown[("target", "KHJ")] == 28_000  # the shipped offices file's target
        assert shown[("reviewed", "anna")] == _count(session, Record, Record.verified_by == "anna")
        failed = _count(session, Page, Page.state == PageState.FAILED)
        quarantined = _count(session, ScanFile, ScanFile.state == ScanFileState.QUARANTINED)
        assert html.count("<tr data-problem>") == failed + quarantined == 2
    assert (shown[("records", "KHJ")], shown[("records", "SNO")]) == (8, 2)  # the workload's, not zero
    assert html.count('<svg class="chart"') == 1 and html.count('<svg class="bar"') >= 7 * 5
    assert_self_contained(html)


def test_one_office_and_an_unknown_office(sqlite_settings: Settings) -> None:
    now = datetime.now(UTC)
    offices_file = sqlite_settings.schemas_dir / "offices.yaml"
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        _workload(session)
        html = render_report(session, offices_file, "SNO", now.date(), now)
        assert {key for _name, key in figures(html)} == {"SNO"}  # nothing of another office, no total
        assert "sno/torn.pdf" in html and "Sino district of Dushanbe" in html
        with pytest.raises(ConfigError, match="no office XYZ"):
            render_report(session, offices_file, "XYZ", now.date(), now)


def test_the_report_command(sqlite_settings: Settings, tmp_path: Path) -> None:
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        _workload(session)
    out = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--office", "KHJ"])
    assert result.exit_code == 0, result.output
    assert figures(out.read_text(encoding="utf-8"))[("records", "KHJ")] == 8
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    dated = sqlite_settings.resolved_reports_dir / f"progress-{datetime.now(UTC).date().isoformat()}.html"
    assert figures(dated.read_text(encoding="utf-8"))[("records", "SNO")] == 2
    assert [p.name for p in dated.parent.iterdir()] == [dated.name]  # no temporary file left beside it
    result = CliRunner().invoke(app, ["report", "--office", "XYZ"])
    assert result.exit_code == 3 and "no office XYZ" in result.output
