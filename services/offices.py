"""Offices and their digitization targets: read from an offices file (YAML or CSV), kept in the database.

The shipped ``schemas/offices.yaml`` is the planning default. `archive offices import` puts an office's own
inventory in the database, and an office found there replaces the file's entry of the same code (its name,
region, targets and target date); offices of the file not imported keep the file's figures. `archive offices
remove` takes an imported office out again (the file's entry, if any, then applies).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.workflow import Book, CopyKind, Office, OfficeTarget
from pipeline.errors import ConfigError, NotFound
from pipeline.forms.catalogue import ActType

ACT_TYPES: tuple[str, ...] = get_args(ActType)
COPIES: tuple[str, ...] = tuple(c.value for c in CopyKind)
CSV_FIXED = ("code", "name", "region", "target_date")
CSV_TARGETS = tuple(f"{c}_{a}" for c in COPIES for a in ACT_TYPES)


class OfficeSpec(BaseModel):
    """One office as a file gives it: targets are records per copy (first, second) and act type."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    region: str | None = Field(default=None, max_length=100)
    targets: dict[CopyKind, dict[ActType, int]] = {}
    target_date: date | None = None

    @field_validator("targets")
    @classmethod
    def _whole_and_not_negative(cls, value: dict[CopyKind, dict[str, int]]) -> dict[CopyKind, dict[str, int]]:
        for copy, by_type in value.items():
            for act_type, n in by_type.items():
                if n < 0:
                    raise ValueError(f"{copy.value} {act_type}: a target cannot be negative ({n})")
        return value

    @property
    def total_target(self) -> int:
        return sum(sum(by_type.values()) for by_type in self.targets.values())


@dataclass(frozen=True)
class OfficesFile:
    path: Path
    offices: tuple[OfficeSpec, ...]
    target_date: date | None  # the file's own default, for offices without one


# --- reading files ------------------------------------------------------------------------------------------


def read_offices_file(path: Path) -> OfficesFile:
    """Reads and checks a whole offices file (.yaml/.yml or .csv); every problem is reported with its row."""
    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".csv"}:
        raise ConfigError(f"{path}: an offices file is .yaml, .yml or .csv, not {suffix or 'without extension'}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the offices file {path}: {exc}") from exc
    read = _read_csv if suffix == ".csv" else _read_yaml
    rows, default_date, errors = read(path, text)
    offices: list[OfficeSpec] = []
    seen: dict[str, str] = {}
    for where, raw in rows:
        code = str(raw.get("code") or "").strip()
        if code and code in seen:
            errors.append(f"{where}: office {code} is already given at {seen[code]}")
            continue
        seen[code] = where
        try:
            offices.append(OfficeSpec.model_validate(raw))
        except ValidationError as exc:
            errors.extend(f"{where}: {_explain(e)}" for e in exc.errors())
    if errors:
        shown = "\n  ".join(errors[:30]) + (f"\n  ... and {len(errors) - 30} more" if len(errors) > 30 else "")
        raise ConfigError(f"invalid offices file {path}; nothing was imported. Fix these and run again:\n  {shown}")
    return OfficesFile(path, tuple(offices), default_date)


def _explain(error: Any) -> str:
    location = ".".join(str(p) for p in error["loc"] if not isinstance(p, int)) or "office"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{location}: {message} (got {error.get('input')!r})"


Rows = list[tuple[str, dict[str, Any]]]


def _read_yaml(path: Path, text: str) -> tuple[Rows, date | None, list[str]]:
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("offices"), list):
        raise ConfigError(f"{path}: expected a mapping with an 'offices:' list (see schemas/offices.yaml)")
    errors: list[str] = []
    default_date = _date_or_error(raw.get("target_date"), f"{path}, target_date", errors)
    rows: Rows = []
    for n, office in enumerate(raw["offices"], start=1):
        code = office.get("code") if isinstance(office, dict) else None
        where = f"{path.name}, office {n}" + (f" ({code})" if code else "")
        if not isinstance(office, dict):
            errors.append(f"{where}: expected a mapping of code, name, region, targets")
            continue
        rows.append((where, office))
    return rows, default_date, errors


def _read_csv(path: Path, text: str) -> tuple[Rows, date | None, list[str]]:
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in CSV_FIXED and h not in CSV_TARGETS]
    missing = [h for h in ("code", "name") if h not in header]
    if unknown or missing:
        raise ConfigError(
            f"{path}, line 1 (header): "
            + (f"unknown columns {', '.join(unknown)}; " if unknown else "")
            + (f"missing columns {', '.join(missing)}; " if missing else "")
            + f"the columns are {', '.join(CSV_FIXED)} and targets as {', '.join(CSV_TARGETS)}"
        )
    reader.fieldnames = header
    rows: Rows = []
    errors: list[str] = []
    for line in reader:
        where = f"{path.name}, line {reader.line_num}" + (f" ({line['code']})" if line.get("code") else "")
        if None in line:  # more cells than columns
            errors.append(f"{where}: {len(line[None])} cells more than the header has")  # type: ignore[index]
            continue
        office: dict[str, Any] = {"code": line.get("code") or "", "name": line.get("name") or ""}
        if line.get("region"):
            office["region"] = line["region"]
        if line.get("target_date"):
            office["target_date"] = line["target_date"].strip()
        targets: dict[str, dict[str, str]] = {}
        for column in CSV_TARGETS:
            cell = (line.get(column) or "").strip().replace(" ", "").replace(",", "")
            if cell:
                copy, act_type = column.split("_", 1)
                targets.setdefault(copy, {})[act_type] = cell
        office["targets"] = targets
        rows.append((where, office))
    return rows, None, errors


