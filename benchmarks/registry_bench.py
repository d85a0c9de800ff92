"""Registry benchmark: generated records (first and second copies) put into PostgreSQL with Core bulk inserts,
then reconciled, checked per book, loaded into the registry and searched; time and peak memory of each step.

    python -m benchmarks.registry_bench [--url postgresql+psycopg://...] [--records 200000] [--no-tracemalloc]
        [--skip-fill]

The database named in the URL (default ``archive_registry_bench`` on the local server) is emptied and filled
anew. Peak memory is the Python heap's peak during the step (tracemalloc, which also slows the step) and the
process's resident peak so far (getrusage).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine

from benchmarks.common import ensure_database
from database.migrate import downgrade_all, upgrade_all
from database.registry import ActRecord, PersonRole
from database.session import (
    dispose_engines,
    registry_sessions,
    session_scope,
    workflow_and_registry,
    workflow_sessions,
)
from database.workflow import Batch, Book, Field, Page, Record, ScanFile
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.forms.catalogue import load_catalogue
from pipeline.qa.rules import default_rules
from services.book_checks import check_books
from services.loader import load_records
from services.reconcile import reconcile
from services.search import SearchQuery, search_acts

DEFAULT_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/archive_registry_bench"
OFFICES = ("BKH", "BGF", "RDK", "KHJ", "YVN")
YEARS = tuple(range(2011, 2019))
FORM = load_catalogue(PROJECT_ROOT / "schemas" / "forms").form("birth_tj_2010")
SURNAMES = ("Раҳимов", "Каримов", "Ҳасанов", "Назаров", "Сафаров", "Шарипов", "Юсупов", "Аминов", "Одинаев", "Саидов")
BOYS = ("Алишер", "Фаррух", "Рустам", "Баҳром", "Далер", "Зафар", "Умед", "Шерзод", "Анвар", "Акбар")
GIRLS = ("Мадина", "Зарина", "Нигина", "Малика", "Шаҳноза", "Парвина", "Ситора", "Дилноза", "Фарзона", "Азиза")
ROWS_PER_INSERT = 20_000


def _values(rng: random.Random, number: int, registered: date) -> dict[str, str | None]:
    girl = rng.random() < 0.5
    surname = rng.choice(SURNAMES)
    father = rng.choice(BOYS)
    born = registered - timedelta(days=rng.randint(1, 60))
    values: dict[str, str | None] = {spec.key: None for spec in FORM.fields}
    values.update(
        {
            "act_number": str(number),
            "registration_date": registered.isoformat(),
            "office": "САҲШ",
            "child_surname": surname + ("а" if girl else ""),
            "child_name": rng.choice(GIRLS if girl else BOYS),
            "child_patronymic": father + ("овна" if girl else "ович"),
            "child_sex": "female" if girl else "male",
            "child_birth_date": born.isoformat(),
            "child_birth_place": "ш. Хуҷанд",
            "father_surname": surname,
            "father_name": father,
            "father_birth_date": (born - timedelta(days=rng.randint(7000, 14000))).isoformat(),
            "mother_surname": rng.choice(SURNAMES) + "а",
            "mother_name": rng.choice(GIRLS),
            "mother_birth_date": (born - timedelta(days=rng.randint(6500, 12000))).isoformat(),
            "marks": "Умер, з/а о смерти № 12 от 05.06.2019" if rng.random() < 0.01 else None,
        }
    )
    return values


def _insert(engine: Engine, table: Any, rows: Iterator[dict[str, Any]]) -> None:
    """Core executemany INSERTs, a slice at a time so the rows are never all in memory."""
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for row in rows:
            batch.append(row)
            if len(batch) == ROWS_PER_INSERT:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)


def fill(settings: Settings, records: int, seed: int = 11) -> None:
    """Acts of 5 offices x 8 years, each in a first and a second copy book: 1 % of second copies disagree on
    a field, 0.5 % of acts are missing from the second copy, 0.2 % have their number misread there."""
    rng = random.Random(seed)
    engine = create_engine(settings.workflow_url)
    now = datetime.now(UTC)
    acts_per_book = max(1, records // (2 * len(OFFICES) * len(YEARS)))
    books: list[tuple[int, str, int, str]] = []
    with engine.begin() as conn:
        for office in OFFICES:
            for year in YEARS:
                for copy in ("first", "second"):
                    label = f"{office}-birth-{year}-{copy}"
                    book_id = conn.execute(
                        insert(Book).returning(Book.id),
                        {"office": office, "act_type": "birth", "year": year, "copy": copy, "label": label},
                    ).scalar_one()
                    books.append((book_id, office, year, copy))
                    conn.execute(
                        insert(Batch),
                        {"id": f"b{book_id:031d}", "book_id": book_id, "source": "bench", "started_by": "bench"},
                    )
                    conn.execute(
                        insert(ScanFile),
                        {
                            "id": book_id,
                            "sha256": hashlib.sha256(label.encode()).hexdigest(),
                            "source_path": f"{label}.pdf",
                            "book_id": book_id,
                            "first_batch_id": f"b{book_id:031d}",
                            "size_bytes": 1,
                            "page_count": acts_per_book,
                            "state": "stored",
                        },
                    )
        conn.execute(text("SELECT setval(pg_get_serial_sequence('scan_files', 'id'), :n)"), {"n": len(books)})
    plan: list[tuple[int, int, int, str, str, int, dict[str, str | None]]] = []  # page, book, ...
    page = 0
    for book_id, office, year, copy in books:
        day = date(year, 1, 2)
        act_rng = random.Random(f"{seed}/{office}/{year}")  # the same acts in both copies
        for number in range(1, acts_per_book + 1):
            day += timedelta(days=act_rng.random() < 0.3)
            values = _values(act_rng, number, day)
            if copy == "second":
                roll = rng.random()
                if roll < 0.005:
                    continue
                if roll < 0.007:
                    values["act_number"] = str(number + 1000)
                elif roll < 0.017:
                    born = date.fromisoformat(values["child_birth_date"] or "")
                    values["child_birth_date"] = (born - timedelta(days=1)).isoformat()
            page += 1
            plan.append((page, book_id, year, office, copy, number, values))
    _insert(
        engine,
        Page,
        (
            {"id": p, "scan_file_id": b, "page_number": p, "state": "checked", "form_id": FORM.form_id}
            for p, b, *_ in plan
        ),
    )
    ids = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in plan]
    _insert(
        engine,
        Record,
        (
            {
                "id": ids[i],
                "page_id": p,
                "slot": 0,
                "book_id": b,
                "office": office,
                "act_type": "birth",
                "act_year": year,
                "copy": copy,
                "form_id": FORM.form_id,
                "act_number": values["act_number"],
                "status": "auto_verified",
                "created_at": now,
                "updated_at": now,
            }
            for i, (p, b, year, office, copy, _n, values) in enumerate(plan)
        ),
    )

    def fields() -> Iterator[dict[str, Any]]:
        for i, (*_head, values) in enumerate(plan):
            for position, spec in enumerate(FORM.fields):
                yield {
                    "record_id": ids[i],
                    "key": spec.key,
                    "position": position,
                    "value_type": spec.type,
                    "required": spec.required,
                    "raw_text": values[spec.key] or "",
                    "value": values[spec.key],
                    "confidence": 0.97,
                    "engine_confidence": 0.95,
                    "state": "auto",
                    "reasons": [],
                    "box": [],
                }

    _insert(engine, Field, fields())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # as autovacuum would after a load this size: plans need the row counts
    engine.dispose()


@contextmanager
def measured(name: str, results: dict[str, str], trace: bool) -> Iterator[None]:
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
        if trace:
            tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results[name] = f"{seconds:8.1f} s   heap peak {peak:7.1f} MiB   process peak {rss:7.1f} MiB"
        print(f"{name:<22} {results[name]}", flush=True)  # noqa: T201 - the benchmark's output


def _timed_search(settings: Settings, query: SearchQuery, repeat: int = 5) -> tuple[float, int]:
    with session_scope(registry_sessions(settings)) as session:
        search_acts(session, query)  # warm the cache
        start = time.perf_counter()
        for _ in range(repeat):
            hits = search_acts(session, query)
        return (time.perf_counter() - start) / repeat * 1000, len(hits)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false")
    parser.add_argument("--skip-fill", action="store_true", help="the database holds a fill no step has run on yet")
    args = parser.parse_args(argv)
    ensure_database(args.url)
    settings = Settings(database_url=args.url, data_dir=PROJECT_ROOT / "data" / "bench")
    if not args.skip_fill:
        downgrade_all(settings)
        upgrade_all(settings)
        dispose_engines()
    rules = default_rules()
    results: dict[str, str] = {}

    def step(name: str) -> AbstractContextManager[None]:
        return measured(name, results, args.trace)

    # the generator's own memory is not the product's: filled without tracing
    if not args.skip_fill:
        with measured("fill (Core inserts)", results, trace=False):
            fill(settings, args.records)
    with step("reconcile"), session_scope(workflow_sessions(settings)) as session:
        outcome = reconcile(session, rules.reconcile)
    print(f"  pairings {outcome.pairings}, fields flagged {outcome.fields_flagged}")  # noqa: T201
    with step("book checks"), session_scope(workflow_sessions(settings)) as session:
        checks = check_books(session, rules.sequence, flag=True)
    print(f"  books {len(checks)}, fields flagged {sum(c.flagged for c in checks)}")  # noqa: T201
    with step("load"), workflow_and_registry(settings) as (workflow, registry):
        loaded = load_records(workflow, registry)
    print(f"  loaded {loaded}")  # noqa: T201
    with step("reload (no change)"), workflow_and_registry(settings) as (workflow, registry):
        ids = list(workflow.scalars(select(Record.id).where(Record.loaded_at.is_not(None)).limit(20_000)))
        again = load_records(workflow, registry, ids)
    print(f"  reloaded {again}")  # noqa: T201
    with session_scope(registry_sessions(settings)) as session:
        acts = session.scalar(select(func.count()).select_from(ActRecord))
        persons = session.scalar(select(func.count()).select_from(PersonRole))
    print(f"  registry: {acts} acts, {persons} persons")  # noqa: T201
    for label, query in (
        ("search surname", SearchQuery(name="Hasanov", limit=50)),
        (
            "search name + dates",
            SearchQuery(name="Ҳасанов Алишер", date_from=date(2015, 1, 1), date_to=date(2015, 3, 31)),
        ),
        ("search any order", SearchQuery(name="Alisher Hasanov", office="KHJ", limit=50)),
        ("search number", SearchQuery(office="KHJ", act_type="birth", act_number="214")),
    ):
        ms, count = _timed_search(settings, query)
        print(f"{label:<22} {ms:8.1f} ms   {count} acts")  # noqa: T201
    dispose_engines()


if __name__ == "__main__":
    main()
