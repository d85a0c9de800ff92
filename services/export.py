"""Exports records in the contract's line format (JSONL) and as a flat CSV of the same content."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from database.workflow import Book, Page, Record, ScanFile
from pipeline.forms.catalogue import Catalogue

SOURCE_COLUMNS = ("file", "sha256", "page", "slot")
RECORD_COLUMNS = ("record_id", "office", "act_type", "act_year", "copy", "book", "form", "status")
FIELD_PARTS = ("confidence", "state", "reasons")


def export_line(record: Record, book: Book, scan: ScanFile, page: Page) -> dict[str, Any]:
    """One record as the export contract's JSON object; every field of the form, blank as null."""
    fields: dict[str, dict[str, Any]] = {}
    for field in record.fields:
        entry: dict[str, Any] = {
            "value": field.value,
            "confidence": round(field.confidence, 3),
            "state": field.state.value,
        }
        if field.reasons:
            entry["reasons"] = list(field.reasons)
        fields[field.key] = entry
    return {
        "record_id": record.id,
        "office": record.office,
        "act_type": record.act_type,
        "act_year": record.act_year,
        "copy": record.copy.value,
        "book": book.label,
        "form": record.form_id,
        "status": record.status.value,
        "source": {"file": scan.source_path, "sha256": scan.sha256, "page": page.page_number, "slot": record.slot},
        "fields": fields,
    }


def iter_export_lines(
    session: Session, *, office: str | None = None, status: str | None = None, batch_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Records in book, file, page and slot order, streamed in chunks (never all in memory)."""
    query = (
        select(Record, Book, ScanFile, Page)
        .join(Book, Book.id == Record.book_id)
        .join(Page, Page.id == Record.page_id)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .options(selectinload(Record.fields))
        .order_by(Book.id, ScanFile.id, Page.page_number, Record.slot)
    )
    if office:
        query = query.where(Record.office == office)
    if status == "loaded":
        query = query.where(Record.loaded_at.is_not(None))
    elif status:
        query = query.where(Record.status == status)
    offset = 0
    while True:
        rows = session.execute(query.limit(batch_size).offset(offset)).all()
        if not rows:
            return
        for record, book, scan, page in rows:
            yield export_line(record, book, scan, page)
        offset += batch_size
        session.expunge_all()


def write_jsonl(lines: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_columns(catalogue: Catalogue) -> list[str]:
    """Record and source columns, then for every field key of the catalogue: value, confidence, state, reasons."""
    keys: list[str] = []
    for template in catalogue.forms.values():
        keys.extend(k for k in template.field_keys if k not in keys)
    columns = [*RECORD_COLUMNS, *(f"source.{c}" for c in SOURCE_COLUMNS)]
    for key in keys:
        columns.append(key)
        columns.extend(f"{key}.{part}" for part in FIELD_PARTS)
    return columns


def write_csv(lines: Iterator[dict[str, Any]], out: IO[str], catalogue: Catalogue) -> int:
    writer = csv.DictWriter(out, fieldnames=csv_columns(catalogue), extrasaction="raise")
    writer.writeheader()
    count = 0
    for line in lines:
        row: dict[str, Any] = {c: line[c] for c in RECORD_COLUMNS}
        row.update({f"source.{c}": line["source"][c] for c in SOURCE_COLUMNS})
        for key, entry in line["fields"].items():
            row[key] = entry["value"]
            row[f"{key}.confidence"] = entry["confidence"]
            row[f"{key}.state"] = entry["state"]
            row[f"{key}.reasons"] = ";".join(entry.get("reasons", []))
        writer.writerow(row)
        count += 1
    return count


def export_records(
    session: Session, catalogue: Catalogue, out_path: Path, *, fmt: str, office: str | None, status: str | None
) -> int:
    """Writes the export file atomically; returns the number of records written."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(f".{out_path.name}.partial")
    lines = iter_export_lines(session, office=office, status=status)
    with partial.open("w", encoding="utf-8", newline="") as out:
        count = write_csv(lines, out, catalogue) if fmt == "csv" else write_jsonl(lines, out)
    partial.replace(out_path)
    return count
