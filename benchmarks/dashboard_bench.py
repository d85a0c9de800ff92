"""Dashboard benchmark: 1,000,000 records in PostgreSQL across the pilot's offices and books, then the server time
of the managers' view (the service call, the whole `GET /dashboard` request, the drill-down pages, the report).

    python -m benchmarks.dashboard_bench [--url postgresql+psycopg://...] [--records 1000000] [--samples 30]

The database named in the URL (default ``archive_dashboard_bench`` on the local server) is emptied and filled anew; with
``--keep`` the rows already there are measured again. Goal of the issue: every page <= 500 ms.

Records were extracted over the last 180 days (so the 14-day rates and the 60-day chart have substance), two per
page, a hundred pages per file. Fields are written only for records a reviewer decided on: they are the only fields
a dashboard query reads (the reviewers' corrected/confirmed counts); the other records' fields would only make the
table bigger on disk, which the record-side plans never scan.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from benchmarks.common import (
    PASSWORD,
    arguments,
    copy_rows,
    load_average,
    local_database,
    login,
    refill,
    report,
    times,
)
from database.accounts import Role, User, UserOffice
from database.migrate import upgrade_all
from database.session import dispose_engines, session_scope, workflow_sessions
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.forms.catalogue import load_catalogue
from services.dashboard import book_pages, dashboard, office_figures
from services.offices import office_plan
from services.report import render_report
from services.users import hash_password

DEFAULT_URL = local_database("archive_dashboard_bench")
OFFICES_FILE = PROJECT_ROOT / "schemas" / "offices.yaml"
ACT_FORMS = {"birth": "birth_tj_2010", "death": "death_tj_2010", "marriage": "marriage_tj_2010"}
YEARS = range(1990, 2010)  # 20 years of books per office and act type
RECORDS_PER_PAGE = 2
PAGES_PER_FILE = 100
DAYS = 180
REVIEWERS = 20
# the dashboard's heaviest statements, shown with their plans after the timings
PLANS = {
    "records per office and status": "SELECT office, status, count(*), count(verified_at), count(loaded_at) "
    "FROM records GROUP BY office, status",
    "records per office and day": "SELECT office, date(timezone('UTC', created_at)), count(*), "
    "count(CASE WHEN created_at >= now() - interval '14 days' THEN 1 END) FROM records "
    "WHERE created_at >= now() - interval '60 days' GROUP BY 1, 2",
    "pages per file and state": "SELECT scan_file_id, state, count(*) FROM pages GROUP BY 1, 2",
    "fields per reviewer": "SELECT records.verified_by, count(CASE WHEN fields.state = 'corrected' THEN 1 END) "
    "FROM records JOIN fields ON fields.record_id = records.id WHERE records.verified_by IS NOT NULL "
    "AND state IN ('corrected', 'confirmed') GROUP BY 1",
}


def _forms() -> dict[str, list[tuple[str, str, bool]]]:
    catalogue = load_catalogue(PROJECT_ROOT / "schemas" / "forms")
    return {
        act: [(f.key, f.type, f.required) for f in catalogue.form(form_id).fields] for act, form_id in ACT_FORMS.items()
    }


def fill(settings: Settings, records: int, seed: int = 11) -> None:
    """Offices of the shipped file, their books, files, pages, records, reviewed records' fields and batches."""
    rng = random.Random(seed)
    engine = create_engine(settings.workflow_url)
    now = datetime.now(UTC)
    plan = [(o.code, o.targets) for o in _plan(settings)]
    books: list[tuple[int, str, str, int, str]] = []  # id, office, act type, year, copy
    for code, targets in plan:
        for copy, by_type in targets.items():
            for act in by_type:
                books += [(len(books) + 1 + i, code, act, year, copy) for i, year in enumerate(YEARS)]
    weights = [dict(plan)[b[1]][b[4]][b[2]] for b in books]  # records per book follow the offices' targets
    pages = -(-records * 105 // (100 * RECORDS_PER_PAGE))  # some pages fail or wait: 5 % more than needed
    files = -(-pages // PAGES_PER_FILE)
    # every file belongs to one book, drawn by weight; its pages are processed over a few days
    file_book = rng.choices(range(len(books)), weights=weights, k=files)
    file_day = [rng.uniform(0, DAYS) for _ in range(files)]
    batch_of_book = {b[0]: uuid.uuid4().hex for b in books}
    stamp = now.isoformat()
    copy_rows(
        engine,
        "books",
        ("id", "office", "act_type", "year", "copy", "label", "created_at"),
        ((i, o, a, y, c, f"{o}-{a}-{y}-{c}", stamp) for i, o, a, y, c in books),
    )
    copy_rows(
        engine,
        "batches",
        ("id", "book_id", "source", "started_by", "state", "started_at", "finished_at", "summary"),
        (
            (batch_of_book[b[0]], b[0], f"/srv/archive/{b[1]}", "operator", "finished", stamp, stamp, "{}")
            for b in books
        ),
    )
    quarantined = set(rng.sample(range(files), max(1, files // 100)))
    copy_rows(
        engine,
        "scan_files",
        ("id", "sha256", "source_path", "book_id", "first_batch_id", "size_bytes", "media_type", "page_count")
        + ("state", "reason_code", "reason", "created_at"),
        (
            (
                f + 1,
                hashlib.sha256(f"dash{f}".encode()).hexdigest(),
                f"{books[file_book[f]][1]}/scan{f:06d}.pdf",
                file_book[f] + 1,
                batch_of_book[file_book[f] + 1],
                1,
                "application/pdf",
                PAGES_PER_FILE,
                "quarantined" if f in quarantined else "stored",
                "unreadable" if f in quarantined else None,
                "truncated file" if f in quarantined else None,
                (now - timedelta(days=file_day[f])).isoformat(),
            )
            for f in range(files)
        ),
    )
    # pages: most checked, the newest files partly still waiting, a few failed
    page_state: list[str] = []
    page_at: list[datetime | None] = []
    for p in range(pages):
        f = p // PAGES_PER_FILE
        day = file_day[f] - (p % PAGES_PER_FILE) / PAGES_PER_FILE
        if day < 1.5 and rng.random() < 0.5:
            page_state.append(rng.choice(("ingested", "prepared", "segmented", "recognized")))
            page_at.append(None)
        elif rng.random() < 0.005:
            page_state.append("failed")
            page_at.append(now - timedelta(days=max(day, 0)))
        else:
            page_state.append("checked")
            page_at.append(now - timedelta(days=max(day, 0)))
    copy_rows(
        engine,
        "pages",
        ("id", "scan_file_id", "page_number", "state", "attempts", "reason_code", "reason", "processed_at")
        + ("provenance",),
        (
            (
                p + 1,
                p // PAGES_PER_FILE + 1,
                p % PAGES_PER_FILE + 1,
                page_state[p],
                1,
                "no_form" if page_state[p] == "failed" else None,
                "no form matched" if page_state[p] == "failed" else None,
                at.isoformat() if at else None,
                "{}",
            )
            for p, at in enumerate(page_at)
        ),
    )
    forms = _forms()
    reviewed: list[tuple[str, str]] = []  # record id, act type

    def record_rows() -> Iterator[tuple[Any, ...]]:
        n = 0
        for p in range(pages):
            if page_state[p] != "checked" or (p // PAGES_PER_FILE) in quarantined:
                continue
            book = books[file_book[p // PAGES_PER_FILE]]
            created = page_at[p]
            assert created is not None
            for slot in range(RECORDS_PER_PAGE):
                if n >= records:
                    return
                n += 1
                rid = uuid.UUID(int=rng.getrandbits(128)).hex
                roll = rng.random()
                status, by, verified, loaded = "auto_verified", None, None, None
                if roll < 0.16:
                    status = "needs_review"
                elif roll < 0.17:
                    status, by = "in_review", f"reviewer{rng.randrange(REVIEWERS):02d}"
                elif roll < 0.26:  # saved by a reviewer: verified_by and verified_at, as the review stamps them
                    status, by = "verified", f"reviewer{rng.randrange(REVIEWERS):02d}"
                    verified = min(created + timedelta(days=rng.uniform(0, 10)), now)
                    reviewed.append((rid, book[2]))
                elif roll < 0.27:
                    status = "rejected"
                if status in ("auto_verified", "verified") and rng.random() < 0.7:
                    loaded = min((verified or created) + timedelta(days=rng.uniform(0, 3)), now)
                yield (
                    rid,
                    p + 1,
                    slot,
                    book[0],
                    book[1],
                    book[2],
                    book[3],
                    book[4],
                    ACT_FORMS[book[2]],
                    str(rng.randrange(1, 3000)),
                    status,
                    1,
                    by if status == "in_review" else None,
                    by if verified else None,
                    verified.isoformat() if verified else None,
                    loaded.isoformat() if loaded else None,
                    created.isoformat(),
                    created.isoformat(),
                )

    copy_rows(
        engine,
        "records",
        ("id", "page_id", "slot", "book_id", "office", "act_type", "act_year", "copy", "form_id", "act_number")
        + ("status", "version", "lease_owner", "verified_by", "verified_at", "loaded_at", "created_at", "updated_at"),
        record_rows(),
    )

    def field_rows() -> Iterator[tuple[Any, ...]]:
        for rid, act in reviewed:
            for position, (key, kind, required) in enumerate(forms[act]):
                roll = rng.random()
                state = "corrected" if roll < 0.08 else "confirmed" if roll < 0.2 else "auto"
                yield (rid, key, position, kind, required, "текст", "текст", 0.9, 0.9, state, "[]", "[]")

    copy_rows(
        engine,
        "fields",
        ("record_id", "key", "position", "value_type", "required", "raw_text", "value", "confidence")
        + ("engine_confidence", "state", "reasons", "box"),
        field_rows(),
    )
    with engine.begin() as conn:
        for table in ("books", "scan_files", "pages", "fields"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would after a day of batches
    engine.dispose()


def _plan(settings: Settings) -> list[Any]:
    with session_scope(workflow_sessions(settings)) as session:
        return office_plan(session, OFFICES_FILE)


def measure(settings: Settings, samples: int) -> None:
    from webapp.app import create_app

    sessions = workflow_sessions(settings)
    today = datetime.now(UTC).date()
    with session_scope(sessions) as session:
        session.execute(text("DELETE FROM users"))
        hashed = hash_password(PASSWORD)
        boss = User(username="boss", role=Role.ADMIN, password_hash=hashed, active=True)
        mira = User(username="mira", role=Role.MANAGER, password_hash=hashed, active=True)
        mira.offices = [UserOffice(office="KHJ")]
        session.add_all([boss, mira])
        counts = session.execute(
            text("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM pages), (SELECT count(*) FROM books)")
        ).one()
        book_id = session.scalar(
            text("SELECT book_id FROM records WHERE office = 'KHJ' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        )
        page_id = session.scalar(text("SELECT page_id FROM records WHERE book_id = :b LIMIT 1"), {"b": book_id})
        batch_id = session.scalar(text("SELECT id FROM batches LIMIT 1"))
    print(f"records: {counts[0]:,}, pages: {counts[1]:,}, books: {counts[2]:,}; {load_average()}")

    def service(offices: frozenset[str] | None, parallel: bool) -> Callable[[], object]:
        def run() -> object:
            with session_scope(sessions) as session:
                return dashboard(session, OFFICES_FILE, offices, today, sessions if parallel else None)

        return run

    def timed(name: str, action: Callable[[], object], n: int = samples) -> None:
        action()  # the first call warms the caches, as any call after the first of the day would find them
        report(name, times(action, n), 500)

    timed("dashboard service, all offices, in turn", service(None, parallel=False))
    timed("dashboard service, all offices, at once", service(None, parallel=True))
    timed("dashboard service, one office, at once", service(frozenset({"KHJ"}), parallel=True))

    def office_service() -> object:
        with session_scope(sessions) as session:
            return office_figures(session, OFFICES_FILE, frozenset({"KHJ"}), today)

    timed("office figures service (KHJ)", office_service)

    def book_service() -> object:
        with session_scope(sessions) as session:
            return book_pages(session, book_id)

    timed("book pages service (largest KHJ book)", book_service)
    print(f"  ({load_average()})")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        for username in ("boss", "mira"):
            login(client, username)

            def get(path: str) -> Callable[[], object]:
                def run() -> object:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                    return response

                return run

            timed(f"GET /dashboard ({username})", get("/dashboard"))
            timed(f"GET /dashboard/offices/KHJ ({username})", get("/dashboard/offices/KHJ"))
            timed(f"GET /dashboard/books/{{id}} ({username})", get(f"/dashboard/books/{book_id}"))
            timed(f"GET /dashboard/pages/{{id}} ({username})", get(f"/dashboard/pages/{page_id}"))
            timed(f"GET /batches ({username})", get("/batches"))
            if username == "boss":
                timed("GET /batches/{id} (boss)", get(f"/batches/{batch_id}"))
        print(f"  ({load_average()})")

    def progress_report() -> object:
        now = datetime.now(UTC)
        with session_scope(sessions) as session:
            return render_report(session, OFFICES_FILE, None, now.date(), now, sessions)

    timed("progress report (render, all offices)", progress_report, max(5, samples // 3))
    print(f"  ({load_average()})")


def show_plans(settings: Settings) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        for name, statement in PLANS.items():
            lines = session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")).scalars().all()
            print(f"plan of {name}:")
            for line in lines:
                print("   ", line)


def main() -> None:
    parser = arguments(__doc__, DEFAULT_URL, 1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="measure the data already there (no refill)")
    parser.add_argument("--plans", action="store_true", help="print the plans of the heaviest statements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(database_url=args.url, data_dir=Path(data_dir), secret_key="benchmark")
        if not args.keep:
            spent = refill(settings, lambda: fill(settings, args.records))
            print(f"filled {args.records:,} records in {spent:.0f} s ({load_average()})")
        else:
            upgrade_all(settings)
        measure(settings, args.samples)
        if args.plans:
            show_plans(settings)
    dispose_engines()


if __name__ == "__main__":
    main()
