"""Accept-or-review thresholds and score weights, loaded from YAML (schemas/thresholds.yaml) and validated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import ConfigError
from pipeline.forms.catalogue import ValueType


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Override(_Frozen):
    """A threshold for one field key, optionally only on one form, or for a value type on one form."""

    form: str | None = None
    field: str | None = None
    value_type: ValueType | None = None
    threshold: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _names_something(self) -> Override:
        if self.field is None and self.value_type is None:
            raise ValueError("an override names a field or a value_type (and optionally a form)")
        if self.field is not None and self.value_type is not None:
            raise ValueError("an override names a field or a value_type, not both")
        return self

    @property
    def specificity(self) -> int:
        """Field beats value type; naming the form beats not naming it."""
        return (2 if self.field is not None else 0) + (1 if self.form is not None else 0)

    def applies(self, form_id: str, key: str, value_type: str) -> bool:
        if self.form is not None and self.form != form_id:
            return False
        return self.field == key if self.field is not None else self.value_type == value_type


class ScoreWeights(_Frozen):
    """How the evidence beside the engine's confidence moves a field's score (see pipeline.ocr.fields)."""

    parse_failed: float = Field(ge=0.0, le=1.0, description="factor when the text does not parse")
    not_in_lexicon: float = Field(ge=0.0, le=1.0, description="factor for a name or nationality not known")
    doubtful_parse: float = Field(ge=0.0, le=1.0, description="factor for a value parsed by guessing")
    look_alike_rival: float = Field(
        ge=0.0, le=1.0, description="factor for a known value that another listed spelling may have been misread as"
    )
    lexicon_match: float = Field(
        ge=0.0, le=1.0, description="share of the engine's doubt removed for a known value without such a rival"
    )
    local_place_match: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="share of the engine's doubt removed for a place whose only unlisted words are a village or "
        "street name that cannot hide a lost Tajik letter",
    )
    page_quality_weight: float = Field(ge=0.0, le=1.0, description="score x (1 - w (1 - page quality)^2)")
    alignment_weight: float = Field(ge=0.0, le=1.0, description="score x (1 - w (1 - alignment score)^2)")
    blank_ink_penalty: float = Field(
        ge=0.0, le=1.0, description="a blank field's score drops by this times its ink share of a written stroke"
    )
    word_minimum_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="the engine's confidence is (1 - w) x the mean of its words + w x the least sure word",
    )
    confirm_types: tuple[ValueType, ...] = Field(
        default=(), description="value types whose readings in the confirm band are read again from other images"
    )
    confirm_band: tuple[float, float] = Field(
        default=(1.0, 1.0),
        description="scores from the first up to (not including) the second are confirmed; fixed, not the "
        "thresholds, so that a calibration sees the scores the flow will give",
    )
    confirm_weight: float = Field(
        default=0.0, ge=0.0, le=1.0, description="share of the doubt removed when every second reading agrees"
    )

    settle_rivals: bool = Field(
        default=False,
        description="a name with a look-alike rival that reads the same from four other looks loses the rival",
    )

    @model_validator(mode="after")
    def _band_in_order(self) -> ScoreWeights:
        low, high = self.confirm_band
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"confirm_band must be two scores in [0, 1], the lower first, not {self.confirm_band}")
        return self


class Thresholds(_Frozen):
    """Per value type thresholds with overrides, the page gates and the score weights."""

    version: int
    value_types: dict[ValueType, float]
    overrides: tuple[Override, ...] = ()
    min_page_quality: float = Field(ge=0.0, le=1.0)
    min_alignment: float = Field(ge=0.0, le=1.0)
    score: ScoreWeights

    @model_validator(mode="after")
    def _every_type(self) -> Thresholds:
        missing = sorted(set(get_args(ValueType)) - set(self.value_types))
        if missing:
            raise ValueError(f"value_types lacks a threshold for {', '.join(missing)}")
        bad = {k: v for k, v in self.value_types.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ValueError(f"thresholds must lie in [0, 1]: {bad}")
        return self

    def threshold(self, form_id: str, key: str, value_type: str) -> float:
        """The most specific override that applies, else the value type's threshold."""
        matching = [o for o in self.overrides if o.applies(form_id, key, value_type)]
        if matching:
            return max(matching, key=lambda o: o.specificity).threshold
        try:
            return self.value_types[value_type]  # type: ignore[index]
        except KeyError:
            raise ConfigError(f"no threshold for value type {value_type!r} (field {key!r})") from None


@lru_cache(maxsize=8)
def _load(path: Path, modified_ns: int) -> Thresholds:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read thresholds file {path}: {exc}") from exc
    try:
        return Thresholds.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid thresholds file {path}: {exc}") from exc


def load_thresholds(path: Path) -> Thresholds:
    """Reads and validates a thresholds file; re-read when the file changes (a calibration rewrote it)."""
    try:
        modified_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"thresholds file {path} not found: {exc}") from exc
    return _load(path, modified_ns)
