"""Loads verified records into the registry: one act per natural key, provenance per copy, history of every
change, search keys and links to the acts its marks cite; idempotent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session, selectinload

from database.registry import ActHistory, ActRecord, MarkLink, PersonRole, RecordCopy
from database.workflow import Book, Field, Page, Record, ScanFile, utcnow
from pipeline.config import PROJECT_ROOT
from pipeline.load.registry_rows import persons_from_values
from pipeline.ocr.lexicon import fold, load_lexicon
from pipeline.registry.marks import parse_mark_references
from pipeline.registry.search import person_name_key
from pipeline.types import RecordStatus

logger = logging.getLogger(__name__)

LOADABLE = (RecordStatus.AUTO_VERIFIED, RecordStatus.VERIFIED)
# records read and written per round trip: large enough to amortise the queries, small enough for memory
CHUNK = 500


@dataclass(frozen=True)
class LoadResult:
    loaded: int
    updated: int
    skipped: int  # verified but without an act number: cannot be keyed


@dataclass(frozen=True)
class _Source:
    """A verified record as the loader needs it: the key, the values and where it came from."""

    record_id: str
    office: str
    act_type: str
    act_year: int
    copy: str
    form_id: str
    values: dict[str, str | None]
    provenance: dict[str, Any]

    @property
    def act_number(self) -> str | None:
        return self.values.get("act_number")


def _folded_name(*parts: str | None) -> str | None:
    text = " ".join(p for p in parts if p)
    return fold(text) if text else None


def _sources(workflow: Session, ids: Sequence[str]) -> list[_Source]:
    """Two queries per chunk: the records with their page, file and book, then their fields in form order."""
    rows = workflow.execute(
        select(
            Record.id,
            Record.office,
            Record.act_type,
            Record.act_year,
            Record.copy,
            Record.form_id,
            Record.slot,
            Record.verified_by,
            Book.label,
            Page.page_number,
            ScanFile.sha256,
            ScanFile.source_path,
        )
        .join(Book, Book.id == Record.book_id)
        .join(Page, Page.id == Record.page_id)
        .join(ScanFile, ScanFile.id == Page.scan_file_id)
        .where(Record.id.in_(ids))
        .order_by(Record.id)
    ).all()
    fields = workflow.execute(
        select(Field.record_id, Field.key, Field.value)
        .where(Field.record_id.in_(ids))
        .order_by(Field.record_id, Field.position)
    ).all()
    values = {rid: {f.key: f.value for f in group} for rid, group in groupby(fields, key=lambda f: f.record_id)}
    return [
        _Source(
            record_id=row.id,
            office=row.office,
            act_type=row.act_type,
            act_year=row.act_year,
            copy=row.copy.value,
            form_id=row.form_id,
            values=values.get(row.id, {}),
            provenance={
                "source_record_id": row.id,
                "book": row.label,
                "scan_sha256": row.sha256,
                "source_file": row.source_path,
                "page": row.page_number,
                "slot": row.slot,
                "verified_by": row.verified_by or "auto",
                "values": values.get(row.id, {}),
            },
        )
        for row in rows
    ]


def _block(source: _Source) -> tuple[str, str, int]:
    return source.office, source.act_type, source.act_year


def _existing_acts(registry: Session, sources: Sequence[_Source]) -> dict[tuple[str, str, int, str], ActRecord]:
    """The acts already in the registry for the chunk's keys, one query per (office, act type, year)."""
    acts: dict[tuple[str, str, int, str], ActRecord] = {}
    for (office, act_type, year), group in groupby(sorted(sources, key=_block), key=_block):
        numbers = sorted({s.act_number for s in group if s.act_number})
        query = (
            select(ActRecord)
            .where(
                ActRecord.office == office,
                ActRecord.act_type == act_type,
                ActRecord.act_year == year,
                ActRecord.act_number.in_(numbers),
            )
            .options(selectinload(ActRecord.copies), selectinload(ActRecord.persons))
        )
        for act in registry.scalars(query):
            acts[(act.office, act.act_type, act.act_year, act.act_number)] = act
    return acts


