"""Review benchmark: 200,000 records in PostgreSQL, then the time of a queue claim and of the review screen.

    python -m benchmarks.review_bench [--url postgresql+psycopg://...] [--records 200000] [--samples 40]

The database named in the URL (default ``archive_bench`` on the local server) is emptied and filled anew.
Goals of the issue: claim <= 50 ms, review screen server time <= 200 ms.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine, insert, text

from benchmarks.common import PASSWORD, arguments, copy_rows, local_database, login, refill, report, times
from database.accounts import Role, User, UserOffice
from database.migrate import upgrade_all
from database.session import dispose_engines, session_scope, workflow_sessions
from database.workflow import Batch, Book, ScanFile
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.forms.catalogue import load_catalogue
from services import review
from services.users import Viewer, hash_password

DEFAULT_URL = local_database("archive_bench")
OFFICES = ("BKH", "BGF", "RDK", "KHJ", "YVN", "SNO", "CA")
PAGES_PER_FILE = 100
FORM = load_catalogue(PROJECT_ROOT / "schemas" / "forms").form("birth_tj_2010")
REQUIRED = [i for i, spec in enumerate(FORM.fields) if spec.required]
OPTIONAL = [i for i, spec in enumerate(FORM.fields) if not spec.required]
URGENT_PLAN = (
    "EXPLAIN ANALYZE SELECT records.id FROM records WHERE records.status = 'needs_review' "
    "AND records.office IN ('KHJ') AND records.id IN (SELECT fields.record_id FROM fields "
    "WHERE state = 'flagged' AND required) ORDER BY records.book_id, records.page_id, records.slot "
    "LIMIT 1 FOR UPDATE OF records SKIP LOCKED"
)


def fill(settings: Settings, records: int, seed: int = 7) -> None:
    """Books, files, pages, records and their fields, with a realistic share of records to review."""
    rng = random.Random(seed)
    engine = create_engine(settings.workflow_url)
    now = datetime.now(UTC)
    books_per_office = 4
    book_ids = []
    with engine.begin() as conn:
        for office in OFFICES:
            for n in range(books_per_office):
                book_ids.append(
                    conn.execute(
                        insert(Book).returning(Book.id),
                        {
                            "office": office,
                            "act_type": "birth",
                            "year": 1980 + n,
                            "copy": "first",
                            "label": f"{office}-birth-{1980 + n}",
                            "created_at": now,
                        },
                    ).scalar_one()
                )
        batch_ids = {}
        for book_id in book_ids:
            batch_ids[book_id] = uuid.uuid4().hex
            conn.execute(
                insert(Batch),
                {"id": batch_ids[book_id], "book_id": book_id, "source": "bench", "started_by": "bench", "summary": {}},
            )
        files = -(-records // PAGES_PER_FILE)
        conn.execute(
            insert(ScanFile),
            [
                {
                    "id": f + 1,
                    "sha256": hashlib.sha256(f"bench{f}".encode()).hexdigest(),
                    "source_path": f"scan{f:05d}.pdf",
                    "book_id": book_ids[f * len(book_ids) // files],
                    "first_batch_id": batch_ids[book_ids[f * len(book_ids) // files]],
                    "size_bytes": 1,
                    "media_type": "application/pdf",
                    "page_count": PAGES_PER_FILE,
                    "state": "stored",
                    "created_at": now,
                }
                for f in range(files)
            ],
        )
        conn.execute(text("SELECT setval(pg_get_serial_sequence('scan_files', 'id'), :n)"), {"n": files})
    file_book = {f + 1: book_ids[f * len(book_ids) // files] for f in range(files)}
    office_of = {book_id: OFFICES[i // books_per_office] for i, book_id in enumerate(book_ids)}
    image = "derived/bench/page.jpg"
    copy_rows(
        engine,
        "pages",
        ("id", "scan_file_id", "page_number", "state", "attempts", "form_id", "image_path", "provenance"),
        (
            (p + 1, p // PAGES_PER_FILE + 1, p % PAGES_PER_FILE + 1, "checked", 1, FORM.form_id, image, "{}")
            for p in range(records)
        ),
    )
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('pages', 'id'), :n)"), {"n": records})

    statuses: list[tuple[str, list[int]]] = []
    for _ in range(records):
        roll = rng.random()
        if roll < 0.25:
            # a quarter to review; of these, 40% with a required field flagged
            pool = REQUIRED if rng.random() < 0.4 else OPTIONAL
            statuses.append(("needs_review", rng.sample(pool, rng.randint(1, 3))))
        elif roll < 0.28:
            statuses.append(("verified", []))
        elif roll < 0.30:
            statuses.append(("rejected", []))
        else:
            statuses.append(("auto_verified", []))
    ids = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(records)]
    stamp = now.isoformat()
    copy_rows(
        engine,
        "records",
        (
            "id",
            "page_id",
            "slot",
            "book_id",
            "office",
            "act_type",
            "act_year",
            "copy",
            "form_id",
            "act_number",
            "status",
            "version",
            "created_at",
            "updated_at",
        ),
        (
            (
                ids[p],
                p + 1,
                0,
                file_book[p // PAGES_PER_FILE + 1],
                office_of[file_book[p // PAGES_PER_FILE + 1]],
                "birth",
                1987,
                "first",
                FORM.form_id,
                str(p % 5000 + 1),
                statuses[p][0],
                1,
                stamp,
                stamp,
            )
            for p in range(records)
        ),
    )

    def field_rows() -> Iterator[tuple[Any, ...]]:
        for p in range(records):
            flagged = set(statuses[p][1])
            for i, spec in enumerate(FORM.fields):
                bad = i in flagged
                box = json.dumps([996, 354 + 100 * i, 1323, 89])
                yield (
                    ids[p],
                    spec.key,
                    i,
                    spec.type,
                    spec.required,
                    "текст",
                    "текст",
                    0.5 if bad else 0.97,
                    0.9,
                    "flagged" if bad else "auto",
                    '["low_confidence"]' if bad else "[]",
                    box,
                )

    copy_rows(
        engine,
        "fields",
        (
            "record_id",
            "key",
            "position",
            "value_type",
            "required",
            "raw_text",
            "value",
            "confidence",
            "engine_confidence",
            "state",
            "reasons",
            "box",
        ),
        field_rows(),
    )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def measure(settings: Settings, samples: int) -> None:
    from webapp.app import create_app

    image = settings.resolved_data_dir / "derived/bench/page.jpg"
    image.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (2480, 3508), 255).save(image, quality=85)
    sessions = workflow_sessions(settings)
    with session_scope(sessions) as session:
        hashed = hash_password(PASSWORD)
        for n in range(samples):
            user = User(username=f"r{n}", role=Role.REVIEWER, password_hash=hashed, active=True)
            user.offices = [UserOffice(office="KHJ")]
            session.add(user)
        total = session.scalar(text("SELECT count(*) FROM records"))
        waiting = session.scalar(text("SELECT count(*) FROM records WHERE status = 'needs_review'"))
    print(f"records: {total}, needs_review: {waiting}, offices: {len(OFFICES)}")

    claimed: list[tuple[str, str]] = []
    counter = iter(range(samples))

    def claim_one() -> None:
        n = next(counter)
        with session_scope(sessions) as session:
            record_id = review.claim_next(session, Viewer(f"r{n}", Role.REVIEWER, frozenset({"KHJ"})))
        assert record_id is not None
        claimed.append((f"r{n}", record_id))

    report("claim next (one office, urgent first)", times(claim_one, samples), 50)
    two = Viewer("two", Role.REVIEWER, frozenset({"KHJ", "SNO"}))

    def claim_two_offices() -> None:
        with session_scope(sessions) as session:
            record_id = review.claim_next(session, two)
            assert record_id is not None
            review.release(session, two, record_id)

    report("claim + release (two offices)", times(claim_two_offices, samples), 50)
    admin = Viewer("boss", Role.ADMIN, None)

    def claim_all_offices() -> None:
        with session_scope(sessions) as session:
            record_id = review.claim_next(session, admin)
            assert record_id is not None
            review.release(session, admin, record_id)

    report("claim + release (admin, all 7 offices)", times(claim_all_offices, samples), 50)

    catalogue = load_catalogue(settings.schemas_dir / "forms")
    screens = iter(claimed)

    def screen_service() -> None:
        username, record_id = next(screens)
        with session_scope(sessions) as session:
            review.review_screen(
                session,
                Viewer(username, Role.REVIEWER, frozenset({"KHJ"})),
                record_id,
                catalogue,
                settings.resolved_data_dir,
            )

    report("review screen data (service)", times(screen_service, samples), 200)

    with TestClient(create_app(settings), follow_redirects=False) as client:
        username, record_id = claimed[0]
        login(client, username)

        def screen_http() -> None:
            response = client.get(f"/review/{record_id}")
            assert response.status_code == 200, response.status_code

        report("GET /review/{id} (whole request, rendered)", times(screen_http, samples), 200)

        def records_list() -> None:
            assert client.get("/records?status=needs_review").status_code == 200

        report("GET /records?status=needs_review", times(records_list, max(5, samples // 4)))


def main() -> None:
    parser = arguments(__doc__, DEFAULT_URL, 200_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="measure the data already there (no refill)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(database_url=args.url, data_dir=Path(data_dir), secret_key="benchmark")
        if not args.keep:
            spent = refill(settings, lambda: fill(settings, args.records))
            print(f"filled {args.records} records in {spent:.0f} s")
        else:
            upgrade_all(settings)
            with session_scope(workflow_sessions(settings)) as session:
                session.execute(text("DELETE FROM users"))
                session.execute(
                    text("UPDATE records SET status = 'needs_review', lease_owner = NULL WHERE status = 'in_review'")
                )
        measure(settings, args.samples)
        with session_scope(workflow_sessions(settings)) as session:
            plan = session.execute(text(URGENT_PLAN)).scalars().all()
        print("plan of the urgent claim query:")
        for line in plan:
            print("   ", line)
    dispose_engines()


if __name__ == "__main__":
    main()
