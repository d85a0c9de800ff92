"""The managers' view: progress per office against targets, rate and forecast, bottleneck, problems, reviewers.

Every figure is counted by the database (grouped queries per office, per day, per reviewer); Python only
adds the groups up and divides. ``offices`` is the viewer's scope: None for every office.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import Date, Row, case, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, contains_eager, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from database.workflow import (
    DECIDED_FIELDS_SQL,
    Batch,
    Book,
    Field,
    Page,
    PageState,
    Record,
    ScanFile,
    ScanFileState,
)
from pipeline.types import FieldState, RecordStatus
from services.loader import LOADABLE
from services.offices import office_plan, target_dates
from services.progress import BookProgress, Statement, book_progress_statements, fold_book_progress

Rows: TypeAlias = "list[Row[*tuple[Any, ...]]]"
Q = TypeVar("Q", bound=Statement)
T = TypeVar("T")
RATE_DAYS = 14  # the current rate is the mean over this many days
CHART_DAYS = 60  # the records-per-day chart covers at most this many days
WAITING_PAGE_STATES = (PageState.INGESTED, PageState.PREPARED, PageState.SEGMENTED, PageState.RECOGNIZED)
DONE_PAGE_STATES = (PageState.CHECKED, PageState.UNMATCHED)
TO_REVIEW = (RecordStatus.NEEDS_REVIEW, RecordStatus.IN_REVIEW)


@dataclass(frozen=True)
class Stage:
    """A stage's queue: how much waits, how much it got through per day lately, so how many days of work wait."""

    name: str
    waiting: int
    per_day: float

    @property
    def days(self) -> float:
        if self.waiting == 0:
            return 0.0
        return self.waiting / self.per_day if self.per_day > 0 else math.inf


@dataclass
class OfficeFigures:
    code: str
    name: str
    target: int  # records (the offices file's targets, every copy and act type)
    target_date: date
    files: int = 0
    quarantined: int = 0
    pages: int = 0
    pages_done: int = 0
    pages_failed: int = 0
    pages_waiting: int = 0
    pages_recent: int = 0
    records: int = 0
    auto_verified: int = 0
    to_review: int = 0
    reviewed: int = 0
    loaded: int = 0
    waiting_load: int = 0
    records_recent: int = 0
    reviewed_recent: int = 0
    loaded_recent: int = 0
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    per_day: dict[date, int] = field(default_factory=dict)  # records extracted per day, last CHART_DAYS days

    @property
    def pages_target(self) -> int:
        """Pages the target needs at the records per page seen so far (0 while no page has records)."""
        if not self.target or not self.records or not self.pages_done:
            return 0
        return math.ceil(self.target * self.pages_done / self.records)

    @property
    def rate(self) -> float:
        """Records extracted per day over the last RATE_DAYS days."""
        return self.records_recent / RATE_DAYS

    @property
    def remaining(self) -> int:
        return max(self.target - self.records, 0)

    @property
    def forecast(self) -> date | None:
        """When the target is reached at the current rate (None: no target, or nothing extracted lately)."""
        if not self.target:
            return None
        if self.remaining == 0:
            return self.today
        if self.rate <= 0:
            return None
        return self.today + timedelta(days=math.ceil(self.remaining / self.rate))

    @property
    def needed_rate(self) -> float:
        """Records per day from today on that reach the target on the target date."""
        days = (self.target_date - self.today).days
        if self.remaining == 0:
            return 0.0
        return self.remaining / days if days > 0 else math.inf

    @property
    def on_track(self) -> bool:
        return self.forecast is not None and self.forecast <= self.target_date

    @property
    def stages(self) -> list[Stage]:
        return [
            Stage("pages waiting for processing", self.pages_waiting, self.pages_recent / RATE_DAYS),
            Stage("records waiting for review", self.to_review, self.reviewed_recent / RATE_DAYS),
            Stage("verified records waiting for load", self.waiting_load, self.loaded_recent / RATE_DAYS),
        ]

    @property
    def bottleneck(self) -> Stage | None:
        """The stage with the most days of work waiting (None when nothing waits)."""
        waiting = [s for s in self.stages if s.waiting]
        return max(waiting, key=lambda s: (s.days, s.waiting)) if waiting else None

    def add(self, other: OfficeFigures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTS = (
    "target",
    "files",
    "quarantined",
    "pages",
    "pages_done",
    "pages_failed",
    "pages_waiting",
    "pages_recent",
    "records",
    "auto_verified",
    "to_review",
    "reviewed",
    "loaded",
    "waiting_load",
    "records_recent",
    "reviewed_recent",
    "loaded_recent",
)


@dataclass(frozen=True)
class Problem:
    office: str
    book: str
    file: str
    page: int | None  # None: the whole file was quarantined
    reason_code: str
    reason: str
    batch_id: str


@dataclass(frozen=True)
class ReviewerFigures:
    username: str
    records: int
    recent: int
    corrected: int
    confirmed: int

    @property
    def per_day(self) -> float:
        return self.recent / RATE_DAYS

    @property
    def correction_rate(self) -> float:
        """Share of the fields they decided on that they had to correct (the rest they confirmed)."""
        decided = self.corrected + self.confirmed
        return self.corrected / decided if decided else 0.0


@dataclass
class Dashboard:
    offices: list[OfficeFigures]
    total: OfficeFigures
    daily: list[tuple[date, int]]
    problems: list[Problem]
    reviewers: list[ReviewerFigures]


# --- queries ------------------------------------------------------------------------------------------------
#
# Each part of the view is a few independent SELECTs and a fold of their rows. The overview runs every part's
# statements together: one after another in the caller's session, or, given a session factory on PostgreSQL,
# PARALLEL_QUERIES at a time on their own connections (each aggregates up to every record: together they take
# the time of the slowest, not the sum; measured in benchmarks/dashboard_bench.py), all in the caller's snapshot.

PARALLEL_QUERIES = 4
SnapshotSessions = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class _Part(Generic[T]):
    statements: list[Statement]
    fold: Callable[[list[Rows]], T]


def _scope(query: Q, column: Any, offices: frozenset[str] | None) -> Q:
    return query if offices is None else query.where(column.in_(sorted(offices)))  # type: ignore[return-value]


def _since(today: date, days: int) -> datetime:
    return datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=UTC)


