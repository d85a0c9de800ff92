"""Chooses accept-or-review thresholds per value type from fields with ground truth, and rewrites the YAML. Pure.

A threshold is safe when the fields that would be auto-accepted at it (score at or above it, nothing else
against them) are wrong at a rate whose 95 % Wilson upper bound stays within the target: the bound, not the
raw rate, so that a few hundred lucky fields cannot talk a threshold down. The lowest safe threshold is
chosen, because every step down is reviewer work saved.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.qa.decide import LOW_CONFIDENCE, REASONS
from pipeline.qa.thresholds import Thresholds

Z_95 = 1.959963984540054  # two-sided 95 %
DEFAULT_TARGET = 0.005
DEFAULT_MIN_SUPPORT = 100
# No type is accepted unseen below this score, whatever the evidence: a known name vouched for by the lexicon
# scores 0.8 or more even when the engine could barely read it, and the engine should still have its say.
DEFAULT_FLOOR = 0.9
FLOORED = "floored"

CALIBRATED = "calibrated"
TOO_LITTLE_DATA = "too_little_data"
TARGET_NOT_MET = "target_not_met"
RAISED = "raised_past_errors"

# reasons a field carries from reading it (decide.py); anything else comes from book checks or cross-field
# rules, which depend on how the pages were batched, not on how well the field was read
FIELD_REASONS = frozenset(REASONS)


@dataclass(frozen=True)
class FieldSample:
    """One recognised field with its truth: what a calibration learns from."""

    value_type: str
    form: str
    key: str
    score: float
    correct: bool
    blockers: tuple[str, ...]  # field-level reasons that flag it whatever the threshold
    other_reasons: tuple[str, ...]  # book-check and cross-field reasons: counted, not calibrated on
    profile: str = ""

    @property
    def eligible(self) -> bool:
        """Would be auto-accepted at a threshold at or below its score."""
        return not self.blockers


@dataclass(frozen=True)
class Choice:
    """The threshold chosen for one value type and what it gives on the calibration fields."""

    value_type: str
    fields: int  # every scored field of the type (blocked ones too)
    eligible: int  # fields nothing but the score stands against
    previous: float
    threshold: float
    status: str
    auto: int  # fields auto-accepted at the threshold
    auto_errors: int
    wilson_upper: float | None

    @property
    def auto_share(self) -> float | None:
        return self.auto / self.fields if self.fields else None

    @property
    def error_rate(self) -> float | None:
        return self.auto_errors / self.auto if self.auto else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "auto_share": self.auto_share, "error_rate": self.error_rate}


def wilson_upper(errors: int, n: int, z: float = Z_95) -> float:
    """Upper end of the Wilson score interval for a rate of ``errors`` in ``n`` (1.0 when n is 0)."""
    if n <= 0:
        return 1.0
    if not 0 <= errors <= n:
        raise ValueError(f"errors must lie in [0, {n}], got {errors}")
    p = errors / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z2 / n))


def choose_threshold(
    scores: Sequence[float],
    correct: Sequence[bool],
    *,
    previous: float,
    target: float = DEFAULT_TARGET,
    min_support: int = DEFAULT_MIN_SUPPORT,
) -> tuple[float, str, int, int, float | None]:
    """The lowest threshold among the scores such that the fields at or above it number at least
    ``min_support`` and their error rate's Wilson upper bound is within ``target``.

    ``scores``/``correct`` are the eligible fields (nothing else against them). Returns (threshold, status,
    fields at or above it, errors among them, Wilson upper bound). When no score qualifies, ``previous`` is
    kept (with what it gives on these fields); the status says ``too_little_data`` when even an error-free
    sample of that size could not prove the target, else ``target_not_met`` (the errors were too many). When
    wrong fields score at or above ``previous``, the threshold is raised just past the highest-scoring one
    instead (``raised_past_errors``): the target is unproven there, but no error seen gets through.
    """
    if len(scores) != len(correct):
        raise ValueError("scores and correct differ in length")
    pairs = sorted(zip(scores, correct, strict=True), key=lambda p: p[0])
    n = len(pairs)
    errors_at_or_above = [0] * (n + 1)  # suffix sums: errors among pairs[i:]
    for i in range(n - 1, -1, -1):
        errors_at_or_above[i] = errors_at_or_above[i + 1] + (not pairs[i][1])
    supported = False
    i = 0
    while i < n:
        # only the first of equal scores is a candidate: a threshold cannot split fields of one score
        support = n - i
        if support < min_support:
            break
        # support that could prove the target even with no error at all
        supported = supported or wilson_upper(0, support) <= target
        bound = wilson_upper(errors_at_or_above[i], support)
        if bound <= target:
            return pairs[i][0], CALIBRATED, support, errors_at_or_above[i], bound
        score = pairs[i][0]
        while i < n and pairs[i][0] == score:
            i += 1
    fallback, status = previous, TARGET_NOT_MET if supported else TOO_LITTLE_DATA
    wrong_above = [s for s, ok in pairs if s >= previous and not ok]
    if wrong_above:
        # keeping a threshold that lets known errors through is not conservative: raise it past the
        # highest-scoring error (to the next score seen, or a step above when none is higher)
        top_error = max(wrong_above)
        fallback = next((s for s, _ in pairs if s > top_error), min(1.0, round(top_error + 0.001, 3)))
        status = RAISED
    kept = sum(1 for s, _ in pairs if s >= fallback)
    kept_errors = sum(1 for s, ok in pairs if s >= fallback and not ok)
    return fallback, status, kept, kept_errors, wilson_upper(kept_errors, kept) if kept else None


def split_reasons(
    reasons: Iterable[str], score: float, threshold_used: float
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(field-level blockers, book/rule reasons) of a field as predicted.

    ``low_confidence`` is the threshold's own verdict when the score fell short of the threshold in use; at
    or above it, it was set by the reading itself (writing cut off by the box) and blocks at any threshold.
    """
    blockers: list[str] = []
    others: list[str] = []
    for reason in reasons:
        if reason == LOW_CONFIDENCE:
            if score >= threshold_used:
                blockers.append(reason)
        elif reason in FIELD_REASONS:
            blockers.append(reason)
        else:
            others.append(reason)
    return tuple(blockers), tuple(others)


