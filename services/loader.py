"""Loads verified records into the registry: one act per natural key, provenance per copy, idempotent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from database.registry import ActRecord, PersonRole, RecordCopy
from database.workflow import Page, Record, ScanFile, utcnow
from pipeline.load.registry_rows import persons_from_values
from pipeline.ocr.lexicon import fold
from pipeline.types import RecordStatus

logger = logging.getLogger(__name__)

LOADABLE = (RecordStatus.AUTO_VERIFIED, RecordStatus.VERIFIED)


@dataclass(frozen=True)
class LoadResult:
    loaded: int
    updated: int
    skipped: int  # verified but without an act number: cannot be keyed


def _folded_name(*parts: str | None) -> str | None:
    text = " ".join(p for p in parts if p)
    return fold(text) if text else None


def load_records(workflow: Session, registry: Session, record_ids: Sequence[str] | None = None) -> LoadResult:
    """Loads every verified, not yet loaded record (or the ones named) into the registry.

    The natural key (office, act type, year, act number) finds the act; a second copy of the same act adds
    its provenance beside the first; a reload after a correction updates the act's values in place.
    """
    query = (
        select(Record)
        .where(Record.status.in_(LOADABLE))
        .options(selectinload(Record.fields), selectinload(Record.book))
    )
    query = (
        query.where(Record.id.in_(record_ids)) if record_ids is not None else query.where(Record.loaded_at.is_(None))
    )
    loaded = updated = skipped = 0
    for record in workflow.scalars(query):
        values = {f.key: f.value for f in record.fields}
        act_number = values.get("act_number")
        if not act_number:
            skipped += 1
            continue
        page = workflow.get_one(Page, record.page_id)
        scan = workflow.get_one(ScanFile, page.scan_file_id)
        act = registry.scalar(
            select(ActRecord).where(
                ActRecord.office == record.office,
                ActRecord.act_type == record.act_type,
                ActRecord.act_year == record.act_year,
                ActRecord.act_number == act_number,
            )
        )
        copy = record.copy.value
        if act is None:
            act = ActRecord(
                office=record.office,
                act_type=record.act_type,
                act_year=record.act_year,
                act_number=act_number,
                form_id=record.form_id,
                canonical_copy=copy,
                values={},
            )
            registry.add(act)
            loaded += 1
        else:
            updated += 1
        if copy == "first" or act.canonical_copy == copy or not act.values:
            # The first copy is legally primary: its values win whenever it is there.
            act.values = values
            act.canonical_copy = copy
            act.registration_date = values.get("registration_date")
            act.form_id = record.form_id
            _replace_persons(registry, act, values)
        existing = next((c for c in act.copies if c.copy == copy), None)
        provenance = {
            "source_record_id": record.id,
            "book": record.book.label,
            "scan_sha256": scan.sha256,
            "source_file": scan.source_path,
            "page": page.page_number,
            "slot": record.slot,
            "verified_by": record.verified_by or "auto",
            "values": values,
            "loaded_at": utcnow(),
        }
        if existing is None:
            act.copies.append(RecordCopy(copy=copy, **provenance))
        else:
            for key, value in provenance.items():
                setattr(existing, key, value)
        record.loaded_at = utcnow()
    registry.flush()
    workflow.flush()
    logger.info("records loaded", extra={"loaded": loaded, "updated": updated, "skipped": skipped})
    return LoadResult(loaded=loaded, updated=updated, skipped=skipped)


def _replace_persons(registry: Session, act: ActRecord, values: dict[str, str | None]) -> None:
    act.persons.clear()
    registry.flush()
    for person in persons_from_values(values):
        act.persons.append(
            PersonRole(
                role=person.role,
                surname=person.surname,
                name=person.name,
                patronymic=person.patronymic,
                sex=person.sex,
                birth_date=person.birth_date,
                folded_name=_folded_name(person.surname, person.name, person.patronymic),
                details=person.details,
            )
        )