class utc_date(FunctionElement[date]):  # noqa: N801 (a SQL function, named as one)
    """The UTC calendar day of a time stamp, whatever the connection's time zone: the days the rates count from."""

    type = Date()
    inherit_cache = True


@compiles(utc_date)
def _utc_date(element: utc_date, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite: the stored text is the UTC time (time stamps are written in UTC), so its date is the UTC day."""
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element: utc_date, compiler: SQLCompiler, **kw: Any) -> str:
    """timestamptz: date() alone would take the day in the session's TimeZone, timezone('UTC', ...) the UTC one."""
    return f"date(timezone('UTC', {compiler.process(element.clauses, **kw)}))"


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@contextmanager
def shared_snapshot(session: Session, sessions: sessionmaker[Session]) -> Iterator[SnapshotSessions]:
    """Sessions of ``sessions`` (PostgreSQL) that all read the database as ``session``'s transaction reads it now.

    ``session`` exports its snapshot and each session given out imports it before its first statement, as
    services/backup.py shares one with pg_dump: counts made on several connections agree with each other even while
    a batch commits. A snapshot can be imported only while the exporting transaction is open, so the sessions are
    to be started inside the block, without ending ``session``'s transaction.
    """
    snapshot = str(session.execute(text("SELECT pg_export_snapshot()")).scalar_one())

    @contextmanager
    def bound() -> Iterator[Session]:
        with sessions() as own:
            own.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            own.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))  # the server's own id; SET takes no parameter
            yield own

    yield bound


def _execute(session: Session, statements: list[Statement], parallel: sessionmaker[Session] | None) -> list[Rows]:
    """Every statement's rows, in order. SQLite (one file, one writer) and callers without a factory: in turn."""
    if parallel is None or len(statements) < 2 or session.get_bind().dialect.name == "sqlite":
        return [list(session.execute(statement).all()) for statement in statements]
    with shared_snapshot(session, parallel) as snapshot_sessions:

        def one(statement: Statement) -> Rows:
            with snapshot_sessions() as own:
                return list(own.execute(statement).all())

        with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES, thread_name_prefix="dashboard") as pool:
            return list(pool.map(one, statements))


def _run(session: Session, part: _Part[T], parallel: sessionmaker[Session] | None = None) -> T:
    return part.fold(_execute(session, part.statements, parallel))