def _date_or_error(value: object, where: str, errors: list[str]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{where}: {value!r} is not a date (write it as 2027-12-31)")
        return None


@lru_cache(maxsize=8)
def _cached_file(path: Path, mtime_ns: int, size: int) -> OfficesFile:
    return read_offices_file(path)


def offices_file(path: Path) -> OfficesFile:
    """The offices file, read again only when it changes."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigError(f"cannot read the offices file {path}: {exc}") from exc
    return _cached_file(path, stat.st_mtime_ns, stat.st_size)


# --- the database -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]


def import_offices(session: Session, source: OfficesFile) -> ImportResult:
    """Adds or updates every office of the file; an office's targets become exactly those of the file."""
    codes = [s.code for s in source.offices]
    existing = {o.code: o for o in session.scalars(select(Office).where(Office.code.in_(codes)))}
    added, updated = [], []
    for spec in source.offices:
        office = existing.get(spec.code)
        if office is None:
            office = Office(code=spec.code, name=spec.name)
            session.add(office)
            added.append(spec.code)
        else:
            updated.append(spec.code)
        office.name, office.region = spec.name, spec.region
        office.target_date = spec.target_date or source.target_date
        office.targets.clear()
        session.flush()  # the old targets go before the new ones (same keys) come in
        office.targets.extend(
            OfficeTarget(office=spec.code, copy=copy, act_type=act_type, records=n)
            for copy, by_type in spec.targets.items()
            for act_type, n in by_type.items()
        )
        session.flush()
    return ImportResult(added, updated)


@dataclass(frozen=True)
class RemovedOffice:
    code: str
    targets: int  # target rows deleted with the office
    books: int  # books of the office, kept


def remove_office(session: Session, code: str, *, force: bool = False) -> RemovedOffice:
    """Deletes an imported office and its targets. Its books and records are never touched; while it has books
    the removal is refused unless ``force``, as they would then count against no target (or the file's)."""
    office = session.get(Office, code)
    if office is None:
        raise NotFound(
            f"no office {code} in the database: only offices imported with `archive offices import` can be removed "
            "(`archive offices list` shows where each office comes from; the offices file's are changed in the file)"
        )
    books = session.scalar(select(func.count()).select_from(Book).where(Book.office == code)) or 0
    if books and not force:
        raise ConfigError(
            f"office {code} has {books} book(s); run again with --force to remove the office and its targets anyway "
            "(its books and records are kept)"
        )
    targets = len(office.targets)
    session.delete(office)
    session.flush()
    return RemovedOffice(code, targets, books)


@dataclass(frozen=True)
class PlannedOffice:
    """An office as the figures use it, from the database when imported, else from the offices file."""

    code: str
    name: str
    region: str | None
    targets: dict[str, dict[str, int]]
    target_date: date | None  # None: the default target date applies
    source: str  # "database" or the offices file's name

    @property
    def total_target(self) -> int:
        return sum(sum(by_type.values()) for by_type in self.targets.values())


def office_plan(session: Session, path: Path) -> list[PlannedOffice]:
    """The offices file's offices in its order (each replaced by its imported version if any), then the offices
    only imported, by code."""
    shipped = offices_file(path)
    imported = {o.code: o for o in session.scalars(select(Office))}
    plan: list[PlannedOffice] = []
    for spec in shipped.offices:
        office = imported.pop(spec.code, None)
        if office is not None:
            plan.append(_from_database(office))
        else:
            targets: dict[str, dict[str, int]] = {  # act types as plain strings, as the database gives them
                c.value: {a: n for a, n in t.items()} for c, t in spec.targets.items()
            }
            plan.append(PlannedOffice(spec.code, spec.name, spec.region, targets, spec.target_date, path.name))
    return plan + [_from_database(imported[c]) for c in sorted(imported)]


def _from_database(office: Office) -> PlannedOffice:
    targets: dict[str, dict[str, int]] = {}
    for t in office.targets:
        targets.setdefault(t.copy.value, {})[t.act_type] = t.records
    return PlannedOffice(office.code, office.name, office.region, targets, office.target_date, "database")


def default_target_date(today: date) -> date:
    return date(today.year + 1, 12, 31)


def target_dates(path: Path, today: date, plan: list[PlannedOffice] | None = None) -> tuple[date, dict[str, date]]:
    """The default target date (the offices file's `target_date:`, else the end of next year) and each office's own
    (per office in the file or imported)."""
    shipped = offices_file(path)
    default = shipped.target_date or default_target_date(today)
    if plan is None:
        per_office = {o.code: o.target_date for o in shipped.offices if o.target_date is not None}
    else:
        per_office = {o.code: o.target_date for o in plan if o.target_date is not None}
    return default, per_office
