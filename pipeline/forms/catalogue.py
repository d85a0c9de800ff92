"""Loads and validates the form templates (one YAML file per form) and the shared value types."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import ConfigError

ValueType = Literal["number", "date", "name", "full_name", "sex", "text", "place"]
ActType = Literal["birth", "death", "marriage", "divorce"]


class FieldSpec(BaseModel):
    """One field of a form: its key (the export key), value type, labels and box in millimetres."""

    model_config = ConfigDict(frozen=True)

    key: str
    type: ValueType
    label_ru: str
    label_tg: str | None = None
    required: bool
    box: tuple[float, float, float, float] = Field(description="x, y, width, height in mm")


class PrintedText(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    x: float
    y: float
    size_pt: float
    bold: bool = False
    anchor: Literal["left", "center"] = "left"
    wrap_mm: float | None = None


class RuledLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y2) < 1e-6


class FormTemplate(BaseModel):
    """A printed form. Geometry is given for slot 0; slot ``i`` is shifted down by ``slot_offset_mm[i]``."""

    model_config = ConfigDict(frozen=True)

    form_id: str
    act_type: ActType
    languages: tuple[str, ...]
    years: tuple[int | None, int | None]
    page_mm: tuple[float, float]
    records_per_page: int = 1
    slot_offset_mm: tuple[float, ...] = (0.0,)
    title: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    texts: tuple[PrintedText, ...]
    lines: tuple[RuledLine, ...]

    @model_validator(mode="after")
    def _slots_match(self) -> FormTemplate:
        if len(self.slot_offset_mm) != self.records_per_page:
            raise ValueError(
                f"form {self.form_id}: {self.records_per_page} records per page but "
                f"{len(self.slot_offset_mm)} slot offsets"
            )
        keys = [f.key for f in self.fields]
        if len(keys) != len(set(keys)):
            raise ValueError(f"form {self.form_id}: duplicate field keys")
        return self

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(f"form {self.form_id} has no field {key!r}")

    @property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def field_box_mm(self, spec: FieldSpec, slot: int) -> tuple[float, float, float, float]:
        x, y, w, h = spec.box
        return x, y + self.slot_offset_mm[slot], w, h


class Catalogue(BaseModel):
    """All known forms and the value-type descriptions shared by them."""

    model_config = ConfigDict(frozen=True)

    version: int
    value_types: dict[str, str]
    empty_value: str
    font: str
    bold_font: str
    forms: dict[str, FormTemplate]

    def form(self, form_id: str) -> FormTemplate:
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms))
            raise ConfigError(f"unknown form {form_id!r}; known forms: {known}") from None


def _read_yaml(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is not a mapping")
    return data


@lru_cache(maxsize=4)
def load_catalogue(forms_dir: Path) -> Catalogue:
    """Reads ``catalogue.yaml`` and every ``<form_id>.yaml`` beside it."""
    meta = _read_yaml(forms_dir / "catalogue.yaml")
    forms: dict[str, FormTemplate] = {}
    for path in sorted(forms_dir.glob("*.yaml")):
        if path.name == "catalogue.yaml":
            continue
        raw = _read_yaml(path)
        try:
            template = FormTemplate.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"invalid form template {path}: {exc}") from exc
        if template.form_id != path.stem:
            raise ConfigError(f"{path}: form_id {template.form_id!r} differs from the file name")
        forms[template.form_id] = template
    printing = meta.get("printing") or {}
    if not isinstance(printing, dict):
        raise ConfigError(f"{forms_dir / 'catalogue.yaml'}: printing must be a mapping")
    try:
        return Catalogue(
            version=int(str(meta["version"])),
            value_types=meta["value_types"],  # type: ignore[arg-type]
            empty_value=str(meta["empty_value"]),
            font=str(printing.get("font", "DejaVu Serif")),
            bold_font=str(printing.get("bold_font", "DejaVu Serif Bold")),
            forms=forms,
        )
    except (KeyError, ValidationError) as exc:
        raise ConfigError(f"invalid {forms_dir / 'catalogue.yaml'}: {exc}") from exc
