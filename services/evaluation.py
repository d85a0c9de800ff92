"""Collects what a batch predicted, page by page, beside the ground truth of each scan file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from database.workflow import BatchFile, Book, Page, Record, ScanFile, ScanFileState
from pipeline.errors import ConfigError
from services.export import export_line

TRUTH_SUFFIX = ".truth.json"


def truth_path_for(scan: Path) -> Path:
    return scan.with_name(scan.stem + TRUTH_SUFFIX)


def load_truth(scan: Path) -> dict[str, Any] | None:
    """The ground truth beside a scan file (``NAME.truth.json``), or None when there is none."""
    path = truth_path_for(scan)
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def predicted_pages(session: Session, batch_id: str) -> list[dict[str, Any]]:
    """Every page of every stored file of the batch with its records as export lines.

    ``file`` is the file's name as given to the run, the key used to find its ground truth.
    """
    files = session.execute(
        select(ScanFile, BatchFile.source_path)
        .join(BatchFile, BatchFile.scan_file_id == ScanFile.id)
        .where(BatchFile.batch_id == batch_id)
        .order_by(ScanFile.id)
    ).all()
    pages: list[dict[str, Any]] = []
    for scan, given_name in files:
        if scan.state != ScanFileState.STORED:
            pages.append({"file": given_name, "page": None, "status": "quarantined", "reason": scan.reason})
            continue
        book = session.get_one(Book, scan.book_id)
        rows = session.scalars(
            select(Page)
            .where(Page.scan_file_id == scan.id)
            .options(selectinload(Page.records).selectinload(Record.fields))
            .order_by(Page.page_number)
        )
        for page in rows:
            pages.append(
                {
                    "file": given_name,
                    "page": page.page_number,
                    "status": page.state.value,
                    "reason": page.reason,
                    "form": page.form_id,
                    "rotation": page.rotation,
                    "skew_deg": page.skew_deg,
                    "halves": (page.provenance or {}).get("spread", {}).get("halves", 1),
                    "quality": page.quality_score,
                    "alignment": page.alignment_score,
                    "records": [_with_raw_text(export_line(r, book, scan, page), r) for r in page.records],
                }
            )
    return pages


def _with_raw_text(line: dict[str, Any], record: Record) -> dict[str, Any]:
    """Adds what the engine read to each field, and its own confidence (for the character error rate and for
    studying the score); not part of the export."""
    read = {f.key: f for f in record.fields}
    for key, entry in line["fields"].items():
        field = read.get(key)
        entry["raw_text"] = field.raw_text if field is not None else ""
        entry["engine_confidence"] = field.engine_confidence if field is not None else None
    return line


RUN_FORMAT = 1


def save_run(
    path: Path, pairs: list[tuple[dict[str, Any], dict[str, Any]]], *, profile: str, thresholds: dict[str, Any]
) -> None:
    """Writes an evaluated run (truth and prediction per page, with every field's score and reasons) and the
    thresholds it was decided with, so ``archive calibrate`` can learn from it without running OCR again."""
    doc = {"format": RUN_FORMAT, "profile": profile, "thresholds": thresholds, "pairs": [list(p) for p in pairs]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def load_run(path: Path) -> tuple[str, dict[str, Any], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """(profile, thresholds in use when it ran, pairs) of a run written by :func:`save_run`."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the saved evaluation {path}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT or "pairs" not in doc:
        raise ConfigError(f"{path} is not an evaluation saved by `archive eval --save-run`")
    return str(doc["profile"]), dict(doc["thresholds"]), [(t, p) for t, p in doc["pairs"]]