def _office_part(
    session: Session, offices_file: Path, offices: frozenset[str] | None, today: date
) -> _Part[list[OfficeFigures]]:
    since = _since(today, RATE_DAYS)
    plan = office_plan(session, offices_file)
    default_date, dates = target_dates(offices_file, today, plan)
    known = {o.code: o for o in plan}
    files_q = _scope(
        select(
            Book.office,
            func.count().label("files"),
            func.count(case((ScanFile.state == ScanFileState.QUARANTINED, 1))).label("quarantined"),
        )
        .join(Book, Book.id == ScanFile.book_id)
        .group_by(Book.office),
        Book.office,
        offices,
    )
    # Pages: counted per file and state first (an index-only scan in file order), then summed per office.
    per_file = (
        select(Page.scan_file_id, Page.state, func.count().label("n"))
        .group_by(Page.scan_file_id, Page.state)
        .subquery()
    )
    pages_q = _scope(
        select(Book.office, per_file.c.state, func.sum(per_file.c.n).label("n"))
        .join(ScanFile, ScanFile.id == per_file.c.scan_file_id)
        .join(Book, Book.id == ScanFile.book_id)
        .group_by(Book.office, per_file.c.state),
        Book.office,
        offices,
    )
    recent_pages_q = _scope(
        select(Book.office, func.count().label("n"))
        .select_from(Page)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .join(Book, Book.id == ScanFile.book_id)
        .where(Page.processed_at >= since, Page.state.in_(DONE_PAGE_STATES))
        .group_by(Book.office),
        Book.office,
        offices,
    )
    # Records of all time: one group per office and status (ix_records_progress holds every column it reads).
    # Reviewed = verified_at set: the review stamps verified_by and verified_at together.
    records_q = _scope(
        select(
            Record.office,
            Record.status,
            func.count().label("n"),
            func.count(Record.verified_at).label("reviewed"),
            func.count(Record.loaded_at).label("loaded"),
        ).group_by(Record.office, Record.status),
        Record.office,
        offices,
    )
    # Records extracted per office and UTC day over the chart's days; of them, those of the last RATE_DAYS days.
    day = utc_date(Record.created_at)
    daily_q = _scope(
        select(
            Record.office,
            day.label("day"),
            func.count().label("n"),
            func.count(case((Record.created_at >= since, 1))).label("recent"),
        )
        .where(Record.created_at >= _since(today, CHART_DAYS))
        .group_by(Record.office, day),
        Record.office,
        offices,
    )
    # Reviewed and loaded in the last RATE_DAYS days: range scans of those time stamps' indexes.
    recent = ("reviewed_recent", "loaded_recent")
    recent_qs = [
        _scope(
            select(Record.office, func.count().label("n")).where(column >= since).group_by(Record.office),
            Record.office,
            offices,
        )
        for column in (Record.verified_at, Record.loaded_at)
    ]

    def fold(results: list[Rows]) -> list[OfficeFigures]:
        rows: dict[str, OfficeFigures] = {}

        def row(code: str) -> OfficeFigures:
            if code not in rows:
                info = known.get(code)
                rows[code] = OfficeFigures(
                    code=code,
                    name=info.name if info else code,
                    target=info.total_target if info else 0,
                    target_date=dates.get(code, default_date),
                    today=today,
                )
            return rows[code]

        for code in known:
            if offices is None or code in offices:
                row(code)
        records, pages, daily, files, recent_pages, *recents = results
        for c in records:
            o = row(c.office)
            o.records += c.n
            o.auto_verified += c.n if c.status == RecordStatus.AUTO_VERIFIED else 0
            o.to_review += c.n if c.status in TO_REVIEW else 0
            o.reviewed += c.reviewed
            o.loaded += c.loaded
            o.waiting_load += c.n - c.loaded if c.status in LOADABLE else 0
        for p in pages:
            o, n = row(p.office), int(p.n)
            o.pages += n
            o.pages_done += n if p.state in DONE_PAGE_STATES else 0
            o.pages_failed += n if p.state == PageState.FAILED else 0
            o.pages_waiting += n if p.state in WAITING_PAGE_STATES else 0
        for c in daily:
            o = row(c.office)
            o.per_day[_day(c.day)] = c.n
            o.records_recent += c.recent
        for f in files:
            o = row(f.office)
            o.files, o.quarantined = f.files, f.quarantined
        for p in recent_pages:
            row(p.office).pages_recent = p.n
        for name, counts in zip(recent, recents, strict=True):
            for c in counts:
                setattr(row(c.office), name, c.n)
        ordered = [rows[c] for c in known if c in rows]
        return ordered + [rows[c] for c in sorted(set(rows) - set(known))]

    return _Part([records_q, pages_q, daily_q, files_q, recent_pages_q, *recent_qs], fold)