def field_samples(
    pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
    value_types: Mapping[tuple[str, str], str],
    thresholds: Thresholds,
    *,
    profile: str = "",
) -> list[FieldSample]:
    """Every truth field that was read (a predicted record in its slot with that key), with its score and
    whether the value equals the truth. ``value_types`` maps (form, key) to the field's value type."""
    samples: list[FieldSample] = []
    for truth, predicted in pairs:
        form = truth.get("form")
        if not form:
            continue
        by_slot = {int(r.get("source", {}).get("slot", r.get("slot", 0))): r for r in predicted.get("records") or []}
        for record in truth.get("records") or []:
            guess = by_slot.get(int(record["slot"]))
            if guess is None:
                continue
            guessed = guess.get("fields") or {}
            for key, value in record["fields"].items():
                entry = guessed.get(key)
                value_type = value_types.get((form, key))
                if entry is None or value_type is None or not isinstance(entry.get("confidence"), int | float):
                    continue
                score = float(entry["confidence"])
                blockers, others = split_reasons(
                    entry.get("reasons") or (), score, thresholds.threshold(form, key, value_type)
                )
                samples.append(
                    FieldSample(value_type, form, key, score, entry.get("value") == value, blockers, others, profile)
                )
    return samples


def governed_by_override(sample: FieldSample, thresholds: Thresholds) -> bool:
    """A field whose threshold comes from an override (e.g. ``marks``) is not evidence for its value type."""
    return any(o.applies(sample.form, sample.key, sample.value_type) for o in thresholds.overrides)


def calibrate(
    samples: Sequence[FieldSample],
    thresholds: Thresholds,
    *,
    target: float = DEFAULT_TARGET,
    min_support: int = DEFAULT_MIN_SUPPORT,
    floor: float = DEFAULT_FLOOR,
) -> list[Choice]:
    """A choice for every value type of ``thresholds`` (kept where the samples cannot justify a change); a
    threshold proven below ``floor`` is raised to it (status ``floored``)."""
    by_type: dict[str, list[FieldSample]] = defaultdict(list)
    for s in samples:
        if not governed_by_override(s, thresholds):
            by_type[s.value_type].append(s)
    choices = []
    for value_type, previous in thresholds.value_types.items():
        members = by_type.get(value_type, [])
        eligible = [s for s in members if s.eligible]
        threshold, status, auto, errors, bound = choose_threshold(
            [s.score for s in eligible],
            [s.correct for s in eligible],
            previous=previous,
            target=target,
            min_support=min_support,
        )
        if status == CALIBRATED and threshold < floor:
            above = [s for s in eligible if s.score >= floor]
            errors = sum(not s.correct for s in above)
            threshold, status, auto = floor, FLOORED, len(above)
            bound = wilson_upper(errors, auto) if auto else None
        choices.append(
            Choice(value_type, len(members), len(eligible), previous, threshold, status, auto, errors, bound)
        )
    return choices


def flagged_only_by_batch(samples: Iterable[FieldSample], chosen: Mapping[str, float], thresholds: Thresholds) -> int:
    """Fields that would be auto-accepted at the chosen thresholds but for book-check or cross-field reasons."""
    count = 0
    for s in samples:
        threshold = (
            thresholds.threshold(s.form, s.key, s.value_type)
            if governed_by_override(s, thresholds)
            else chosen.get(s.value_type, 1.0)
        )
        count += s.eligible and s.score >= threshold and bool(s.other_reasons)
    return count


_TYPE_LINE = re.compile(r"^(\s+)([a-z_]+):\s*([0-9.]+)\s*(#.*)?$")


def rewrite_thresholds_yaml(text: str, values: Mapping[str, float], header: Sequence[str]) -> str:
    """The thresholds file with the ``value_types`` numbers replaced and ``header`` (comment lines, without
    '# ') put in front of the file's own leading comment; every other line, comments included, is kept."""
    lines = text.splitlines()
    out: list[str] = [f"# {h}".rstrip() for h in header]
    in_types = False
    seen: set[str] = set()
    # a previous calibration's header is replaced, not stacked
    start = 0
    while start < len(lines) and lines[start].startswith("# calibrated:"):
        start += 1
    for line in lines[start:]:
        if not line.startswith((" ", "\t", "#")) and line.strip():
            in_types = line.split(":", 1)[0] == "value_types"
        match = _TYPE_LINE.match(line) if in_types else None
        if match and match.group(2) in values:
            name = match.group(2)
            seen.add(name)
            comment = f"  {match.group(4)}" if match.group(4) else ""
            line = f"{match.group(1)}{name}: {values[name]:g}{comment}"
        out.append(line)
    missing = set(values) - seen
    if missing:
        raise ValueError(f"value_types in the file lacks {sorted(missing)}")
    return "\n".join(out) + "\n"
