"""Cross-field rules on one record (dates, ages, sex against name endings and roles, required fields), from
schemas/rules.yaml; a failed rule adds its code to the fields it concerns and flags them. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.config import PROJECT_ROOT
from pipeline.errors import ConfigError
from pipeline.ocr.lexicon import Lexicon
from pipeline.qa.decide import record_status
from pipeline.types import FieldState, RecordReading

Severity = Literal["error", "warning", "info"]
Sex = Literal["male", "female"]
NameKind = Literal["surname", "given_name", "patronymic"]

REGISTRATION_BEFORE_EVENT = "registration_before_event"
PARENT_AGE_IMPLAUSIBLE = "parent_age_implausible"
DEATH_BEFORE_BIRTH = "death_before_birth"
MARRIAGE_UNDER_AGE = "marriage_under_age"
SEX_NAME_MISMATCH = "sex_name_mismatch"
SEX_ROLE_MISMATCH = "sex_role_mismatch"
REQUIRED_MISSING = "required_missing"

# roles whose sex the role itself says (father, groom: men; mother, bride: women)
ROLE_SEX: Mapping[str, Sex] = {"father": "male", "groom": "male", "mother": "female", "bride": "female"}
# roles with a sex field of their own
SEXED_ROLES = ("child", "deceased")
_NAME_FIELDS: tuple[tuple[str, NameKind], ...] = (
    ("surname", "surname"),
    ("surname_before", "surname"),
    ("surname_after", "surname"),
    ("name", "given_name"),
    ("patronymic", "patronymic"),
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Rule(_Frozen):
    enabled: bool = True
    severity: Severity = "error"


class RegistrationRule(Rule):
    event_date: dict[str, str]  # act type -> the field holding the event's date


class ParentAgeRule(Rule):
    min_years: int = Field(ge=0)
    max_years: int = Field(ge=0)


class MarriageMinimum(_Frozen):
    from_year: int | None = Field(default=None, alias="from")
    to_year: int | None = Field(default=None, alias="to")
    groom: int
    bride: int

    def covers(self, year: int) -> bool:
        return (self.from_year is None or year >= self.from_year) and (self.to_year is None or year <= self.to_year)


class MarriageAgeRule(Rule):
    minimum: tuple[MarriageMinimum, ...]

    def minimum_for(self, year: int, role: str) -> int | None:
        row = next((m for m in self.minimum if m.covers(year)), None)
        return None if row is None else (row.groom if role == "groom" else row.bride)


class RequiredRule(Rule):
    fields: dict[str, tuple[str, ...]]  # act type -> field keys


class Rules(_Frozen):
    registration_before_event: RegistrationRule
    parent_age_implausible: ParentAgeRule
    death_before_birth: Rule
    marriage_under_age: MarriageAgeRule
    sex_name_mismatch: Rule
    sex_role_mismatch: Rule
    required_missing: RequiredRule


class SexEndings(_Frozen):
    male: tuple[str, ...]
    female: tuple[str, ...]


class SequenceSettings(_Frozen):
    flag_gaps: bool = True
    flag_repeats: bool = True
    flag_out_of_order: bool = True


class ReconcileSettings(_Frozen):
    event_date_days: int = Field(default=5, ge=0)
    never_compared: tuple[str, ...] = ("marks",)


class AuditSettings(_Frozen):
    share: float = Field(default=0.03, gt=0.0, le=1.0)
    target_error: float = Field(default=0.005, gt=0.0, lt=1.0)
    raise_factor: float = Field(default=2.0, ge=1.0)
    max_share: float = Field(default=0.25, gt=0.0, le=1.0)
    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)
    seed: str = "archive-audit"


class RuleSet(_Frozen):
    version: int
    warning_below_confidence: float = Field(ge=0.0, le=1.0)
    rules: Rules
    sex_endings: dict[Literal["patronymic", "surname"], SexEndings]
    sequence: SequenceSettings = SequenceSettings()
    reconcile: ReconcileSettings = ReconcileSettings()
    audit: AuditSettings = AuditSettings()


@dataclass(frozen=True)
class Violation:
    """A failed rule: its code, how serious, and the fields it concerns (in the record's keys)."""

    code: str
    severity: Severity
    fields: tuple[str, ...]


@lru_cache(maxsize=8)
def _load(path: Path, modified_ns: int) -> RuleSet:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read rules file {path}: {exc}") from exc
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid rules file {path}: {exc}") from exc


def load_rules(path: Path) -> RuleSet:
    """Reads and validates a rules file; read again when the file changes."""
    try:
        modified_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"rules file {path} not found: {exc}") from exc
    return _load(path, modified_ns)


