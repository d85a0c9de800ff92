"""Registry search by name (Tajik, Russian or Latin spelling), registration date range, office, act type and
act number; each hit with its persons and the provenance of each copy. Called by the CLI and the web app."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal, select
from sqlalchemy.orm import Session, selectinload

from database.registry import ActRecord, PersonRole
from pipeline.ocr.lexicon import fold
from pipeline.registry.search import latin_key

MAX_LIMIT = 500


@dataclass(frozen=True)
class PersonHit:
    role: str
    surname: str | None
    name: str | None
    patronymic: str | None
    sex: str | None
    birth_date: str | None
    matched: bool  # this person's name matched the query


@dataclass(frozen=True)
class CopyHit:
    copy: str
    book: str
    scan_sha256: str
    source_file: str
    page: int
    slot: int
    source_record_id: str
    verified_by: str


@dataclass(frozen=True)
class ActHit:
    act_id: int
    office: str
    act_type: str
    act_year: int
    act_number: str
    registration_date: str | None
    form_id: str
    persons: tuple[PersonHit, ...]
    copies: tuple[CopyHit, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SearchQuery:
    name: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    office: str | None = None
    act_type: str | None = None
    act_number: str | None = None
    limit: int = 50


def name_tokens(name: str | None) -> list[str]:
    """The query's words as search keys: Ҳасанов, Хасанов, Hasanov and Khasanov all give 'hasanov'."""
    return latin_key(name, fold).split() if name else []


def _name_match(tokens: list[str], *, surname_first: bool) -> ColumnElement[bool]:
    """Every word the beginning of a word of the person's key; ``surname_first``: the first word starts the key
    (the registry's order, surname name patronymic), which the key's index answers."""
    spaced = literal(" ") + PersonRole.name_key
    conditions = [spaced.like(f"% {t}%") for t in tokens]
    if surname_first:
        conditions[0] = PersonRole.name_key.like(f"{tokens[0]}%")
    return and_(*conditions)


def _acts(query: SearchQuery, tokens: list[str], *, surname_first: bool) -> Select[Any]:
    acts = select(ActRecord.id)
    if tokens:
        matching = select(PersonRole.act_id).where(_name_match(tokens, surname_first=surname_first))
        acts = acts.where(ActRecord.id.in_(matching))
    if query.office:
        acts = acts.where(ActRecord.office == query.office)
    if query.act_type:
        acts = acts.where(ActRecord.act_type == query.act_type)
    if query.act_number:
        number = query.act_number.strip()
        # stored as the parser writes numbers: digits without leading zeros
        acts = acts.where(ActRecord.act_number == (str(int(number)) if number.isdigit() else number))
    # ISO dates compare as text, so the range is an index range scan
    if query.date_from:
        acts = acts.where(ActRecord.registration_date >= query.date_from.isoformat())
    if query.date_to:
        acts = acts.where(ActRecord.registration_date <= query.date_to.isoformat())
    limit = max(1, min(query.limit, MAX_LIMIT))
    return acts.order_by(ActRecord.registration_date, ActRecord.office, ActRecord.act_number).limit(limit)


def search_acts(registry: Session, query: SearchQuery) -> list[ActHit]:
    """Acts matching every criterion given, oldest registration first, at most ``limit`` (capped at 500).

    A name is matched surname first; if that finds nothing, its words are matched in any order ("Alisher
    Hasanov")."""
    tokens = name_tokens(query.name)
    ids: list[int] = list(registry.scalars(_acts(query, tokens, surname_first=bool(tokens))))
    if not ids and len(tokens) > 1:
        ids = list(registry.scalars(_acts(query, tokens, surname_first=False)))
    if not ids:
        return []
    acts = registry.scalars(
        select(ActRecord)
        .where(ActRecord.id.in_(ids))
        .options(selectinload(ActRecord.persons), selectinload(ActRecord.copies))
    ).all()
    order = {act_id: i for i, act_id in enumerate(ids)}
    return [_hit(act, tokens) for act in sorted(acts, key=lambda a: order[a.id])]


def _matches(key: str | None, tokens: list[str]) -> bool:
    words = (key or "").split()
    return bool(tokens) and all(any(w.startswith(t) for w in words) for t in tokens)


def _hit(act: ActRecord, tokens: list[str]) -> ActHit:
    return ActHit(
        act_id=act.id,
        office=act.office,
        act_type=act.act_type,
        act_year=act.act_year,
        act_number=act.act_number,
        registration_date=act.registration_date,
        form_id=act.form_id,
        persons=tuple(
            PersonHit(p.role, p.surname, p.name, p.patronymic, p.sex, p.birth_date, _matches(p.name_key, tokens))
            for p in sorted(act.persons, key=lambda p: p.id)
        ),
        copies=tuple(
            CopyHit(c.copy, c.book, c.scan_sha256, c.source_file, c.page, c.slot, c.source_record_id, c.verified_by)
            for c in sorted(act.copies, key=lambda c: c.copy)
        ),
    )
