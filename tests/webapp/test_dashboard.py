"""The managers' view and the batches page: figures equal the database's counts, drill-down, roles, in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from database.session import session_scope, workflow_sessions
from database.workflow import (
    Batch,
    BatchFile,
    BatchState,
    Book,
    Field,
    Page,
    PageState,
    Record,
    ScanFile,
    ScanFileState,
)
from pipeline.config import Settings
from pipeline.types import FieldState, RecordStatus
from services.dashboard import RATE_DAYS, dashboard, office_view, records_per_day, shared_snapshot
from tests.factories import make_book, make_record
from tests.webapp.support import PASSWORD, VALUES, add_users, login

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Workload:
    khj_book: int
    sno_book: int
    khj_page: int
    batch: str


def _scan(session: Session, book: Book, batch: Batch, name: str, state: ScanFileState, **reason: str) -> ScanFile:
    scan = ScanFile(
        sha256=f"{name:0>64}"[-64:],
        source_path=name,
        book_id=book.id,
        first_batch_id=batch.id,
        size_bytes=1,
        page_count=0,
        state=state,
        **reason,
    )
    session.add(scan)
    session.flush()
    session.add(BatchFile(batch_id=batch.id, scan_file_id=scan.id, source_path=name))
    return scan


def _workload(session: Session) -> Workload:
    """Two offices: records in every state over several days, pages waiting and failed, a quarantined file."""
    add_users(session)
    khj, sno = make_book(session, office="KHJ"), make_book(session, office="SNO")
    plan = [  # (office book, status, reviewer, loaded, days ago)
        (khj, RecordStatus.AUTO_VERIFIED, None, True, 0),
        (khj, RecordStatus.AUTO_VERIFIED, None, False, 1),
        (khj, RecordStatus.AUTO_VERIFIED, None, False, 3),
        (khj, RecordStatus.NEEDS_REVIEW, None, False, 3),
        (khj, RecordStatus.NEEDS_REVIEW, None, False, 5),
        (khj, RecordStatus.VERIFIED, "anna", True, 5),
        (khj, RecordStatus.VERIFIED, "anna", False, 20),
        (khj, RecordStatus.VERIFIED, "bobur", False, 2),
        (sno, RecordStatus.AUTO_VERIFIED, None, True, 1),
        (sno, RecordStatus.NEEDS_REVIEW, None, False, 1),
    ]
    values: dict[str, str | None] = dict(VALUES)
    first_page = 0
    for n, (book, status, reviewer, loaded, ago) in enumerate(plan, start=1):
        record = make_record(
            session, book, values, status=status, flagged=("child_name", "mother_surname"), file_name=f"f{n}.tif"
        )
        first_page = first_page or record.page_id
        at = NOW - timedelta(days=ago)
        record.created_at = at
        session.get_one(Page, record.page_id).processed_at = at
        if reviewer:
            record.verified_by, record.verified_at = reviewer, at
            states = {"child_name": FieldState.CORRECTED, "mother_surname": FieldState.CONFIRMED}
            for f in record.fields:
                f.state = states.get(f.key, f.state)
        if loaded:
            record.loaded_at = at
    batch = Batch(
        book_id=sno.id,
        source="/scans/sno",
        started_by="oleg",
        state=BatchState.FINISHED,
        started_at=NOW - timedelta(hours=2),
        finished_at=NOW - timedelta(hours=1, minutes=30),
        summary={"files": 3, "pages": 3, "quarantined": 1, "failed": 1},
    )
    session.add(batch)
    session.flush()
    _scan(session, sno, batch, "sno/torn.pdf", ScanFileState.QUARANTINED, reason_code="unreadable", reason="torn")
    stored = _scan(session, sno, batch, "sno/book.pdf", ScanFileState.STORED)
    session.add_all(
        [
            Page(scan_file_id=stored.id, page_number=1, state=PageState.FAILED, reason_code="no_form", reason="blank"),
            Page(scan_file_id=stored.id, page_number=2, state=PageState.INGESTED),
            Page(scan_file_id=stored.id, page_number=3, state=PageState.PREPARED),
        ]
    )
    session.flush()
    return Workload(khj.id, sno.id, first_page, batch.id)


@pytest.fixture
def workload(settings: Settings) -> Workload:
    with session_scope(workflow_sessions(settings)) as session:
        return _workload(session)


def _count(session: Session, *where: object, model: type = Record) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_the_figures_equal_the_database_counts(settings: Settings, workload: Workload) -> None:
    today = NOW.date()
    with session_scope(workflow_sessions(settings)) as session:
        board = dashboard(session, settings.schemas_dir / "offices.yaml", None, today)
        by_code = {o.code: o for o in board.offices}
        for code in ("KHJ", "SNO"):
            o, office = by_code[code], Record.office == code
            assert o.records == _count(session, office)
            assert o.auto_verified == _count(session, office, Record.status == RecordStatus.AUTO_VERIFIED)
            assert o.reviewed == _count(session, office, Record.verified_by.is_not(None))
            assert o.loaded == _count(session, office, Record.loaded_at.is_not(None))
            assert o.to_review == _count(session, office, Record.status == RecordStatus.NEEDS_REVIEW)
            in_office = ScanFile.book_id.in_(select(Book.id).where(Book.office == code))
            assert o.quarantined == _count(
                session, in_office, ScanFile.state == ScanFileState.QUARANTINED, model=ScanFile
            )
            pages = Page.scan_file_id.in_(select(ScanFile.id).where(in_office))
            assert o.pages == _count(session, pages, model=Page)
            assert o.pages_failed == _count(session, pages, Page.state == PageState.FAILED, model=Page)
        khj, sno = by_code["KHJ"], by_code["SNO"]
        assert (khj.records, khj.auto_verified, khj.reviewed, khj.loaded, khj.to_review) == (8, 3, 3, 2, 2)
        assert khj.records_recent == 7 and khj.rate == pytest.approx(0.5)  # the 20-day-old record is outside
        assert khj.waiting_load == 4  # 2 auto-verified + 2 verified not loaded
        assert khj.forecast == today + timedelta(days=(khj.target - 8) * 2)
        assert sno.pages_waiting == 2 and sno.bottleneck is not None
        assert sno.stages[0].days == pytest.approx(14.0)  # 2 pages waiting, 2 processed in 14 days
        assert sno.bottleneck.name == "records waiting for review"  # none reviewed lately: no end in sight
        assert board.total.records == _count(session)
        assert sum(n for _d, n in board.daily) == _count(session, Record.created_at >= NOW - timedelta(days=59))
        assert dict(board.daily)[today - timedelta(days=3)] == 2
        reviewers = {r.username: r for r in board.reviewers}
        corrected = _count(session, Field.state == FieldState.CORRECTED, model=Field)
        assert sum(r.corrected for r in reviewers.values()) == corrected == 3
        assert reviewers["anna"].records == 2 and reviewers["anna"].correction_rate == pytest.approx(0.5)
        assert {(p.file, p.page) for p in board.problems} == {("sno/torn.pdf", None), ("sno/book.pdf", 1)}
        # the same statements at once on their own connections (PostgreSQL; SQLite runs them in turn)
        parallel = dashboard(session, settings.schemas_dir / "offices.yaml", None, today, workflow_sessions(settings))
        assert parallel == board
        view = office_view(session, settings.schemas_dir / "offices.yaml", "KHJ", today, workflow_sessions(settings))
        assert view is not None and view[0] == khj and sum(b.records for b in view[1]) == khj.records
        assert sum(khj.per_day.values()) == _count(
            session, Record.office == "KHJ", Record.created_at >= NOW - timedelta(days=59)
        )


def _count_records(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Record)) or 0


def _commit_record(settings: Settings, book_id: int, name: str) -> None:
    """A record committed on another connection, as a batch would commit it while the dashboard counts."""
    with session_scope(workflow_sessions(settings)) as other:
        make_record(other, other.get_one(Book, book_id), dict(VALUES), file_name=name)


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_the_statements_run_at_once_read_one_snapshot(settings: Settings, workload: Workload) -> None:
    sessions, offices_file, today = workflow_sessions(settings), settings.schemas_dir / "offices.yaml", NOW.date()
    with session_scope(sessions) as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        before = dashboard(session, offices_file, None, today)  # in turn, in the snapshot its first statement took
        _commit_record(settings, workload.khj_book, "late.tif")
        # on their own connections, at once: still the caller's snapshot, without the record committed since
        assert dashboard(session, offices_file, None, today, sessions) == before
    with session_scope(sessions) as session, shared_snapshot(session, sessions) as snapshot_sessions:
        _commit_record(settings, workload.khj_book, "later.tif")
        with snapshot_sessions() as one, snapshot_sessions() as another:
            assert _count_records(one) == _count_records(another) == before.total.records + 1
    with session_scope(sessions) as session:
        after = dashboard(session, offices_file, None, today, sessions)
        assert after.total.records == _count_records(session) == before.total.records + 2
    assert dict(after.daily)[today] == dict(before.daily)[today] + 2


def test_days_are_utc_days_whatever_the_connection_time_zone(settings: Settings) -> None:
    """Records at 22:00 UTC, 03:00 the next day in Dushanbe: counted on their UTC day, in the chart and the rates."""
    today = NOW.date()
    late = [
        datetime.combine(today - timedelta(days=ago), datetime.min.time(), UTC) + timedelta(hours=22)
        for ago in (1, RATE_DAYS)
    ]
    with session_scope(workflow_sessions(settings)) as session:
        book = make_book(session)
        for n, at in enumerate(late):
            make_record(session, book, dict(VALUES), file_name=f"late{n}.tif").created_at = at
    url = make_url(settings.workflow_url)
    if url.get_backend_name() == "postgresql":  # the server's clock in UTC+5, as in an office in Tajikistan
        url = url.update_query_dict({"options": "-c TimeZone=Asia/Dushanbe"})
    engine = create_engine(url)
    try:
        with sessionmaker(bind=engine)() as session:
            if url.get_backend_name() == "postgresql":
                assert session.scalar(text("SHOW TimeZone")) == "Asia/Dushanbe"
            board = dashboard(session, settings.schemas_dir / "offices.yaml", None, today)
            khj = next(o for o in board.offices if o.code == "KHJ")
            days = {today - timedelta(days=1): 1, today - timedelta(days=RATE_DAYS): 1}
            assert khj.per_day == days
            assert khj.records_recent == 1  # the record of 14 days ago is a day before the rates' first day
            assert {d: n for d, n in board.daily if n} == days
            assert {d: n for d, n in records_per_day(session, None, today) if n} == days
    finally:
        engine.dispose()


FIGURE = re.compile(r'data-figure="records-(\w+)">([\d,]+)<')


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_dashboard_drill_down_and_roles(app_client: TestClient, workload: Workload) -> None:
    login(app_client, "mira")  # manager of KHJ
    page = app_client.get("/dashboard")
    assert page.status_code == 200
    shown = dict(FIGURE.findall(page.text))
    assert shown["KHJ"] == "8" and "SNO" not in shown  # another office's figures are not shown
    assert '<svg class="chart"' in page.text and '<svg class="bar"' in page.text
    assert app_client.get("/dashboard/offices/KHJ").status_code == 200
    book = app_client.get(f"/dashboard/books/{workload.khj_book}")
    assert book.status_code == 200 and f"/dashboard/pages/{workload.khj_page}" in book.text
    records = app_client.get(f"/dashboard/pages/{workload.khj_page}")
    assert records.status_code == 200 and 'href="/records/' in records.text
    for other in ("/dashboard/offices/SNO", f"/dashboard/books/{workload.sno_book}", f"/batches/{workload.batch}"):
        assert app_client.get(other).status_code == 404, other
    assert app_client.get("/batches").status_code == 200

    login(app_client, "root")
    page = app_client.get("/dashboard")
    assert dict(FIGURE.findall(page.text))["SNO"] == "2" and "sno/torn.pdf" in page.text
    assert page.text.count(f'<a href="/batches/{workload.batch}">') == 2  # each problem links to its batch
    batch = app_client.get(f"/batches/{workload.batch}")
    assert batch.status_code == 200 and "torn" in batch.text and "blank" in batch.text and "0:30:00" in batch.text

    login(app_client, "anna")  # a reviewer
    assert app_client.get("/dashboard").status_code == 403
    assert app_client.get(f"/dashboard/books/{workload.khj_book}").status_code == 403
    assert app_client.get("/batches").status_code == 403
    login(app_client, "oleg")  # an operator: batches yes, the managers' view no
    assert app_client.get("/dashboard").status_code == 403
    assert app_client.get("/batches").status_code == 200
    app_client.cookies.clear()
    assert app_client.get("/dashboard").status_code == 303


@pytest.mark.browser
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_dashboard_in_chromium(settings: Settings, workload: Workload) -> None:
    from webapp.app import create_app

    path = os.environ.get("ARCHIVE_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("no Chromium: set ARCHIVE_TEST_CHROMIUM or install Debian's chromium", pytrace=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "root")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_function("!location.pathname.startsWith('/login')")
            page.goto(f"{base}/dashboard")
            assert page.inner_text("[data-figure=records-KHJ]") == "8"
            assert page.locator("svg.chart rect[fill]").count() > 5 and page.locator("svg.bar").count() > 10
            assert not errors, errors  # no CSP violation
            folder = os.environ.get("ARCHIVE_TEST_SCREENSHOTS")
            if folder:
                page.screenshot(path=str(Path(folder) / "dashboard.png"), full_page=True)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_progress_as_csv(sqlite_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        _workload(session)
    from cli.records import ProgressFormat, progress

    progress(office=None, fmt=ProgressFormat.CSV)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("office,office_name,office_target,book,")
    khj = next(line.split(",") for line in lines if line.startswith("KHJ,"))
    assert khj[3] == "KHJ-birth-1987-first" and khj[12] == "8"  # its records


def test_target_dates_come_from_the_offices_file(tmp_path: Path) -> None:
    from datetime import date

    from services.dashboard import target_dates

    today = date(2026, 5, 1)
    offices = tmp_path / "offices.yaml"
    offices.write_text("offices:\n  - {code: KHJ, name: Khujand}\n", encoding="utf-8")
    assert target_dates(offices, today) == (date(2027, 12, 31), {})  # the end of next year
    offices.write_text(
        "target_date: 2027-06-30\noffices:\n  - {code: KHJ, name: Khujand, target_date: 2027-03-31}\n",
        encoding="utf-8",
    )
    assert target_dates(offices, today) == (date(2027, 6, 30), {"KHJ": date(2027, 3, 31)})


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_batches_link_to_their_run_in_the_prefect_ui(settings: Settings, workload: Workload) -> None:
    from webapp.app import create_app

    run_id = "0f6d2a8e-1b7c-4c55-9e0a-3d1f2b4c5a6e"
    with session_scope(workflow_sessions(settings)) as session:
        session.get_one(Batch, workload.batch).flow_run_id = run_id
    link = f'href="http://prefect.archive.lan:4200/runs/flow-run/{run_id}"'
    for ui_url, shown in ((None, False), ("http://prefect.archive.lan:4200/", True)):
        configured = settings.model_copy(update={"prefect_ui_url": ui_url})
        with TestClient(create_app(configured), base_url="http://testserver", follow_redirects=False) as client:
            login(client, "root")
            listing, one = client.get("/batches"), client.get(f"/batches/{workload.batch}")
        assert listing.status_code == one.status_code == 200
        assert (link in listing.text, link in one.text) == (shown, shown)
        assert listing.text.count("runs/flow-run/") == (1 if shown else 0)  # the batches without a run id: no link