def default_rules() -> RuleSet:
    """The rules shipped in the package's schemas folder."""
    return load_rules(PROJECT_ROOT / "schemas" / "rules.yaml")


# --- names and sex ----------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _given_name_sex(lexicon: Lexicon) -> Mapping[str, Sex]:
    """Folded given name -> sex, for names listed for one sex only (a unisex name tells nothing)."""
    male = {lexicon.fold(n) for n in lexicon.given_names_male}
    female = {lexicon.fold(n) for n in lexicon.given_names_female}
    sexes: dict[str, Sex] = {n: "male" for n in male - female}
    sexes.update({n: "female" for n in female - male})
    return sexes


def name_sex(kind: NameKind, word: str, rules: RuleSet, lexicon: Lexicon) -> Sex | None:
    """The sex a name part tells: endings for surnames and patronymics, the lexicon for given names."""
    folded = lexicon.fold(word).strip(" .")
    if not folded:
        return None
    if kind == "given_name":
        return _given_name_sex(lexicon).get(folded)
    endings = rules.sex_endings.get(kind)
    if endings is None:
        return None
    candidates = [(lexicon.fold(e), "male") for e in endings.male]
    candidates += [(lexicon.fold(e), "female") for e in endings.female]
    for ending, sex in sorted(candidates, key=lambda c: len(c[0]), reverse=True):
        # a stem of two letters at least: 'Ов' alone is no surname
        if folded.endswith(ending) and len(folded) >= len(ending) + 2:
            return sex  # type: ignore[return-value]
    return None


def name_parts(values: Mapping[str, str | None], role: str) -> list[tuple[str, NameKind, str]]:
    """(field key, kind, word) of every name part of a role; a full name is split as surname, name, patronymic."""
    parts: list[tuple[str, NameKind, str]] = []
    for suffix, kind in _NAME_FIELDS:
        key = f"{role}_{suffix}"
        value = values.get(key)
        if value:
            parts.append((key, kind, value))
    full_key = f"{role}_full_name"
    words = (values.get(full_key) or "").split()
    kinds: tuple[NameKind, ...] = ("surname", "given_name", "patronymic")
    for kind, word in zip(kinds, [*words[:2], " ".join(words[2:])], strict=False):
        if word:
            parts.append((full_key, kind, word))
    return parts


def _contradicting(
    values: Mapping[str, str | None], role: str, sex: Sex, rules: RuleSet, lexicon: Lexicon
) -> tuple[str, ...]:
    parts = name_parts(values, role)
    keys = [key for key, kind, word in parts if name_sex(kind, word, rules, lexicon) not in (None, sex)]
    return tuple(dict.fromkeys(keys))


# --- dates ------------------------------------------------------------------------------------------------


def _date(values: Mapping[str, str | None], key: str) -> date | None:
    value = values.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def full_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- the rules --------------------------------------------------------------------------------------------