def office_figures(
    session: Session, offices_file: Path, offices: frozenset[str] | None, today: date
) -> list[OfficeFigures]:
    """One row per office in scope: the offices file's offices first, then any other office that has books."""
    return _run(session, _office_part(session, offices_file, offices, today))


def _daily_part(offices: frozenset[str] | None, today: date, days: int) -> _Part[list[tuple[date, int]]]:
    day = utc_date(Record.created_at)
    query = _scope(
        select(day.label("day"), func.count().label("n"))
        .where(Record.created_at >= _since(today, days))
        .group_by(day)
        .order_by(day),
        Record.office,
        offices,
    )

    return _Part([query], lambda results: chart_days({_day(r.day): r.n for r in results[0]}, today))


def chart_days(counts: dict[date, int], today: date) -> list[tuple[date, int]]:
    """Counts per day from the first day with any to today, the days without as 0."""
    if not counts:
        return []
    first = min(counts)
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range((today - first).days + 1)
    ]


def records_per_day(
    session: Session, offices: frozenset[str] | None, today: date, days: int = CHART_DAYS
) -> list[tuple[date, int]]:
    """Records extracted per UTC day (grouped in the database), from the first day with records, gaps as 0."""
    return _run(session, _daily_part(offices, today, days))


def _problems_part(offices: frozenset[str] | None, limit: int) -> _Part[list[Problem]]:
    files_q = _scope(
        select(
            Book.office,
            Book.label,
            ScanFile.source_path,
            ScanFile.reason_code,
            ScanFile.reason,
            ScanFile.first_batch_id,
        )
        .join(Book, Book.id == ScanFile.book_id)
        .where(ScanFile.state == ScanFileState.QUARANTINED)
        .order_by(ScanFile.id.desc())
        .limit(limit),
        Book.office,
        offices,
    )
    pages_q = _scope(
        select(
            Book.office,
            Book.label,
            ScanFile.source_path,
            Page.page_number,
            Page.reason_code,
            Page.reason,
            ScanFile.first_batch_id,
        )
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .join(Book, Book.id == ScanFile.book_id)
        .where(Page.state == PageState.FAILED)
        .order_by(Page.id.desc())
        .limit(limit),
        Book.office,
        offices,
    )

    def fold(results: list[Rows]) -> list[Problem]:
        files, pages = results
        found = [Problem(r[0], r[1], r[2], None, r[3] or "", r[4] or "", r[5]) for r in files]
        return found + [Problem(r[0], r[1], r[2], r[3], r[4] or "", r[5] or "", r[6]) for r in pages]

    return _Part([files_q, pages_q], fold)


def problems(session: Session, offices: frozenset[str] | None, limit: int = 100) -> list[Problem]:
    """Quarantined files and failed pages with their reasons, newest first, with the batch that brought them."""
    return _run(session, _problems_part(offices, limit))


def _reviewers_part(offices: frozenset[str] | None, today: date) -> _Part[list[ReviewerFigures]]:
    since = _since(today, RATE_DAYS)
    records_q = _scope(
        select(
            Record.verified_by,
            func.count().label("records"),
            func.count(case((Record.verified_at >= since, 1))).label("recent"),
        )
        .where(Record.verified_by.is_not(None))
        .group_by(Record.verified_by),
        Record.office,
        offices,
    )
    fields_q = _scope(
        select(
            Record.verified_by,
            func.count(case((Field.state == FieldState.CORRECTED, 1))).label("corrected"),
            func.count(case((Field.state == FieldState.CONFIRMED, 1))).label("confirmed"),
        )
        .join(Field, Field.record_id == Record.id)
        # both spelled as the partial indexes' predicates (literals), so the planners read those small indexes
        .where(Record.verified_by.is_not(None), text(DECIDED_FIELDS_SQL))
        .group_by(Record.verified_by),
        Record.office,
        offices,
    )

    def fold(results: list[Rows]) -> list[ReviewerFigures]:
        fields, records = results
        decided = {r.verified_by: (r.corrected, r.confirmed) for r in fields}
        found = [
            ReviewerFigures(r.verified_by, r.records, r.recent, *decided.get(r.verified_by, (0, 0))) for r in records
        ]
        return sorted(found, key=lambda r: (-r.recent, -r.records, r.username))

    return _Part([fields_q, records_q], fold)


def reviewer_figures(session: Session, offices: frozenset[str] | None, today: date) -> list[ReviewerFigures]:
    """Per reviewer: records verified (all time and lately) and the fields they corrected or confirmed."""
    return _run(session, _reviewers_part(offices, today))


