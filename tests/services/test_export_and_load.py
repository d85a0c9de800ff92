"""Export follows the line contract; the registry loader keys acts naturally and never duplicates."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select

from database.registry import ActRecord, PersonRole, RecordCopy
from database.session import registry_sessions, session_scope, workflow_and_registry, workflow_sessions
from database.workflow import CopyKind, Record
from pipeline.config import Settings
from pipeline.types import RecordStatus
from services.export import export_records
from services.loader import load_records
from tests.factories import CATALOGUE, make_book, make_record

VALUES = {
    "act_number": "214",
    "registration_date": "2015-03-20",
    "office": "САҲШ-и ш. Хуҷанд",
    "child_surname": "Раҳимова",
    "child_name": "Мадина",
    "child_patronymic": None,
    "child_sex": "female",
    "child_birth_date": "2015-03-12",
    "father_surname": "Раҳимов",
    "father_name": "Алишер",
    "mother_surname": "Каримова",
    "mother_name": "Зарина",
}


def _load(settings: Settings, ids: list[str] | None = None) -> tuple[int, int, int]:
    with workflow_and_registry(settings) as (wf, reg):
        result = load_records(wf, reg, ids)
    return result.loaded, result.updated, result.skipped


def _registry_counts(settings: Settings) -> tuple[int, int, int]:
    with session_scope(registry_sessions(settings)) as reg:
        return (
            reg.scalar(select(func.count()).select_from(ActRecord)) or 0,
            reg.scalar(select(func.count()).select_from(RecordCopy)) or 0,
            reg.scalar(select(func.count()).select_from(PersonRole)) or 0,
        )


def test_export_jsonl_line_follows_the_contract(settings: Settings, tmp_path: Path) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        book = make_book(session)
        make_record(session, book, VALUES, flagged=("child_birth_date",), file_name="book12/p0007.tif", page_number=7)
    out = tmp_path / "records.jsonl"
    with session_scope(workflow_sessions(settings)) as session:
        assert export_records(session, CATALOGUE, out, fmt="jsonl", office=None, status=None) == 1
    line = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert list(line) == [
        "record_id",
        "office",
        "act_type",
        "act_year",
        "copy",
        "book",
        "form",
        "status",
        "source",
        "fields",
    ]
    assert line["source"]["file"] == "book12/p0007.tif" and line["source"]["page"] == 7 and line["source"]["slot"] == 0
    assert len(line["source"]["sha256"]) == 64
    assert list(line["fields"]) == list(CATALOGUE.form("birth_tj_2010").field_keys)
    assert line["fields"]["child_surname"] == {"value": "Раҳимова", "confidence": 0.97, "state": "auto"}
    assert line["fields"]["child_birth_date"]["reasons"] == ["low_confidence"]
    assert line["fields"]["child_patronymic"]["value"] is None
    assert (line["act_type"], line["act_year"], line["copy"], line["status"]) == (
        "birth",
        1987,
        "first",
        "auto_verified",
    )


def test_export_csv_has_one_row_per_record_and_filters(settings: Settings, tmp_path: Path) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        book = make_book(session)
        make_record(session, book, VALUES)
        make_record(session, book, {**VALUES, "act_number": "215"}, status=RecordStatus.NEEDS_REVIEW, page_number=2)
    out = tmp_path / "records.csv"
    with session_scope(workflow_sessions(settings)) as session:
        assert export_records(session, CATALOGUE, out, fmt="csv", office="KHJ", status="needs_review") == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 1
    assert rows[0]["act_number"] == "215" and rows[0]["child_surname.state"] == "auto"


def test_loader_keys_acts_naturally_and_reloads_without_duplicates(settings: Settings) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        first = make_record(session, make_book(session), VALUES)
        second = make_record(
            session, make_book(session, office="KHJ", copy=CopyKind.SECOND), VALUES, file_name="b2/p1.png"
        )
        make_record(session, first.book, {**VALUES, "act_number": "9"}, status=RecordStatus.NEEDS_REVIEW, page_number=3)
        first_id, second_id = first.id, second.id
    assert _load(settings) == (1, 1, 0)  # one act from two copies; the record under review stays out
    assert _registry_counts(settings) == (1, 2, 3)  # act, its two copies, child + father + mother
    assert _load(settings) == (0, 0, 0)  # nothing new to load
    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, first_id)
        next(f for f in record.fields if f.key == "child_name").value = "Малика"
        record.status = RecordStatus.VERIFIED
    assert _load(settings, [first_id]) == (0, 1, 0)
    assert _registry_counts(settings) == (1, 2, 3)
    with session_scope(registry_sessions(settings)) as reg:
        act = reg.scalars(select(ActRecord)).one()
        assert (act.office, act.act_type, act.act_year, act.act_number) == ("KHJ", "birth", 1987, "214")
        assert act.values["child_name"] == "Малика" and act.canonical_copy == "first"
        assert {c.source_record_id for c in act.copies} == {first_id, second_id}
        child = next(p for p in act.persons if p.role == "child")
        assert (child.surname, child.name, child.sex) == ("Раҳимова", "Малика", "female")
