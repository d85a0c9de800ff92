"""Calibration's file side: reads the thresholds in use, writes the calibrated ones and the summary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import Settings
from pipeline.forms.catalogue import Catalogue
from pipeline.qa.calibration import Choice, FieldSample, flagged_only_by_batch, rewrite_thresholds_yaml
from pipeline.qa.thresholds import Thresholds


def thresholds_path(settings: Settings) -> Path:
    """The thresholds file the flow reads (the same rule as flows.runtime.page_context)."""
    return settings.thresholds_file or settings.schemas_dir / "thresholds.yaml"


def value_types(catalogue: Catalogue) -> dict[tuple[str, str], str]:
    return {(form_id, spec.key): spec.type for form_id, form in catalogue.forms.items() for spec in form.fields}


@dataclass(frozen=True)
class CalibrationRun:
    """What a calibration saw and chose."""

    choices: tuple[Choice, ...]
    samples: tuple[FieldSample, ...]
    pages: Mapping[str, int]  # pages with ground truth per profile (folder name)
    target: float
    min_support: int

    @property
    def chosen(self) -> dict[str, float]:
        return {c.value_type: c.threshold for c in self.choices}

    def header(self) -> list[str]:
        profiles = ", ".join(f"{name} {n}" for name, n in self.pages.items())
        return [
            f"calibrated: {date.today().isoformat()} by `archive calibrate` on {sum(self.pages.values())} pages with "
            f"ground truth ({profiles}),",
            f"calibrated: {len(self.samples)} read fields; value_types = the lowest score at which the 95 % Wilson",
            f"calibrated: upper bound of the error rate among auto-accepted fields is <= {self.target:.2%} "
            f"(at least {self.min_support} fields);",
            "calibrated: types without enough evidence keep their previous value, raised past any error seen at it;",
            "calibrated: overrides, page gates and score weights are not calibrated.",
        ]

    def to_dict(self, thresholds: Thresholds) -> dict[str, Any]:
        eligible_total = sum(c.fields for c in self.choices)
        return {
            "target": self.target,
            "min_support": self.min_support,
            "pages": dict(self.pages),
            "fields": len(self.samples),
            "choices": [c.to_dict() for c in self.choices],
            "fields_in_value_types": eligible_total,
            "flagged_only_by_book_or_rule_checks": flagged_only_by_batch(self.samples, self.chosen, thresholds),
        }


def write_thresholds(path: Path, run: CalibrationRun) -> Thresholds:
    """Rewrites ``path`` with the chosen value-type thresholds; refuses to write a file the loader rejects."""
    text = rewrite_thresholds_yaml(path.read_text(encoding="utf-8"), run.chosen, run.header())
    validated = Thresholds.model_validate(yaml.safe_load(text))  # raises before anything is written
    path.write_text(text, encoding="utf-8")
    return validated


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f} %"


def summary_markdown(run: CalibrationRun, thresholds: Thresholds) -> str:
    """A README-ready table of the calibration."""
    data = run.to_dict(thresholds)
    lines = [
        f"Calibrated on {sum(run.pages.values())} pages ("
        + ", ".join(f"{n} {name}" for name, n in run.pages.items())
        + f"), {len(run.samples)} read fields, target {run.target:.2%} errors among auto-accepted fields "
        f"(95 % Wilson upper bound), at least {run.min_support} fields per threshold.",
        "",
        "| type | fields | threshold (was) | auto share | errors among auto | Wilson upper | status |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for c in run.choices:
        lines.append(
            f"| {c.value_type} | {c.fields} | {c.threshold:g} ({c.previous:g}) | {_pct(c.auto_share)} | "
            f"{c.auto_errors} of {c.auto} ({_pct(c.error_rate, 2)}) | {_pct(c.wilson_upper, 2)} | {c.status} |"
        )
    lines += [
        "",
        f"Fields that would be auto-accepted but are flagged only by book checks or cross-field rules: "
        f"{data['flagged_only_by_book_or_rule_checks']} (not calibrated on).",
    ]
    return "\n".join(lines) + "\n"


def write_summary(path: Path, run: CalibrationRun, thresholds: Thresholds) -> tuple[Path, Path]:
    """``path`` as JSON and the same name with ``.md`` as markdown."""
    json_path = path.with_suffix(".json")
    md_path = path.with_suffix(".md")
    json_path.write_text(json.dumps(run.to_dict(thresholds), ensure_ascii=False, indent=2), encoding="utf-8")
    md_path.write_text(summary_markdown(run, thresholds), encoding="utf-8")
    return json_path, md_path