def load_records(workflow: Session, registry: Session, record_ids: Sequence[str] | None = None) -> LoadResult:
    """Loads every verified, not yet loaded record (or the ones named) into the registry.

    The natural key (office, act type, year, act number) finds the act; a second copy of the same act adds
    its provenance beside the first; a reload after a correction updates the act in place and keeps its
    previous values in the act's history. ``registry`` may be the workflow session itself (one database).
    """
    # in key order, so a chunk spans few (office, act type, year) blocks and finds its acts in few queries
    query = select(Record.id).where(Record.status.in_(LOADABLE))
    query = query.order_by(Record.office, Record.act_type, Record.act_year, Record.act_number, Record.copy)
    query = (
        query.where(Record.id.in_(record_ids)) if record_ids is not None else query.where(Record.loaded_at.is_(None))
    )
    ids = list(workflow.scalars(query))
    loaded = updated = skipped = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        sources = _sources(workflow, chunk)
        acts = _existing_acts(registry, sources)
        touched: list[ActRecord] = []
        done: list[str] = []
        for source in sources:
            if not source.act_number:
                skipped += 1
                continue
            key = (source.office, source.act_type, source.act_year, source.act_number)
            act = acts.get(key)
            if act is None:
                act = acts[key] = ActRecord(
                    office=source.office,
                    act_type=source.act_type,
                    act_year=source.act_year,
                    act_number=source.act_number,
                    form_id=source.form_id,
                    canonical_copy=source.copy,
                    values={},
                )
                registry.add(act)
                loaded += 1
            else:
                updated += 1
            _apply(registry, act, source)
            touched.append(act)
            done.append(source.record_id)
        registry.flush()
        for act in touched:
            if act in registry:
                registry.expunge(act)  # the identity map would otherwise hold every act of a large load
        if done:
            workflow.execute(update(Record).where(Record.id.in_(done)).values(loaded_at=utcnow()))
    _link_cited_acts(registry)
    registry.flush()
    workflow.flush()
    logger.info("records loaded", extra={"loaded": loaded, "updated": updated, "skipped": skipped})
    return LoadResult(loaded=loaded, updated=updated, skipped=skipped)


def _apply(registry: Session, act: ActRecord, source: _Source) -> None:
    """The record's values onto its act (when its copy is canonical), its provenance and its marks' links."""
    copy = source.copy
    # The first copy is legally primary: its values win whenever it is there.
    if copy == "first" or act.canonical_copy == copy or not act.values:
        if act.values and act.values != source.values:
            act.history.append(
                ActHistory(
                    source_record_id=source.record_id,
                    copy=copy,
                    previous={
                        "values": act.values,
                        "registration_date": act.registration_date,
                        "form_id": act.form_id,
                        "canonical_copy": act.canonical_copy,
                    },
                    changed_fields=sorted(
                        k for k in {*act.values, *source.values} if act.values.get(k) != source.values.get(k)
                    ),
                )
            )
        if act.values != source.values or not act.persons:
            _replace_persons(registry, act, source.values)
        act.values = source.values
        act.canonical_copy = copy
        act.registration_date = source.values.get("registration_date")
        act.form_id = source.form_id
    existing = next((c for c in act.copies if c.copy == copy), None)
    marks_changed = existing is None or existing.values.get("marks") != source.values.get("marks")
    provenance = {**source.provenance, "loaded_at": utcnow()}
    if existing is None:
        act.copies.append(RecordCopy(copy=copy, **provenance))
    else:
        for key, value in provenance.items():
            setattr(existing, key, value)
    if marks_changed:
        _replace_mark_links(registry, act, copy, source.values.get("marks"), had_links=existing is not None)


def _replace_persons(registry: Session, act: ActRecord, values: dict[str, str | None]) -> None:
    if act.persons:
        act.persons.clear()
        registry.flush()  # the old rows go before the new ones take their (act, role) keys
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
                name_key=person_name_key(person.surname, person.name, person.patronymic),
                details=person.details,
            )
        )


def _replace_mark_links(registry: Session, act: ActRecord, copy: str, marks: str | None, *, had_links: bool) -> None:
    """The acts one copy's marks cite (marks of the two copies differ lawfully: each keeps its own links)."""
    if had_links and act.id is not None:
        registry.execute(delete(MarkLink).where(MarkLink.act_id == act.id, MarkLink.copy == copy))
    for position, reference in enumerate(parse_mark_references(marks, load_lexicon(PROJECT_ROOT / "schemas"))):
        registry.add(
            MarkLink(
                act=act,
                copy=copy,
                position=position,
                kind=reference.kind,
                office=act.office,
                cited_act_type=reference.kind,
                cited_year=int(reference.date[:4]) if reference.date else None,
                cited_number=reference.number,
                cited_date=reference.date,
                text=reference.text,
            )
        )


def _link_cited_acts(registry: Session) -> None:
    """Links every mark whose cited act is now in the registry, whichever of the two was loaded first."""
    cited = select(ActRecord.id).where(
        and_(
            ActRecord.office == MarkLink.office,
            ActRecord.act_type == MarkLink.cited_act_type,
            ActRecord.act_year == MarkLink.cited_year,
            ActRecord.act_number == MarkLink.cited_number,
        )
    )
    registry.execute(
        update(MarkLink)
        .where(MarkLink.cited_act_id.is_(None), MarkLink.cited_year.is_not(None), exists(cited))
        .values(cited_act_id=cited.scalar_subquery())
        .execution_options(synchronize_session=False)
    )