def check_record(
    values: Mapping[str, str | None], act_type: str, rules: RuleSet, lexicon: Lexicon
) -> tuple[Violation, ...]:
    """Every enabled rule that fails on these values. Rules skip values that are blank or not parsed: those
    fields are flagged already, and a rule cannot say anything about them."""
    cfg = rules.rules
    found: list[Violation] = []

    def fail(rule: Rule, code: str, *fields: str) -> None:
        found.append(Violation(code=code, severity=rule.severity, fields=tuple(dict.fromkeys(fields))))

    registered = _date(values, "registration_date")
    if cfg.registration_before_event.enabled:
        event_key = cfg.registration_before_event.event_date.get(act_type)
        event = _date(values, event_key) if event_key else None
        if registered and event and registered < event:
            fail(cfg.registration_before_event, REGISTRATION_BEFORE_EVENT, "registration_date", event_key or "")
    child_born = _date(values, "child_birth_date")
    if cfg.parent_age_implausible.enabled and act_type == "birth" and child_born:
        rule = cfg.parent_age_implausible
        for parent in ("father", "mother"):
            parent_born = _date(values, f"{parent}_birth_date")
            if parent_born and not rule.min_years <= full_years(parent_born, child_born) <= rule.max_years:
                fail(rule, PARENT_AGE_IMPLAUSIBLE, f"{parent}_birth_date", "child_birth_date")
    if cfg.death_before_birth.enabled and act_type == "death":
        born, died = _date(values, "deceased_birth_date"), _date(values, "death_date")
        if born and died and died < born:
            fail(cfg.death_before_birth, DEATH_BEFORE_BIRTH, "deceased_birth_date", "death_date")
    if cfg.marriage_under_age.enabled and act_type == "marriage" and registered:
        for spouse in ("groom", "bride"):
            born = _date(values, f"{spouse}_birth_date")
            minimum = cfg.marriage_under_age.minimum_for(registered.year, spouse)
            if born and minimum is not None and full_years(born, registered) < minimum:
                fail(cfg.marriage_under_age, MARRIAGE_UNDER_AGE, f"{spouse}_birth_date", "registration_date")
    if cfg.sex_name_mismatch.enabled:
        for role in SEXED_ROLES:
            sex = values.get(f"{role}_sex")
            if sex in ("male", "female"):
                against = _contradicting(values, role, sex, rules, lexicon)  # type: ignore[arg-type]
                if against:
                    fail(cfg.sex_name_mismatch, SEX_NAME_MISMATCH, f"{role}_sex", *against)
    if cfg.sex_role_mismatch.enabled:
        for role, sex in ROLE_SEX.items():
            against = _contradicting(values, role, sex, rules, lexicon)
            if against:
                fail(cfg.sex_role_mismatch, SEX_ROLE_MISMATCH, *against)
    if cfg.required_missing.enabled:
        for key in cfg.required_missing.fields.get(act_type, ()):
            if key in values and not values[key]:
                fail(cfg.required_missing, REQUIRED_MISSING, key)
    return tuple(found)


def apply_rules(reading: RecordReading, act_type: str, rules: RuleSet, lexicon: Lexicon) -> RecordReading:
    """The record with each failed rule's code added to its fields: an error flags them, a warning flags them
    when one was read with low confidence, an info is a note; the record's status follows its fields."""
    values = {f.key: f.value for f in reading.fields}
    by_key = {f.key: f for f in reading.fields}
    added: dict[str, list[str]] = {}
    flag: set[str] = set()
    for violation in check_record(values, act_type, rules, lexicon):
        concerned = [by_key[k] for k in violation.fields if k in by_key]
        for f in concerned:
            added.setdefault(f.key, []).append(violation.code)
        doubtful = any(f.confidence < rules.warning_below_confidence for f in concerned)
        if violation.severity == "error" or (violation.severity == "warning" and doubtful):
            flag.update(f.key for f in concerned)
    if not added:
        return reading
    fields = tuple(
        replace(
            f,
            reasons=(*f.reasons, *(c for c in dict.fromkeys(added[f.key]) if c not in f.reasons)),
            state=FieldState.FLAGGED if f.key in flag and f.state == FieldState.AUTO else f.state,
        )
        if f.key in added
        else f
        for f in reading.fields
    )
    return replace(reading, fields=fields, status=record_status(fields))