def dashboard(
    session: Session,
    offices_file: Path,
    offices: frozenset[str] | None,
    today: date,
    parallel: sessionmaker[Session] | None = None,
) -> Dashboard:
    """The whole overview. With ``parallel`` (the session factory of the same database) its statements run at the
    same time on their own connections (PostgreSQL), all in ``session``'s snapshot (see shared_snapshot): a batch
    committing meanwhile shows in every count or in none."""
    office_part = _office_part(session, offices_file, offices, today)
    parts: list[_Part[Any]] = [office_part, _reviewers_part(offices, today), _problems_part(offices, 100)]
    results = _execute(session, [s for part in parts for s in part.statements], parallel)
    folded: list[Any] = []
    for part in parts:
        folded.append(part.fold(results[: len(part.statements)]))
        results = results[len(part.statements) :]
    rows, reviewers, found = folded
    per_day: dict[date, int] = {}
    for row in rows:
        for day, n in row.per_day.items():
            per_day[day] = per_day.get(day, 0) + n
    daily = chart_days(per_day, today)
    default_date, _dates = target_dates(offices_file, today)
    total = OfficeFigures(code="", name="All offices", target=0, target_date=default_date, today=today)
    for row in rows:
        total.add(row)
    if rows:
        total.target_date = max(r.target_date for r in rows)
    return Dashboard(offices=rows, total=total, daily=daily, problems=found, reviewers=reviewers)


def office_view(
    session: Session,
    offices_file: Path,
    code: str,
    today: date,
    parallel: sessionmaker[Session] | None = None,
) -> tuple[OfficeFigures, list[BookProgress]] | None:
    """One office's figures (with its records per day) and its books; None when the office is unknown."""
    office = _office_part(session, offices_file, frozenset({code}), today)
    books = _Part(book_progress_statements(code), fold_book_progress)
    results = _execute(session, office.statements + books.statements, parallel)
    rows = office.fold(results[: len(office.statements)])
    return (rows[0], books.fold(results[len(office.statements) :])) if rows else None


# --- drill-down ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRow:
    id: int
    file: str
    page_number: int
    state: str
    reason: str
    batch_id: str
    records: int
    to_review: int


def visible_book(session: Session, offices: frozenset[str] | None, book_id: int) -> Book | None:
    return session.scalar(_scope(select(Book).where(Book.id == book_id), Book.office, offices))


def book_pages(session: Session, book_id: int) -> list[PageRow]:
    """The book's pages in file and page order, with their state and how many records each holds."""
    counts = (
        select(
            Record.page_id,
            func.count().label("records"),
            func.count(case((Record.status.in_(TO_REVIEW), 1))).label("to_review"),
        )
        .where(Record.book_id == book_id)  # the book's records only, not every page's of the archive
        .group_by(Record.page_id)
        .subquery()
    )
    query = (
        select(
            Page.id,
            ScanFile.source_path,
            Page.page_number,
            Page.state,
            Page.reason,
            ScanFile.first_batch_id,
            func.coalesce(counts.c.records, 0),
            func.coalesce(counts.c.to_review, 0),
        )
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .outerjoin(counts, counts.c.page_id == Page.id)
        .where(ScanFile.book_id == book_id)
        .order_by(ScanFile.id, Page.page_number)
    )
    return [PageRow(r[0], r[1], r[2], r[3].value, r[4] or "", r[5], r[6], r[7]) for r in session.execute(query)]


def visible_page(session: Session, offices: frozenset[str] | None, page_id: int) -> tuple[Page, Book] | None:
    query = (
        select(Page, Book)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .join(Book, Book.id == ScanFile.book_id)
        .where(Page.id == page_id)
    )
    row = session.execute(_scope(query, Book.office, offices)).first()
    return (row[0], row[1]) if row else None


def page_records(session: Session, page_id: int) -> list[Record]:
    return list(session.scalars(select(Record).where(Record.page_id == page_id).order_by(Record.slot)))


def batch_of(session: Session, offices: frozenset[str] | None, batch_id: str) -> Batch | None:
    query = select(Batch).join(Book, Book.id == Batch.book_id).where(Batch.id == batch_id)
    return session.scalar(_scope(query, Book.office, offices))


def batches(session: Session, offices: frozenset[str] | None, limit: int = 200) -> list[Batch]:
    """The latest runs first, with their book."""
    query = (
        select(Batch)
        .join(Book, Book.id == Batch.book_id)
        .options(contains_eager(Batch.book))
        .order_by(Batch.started_at.desc())
        .limit(limit)
    )
    return list(session.scalars(_scope(query, Book.office, offices)))
