"""Accept-or-review: thresholds from YAML (validated, overridden per form and field) and the decision rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from pipeline.config import PROJECT_ROOT
from pipeline.errors import ConfigError
from pipeline.qa.decide import REASONS, decide_field, page_reasons, record_status
from pipeline.qa.thresholds import Thresholds, load_thresholds
from pipeline.types import FieldReading, FieldState, PageQuality, RecordStatus

DEFAULT_FILE = PROJECT_ROOT / "schemas" / "thresholds.yaml"
VALUE_TYPES = ("number", "date", "name", "full_name", "sex", "text", "place")


def _write(tmp_path: Path, data: dict[str, object], name: str = "thresholds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _valid() -> dict[str, object]:
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


def _quality(score: float) -> PageQuality:
    return PageQuality(blur=500.0, contrast=0.8, darkness=0.05, score=score)


def _field(state: FieldState) -> FieldReading:
    return FieldReading(key="k", value_type="text", raw_text="x", value="x", confidence=0.9, state=state)


def test_the_shipped_thresholds_are_valid_and_conservative() -> None:
    thresholds = load_thresholds(DEFAULT_FILE)
    assert set(thresholds.value_types) == set(VALUE_TYPES)
    # Tesseract's confidence of a clean read is about 0.96: nothing below 0.9 is accepted unseen
    assert all(0.9 <= value <= 1.0 for value in thresholds.value_types.values())
    assert thresholds.threshold("birth_tj_2010", "marks", "text") > thresholds.value_types["text"]


def test_overrides_take_the_most_specific_rule(tmp_path: Path) -> None:
    data = _valid()
    data["overrides"] = [
        {"value_type": "name", "form": "birth_su_1970", "threshold": 0.97},
        {"field": "child_name", "threshold": 0.98},
        {"field": "child_name", "form": "birth_su_1970", "threshold": 0.99},
    ]
    thresholds = load_thresholds(_write(tmp_path, data))
    assert thresholds.threshold("birth_su_1970", "child_name", "name") == 0.99
    assert thresholds.threshold("birth_tj_2010", "child_name", "name") == 0.98
    assert thresholds.threshold("birth_su_1970", "mother_name", "name") == 0.97
    assert thresholds.threshold("birth_tj_2010", "mother_name", "name") == thresholds.value_types["name"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["value_types"].pop("date"), "lacks a threshold for date"),
        (lambda d: d["value_types"].update(name=1.5), "must lie in"),
        (lambda d: d.update(overrides=[{"threshold": 0.9}]), "names a field or a value_type"),
        (lambda d: d.update(overrides=[{"field": "x", "value_type": "name", "threshold": 0.9}]), "not both"),
        (lambda d: d["score"].pop("parse_failed"), "parse_failed"),
        (lambda d: d.update(min_page_quality=-1), "min_page_quality"),
        (lambda d: d.update(surprise=1), "surprise"),
    ],
)
def test_an_invalid_thresholds_file_is_a_config_error_naming_it(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _valid()
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError, match=message) as raised:
        load_thresholds(path)
    assert str(path) in str(raised.value)


def test_a_missing_or_broken_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_thresholds(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("value_types: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_thresholds(broken)


def test_a_rewritten_file_is_read_again(tmp_path: Path) -> None:
    data = _valid()
    path = _write(tmp_path, data)
    assert load_thresholds(path).value_types["sex"] == data["value_types"]["sex"]  # type: ignore[index]
    data["value_types"]["sex"] = 0.99  # type: ignore[index]
    _write(tmp_path, data)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_thresholds(path).value_types["sex"] == 0.99


@pytest.mark.parametrize(
    ("score", "threshold", "reasons", "state", "expected"),
    [
        (0.96, 0.95, (), FieldState.AUTO, ()),
        (0.95, 0.95, (), FieldState.AUTO, ()),  # at the threshold is enough
        (0.94, 0.95, (), FieldState.FLAGGED, ("low_confidence",)),
        (0.99, 0.95, ("parse_failed",), FieldState.FLAGGED, ("parse_failed",)),
        (0.99, 0.95, ("not_in_lexicon",), FieldState.FLAGGED, ("not_in_lexicon",)),
        (0.99, 0.95, ("blank_required",), FieldState.FLAGGED, ("blank_required",)),
        (
            0.99,
            0.95,
            ("poor_alignment", "low_page_quality"),
            FieldState.FLAGGED,
            ("low_page_quality", "poor_alignment"),
        ),
        (0.0, 0.95, ("ocr_failed",), FieldState.FLAGGED, ("ocr_failed",)),
        (
            0.5,
            0.95,
            ("low_page_quality", "not_in_lexicon"),
            FieldState.FLAGGED,
            ("not_in_lexicon", "low_confidence", "low_page_quality"),
        ),
    ],
)
def test_a_field_is_auto_only_at_its_threshold_with_nothing_against_it(
    score: float, threshold: float, reasons: tuple[str, ...], state: FieldState, expected: tuple[str, ...]
) -> None:
    assert decide_field(score, threshold, reasons) == (state, expected)


def test_reasons_come_from_the_known_list() -> None:
    assert set(REASONS) == {
        "low_confidence",
        "parse_failed",
        "not_in_lexicon",
        "blank_required",
        "ocr_failed",
        "low_page_quality",
        "poor_alignment",
    }
    with pytest.raises(ValueError, match="unknown review reasons"):
        decide_field(0.99, 0.9, ("looks_odd",))


def test_page_gates(tmp_path: Path) -> None:
    thresholds = Thresholds.model_validate(_valid())
    good = page_reasons(thresholds, _quality(thresholds.min_page_quality), thresholds.min_alignment)
    bad = page_reasons(thresholds, _quality(thresholds.min_page_quality - 0.01), thresholds.min_alignment - 0.01)
    assert good == ()
    assert bad == ("low_page_quality", "poor_alignment")


def test_a_record_is_auto_verified_only_when_every_field_is_auto() -> None:
    assert record_status([_field(FieldState.AUTO)] * 3) == RecordStatus.AUTO_VERIFIED
    assert record_status([_field(FieldState.AUTO), _field(FieldState.FLAGGED)]) == RecordStatus.NEEDS_REVIEW
    assert record_status([]) == RecordStatus.NEEDS_REVIEW
