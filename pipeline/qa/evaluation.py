"""Scores a run against ground truth: what ``archive eval`` reports, computed from truth and predicted pages.

Input is one (truth page, predicted page) pair per page that has ground truth. A truth page is a page of
``NAME.truth.json``; a predicted page is ``{"file", "page", "form", "rotation", "skew_deg", "status",
"halves", "records": [export lines]}`` (keys of a page that never got that far may be missing). Records are
matched by slot within their page; a truth record without a prediction counts every one of its fields wrong, a
predicted record without truth is listed as extra. A two-page spread (truth ``"spread": true``) is one page
whose second page's slots are numbered from 100 on both sides; ``halves`` (2) says the run cut it in two.

Character error rate: when the prediction has ``raw_text`` and the truth page says what was written on paper
(``written``, see :func:`pipeline.qa.truth.pages_with_written`), the raw text is compared with that;
otherwise the predicted value with the canonical truth value. A blank is the empty string.

No database and no scan files: the catalogue (for value types) is the only thing read, when none is given.
:func:`render_report` only prints what :func:`evaluate` computed.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein
from rich.console import Console
from rich.table import Table

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import Catalogue, load_catalogue

AUTO_STATE = "auto"
AUTO_VERIFIED = "auto_verified"
NO_FORM = "(no form)"  # the group of truth pages that are no act record (covers, indexes)
UNKNOWN_TYPE = "unknown"
RELIABILITY_BUCKETS = 10
CONFUSIONS_KEPT = 20

Page = Mapping[str, Any]


@dataclass(frozen=True)
class FieldStats:
    """Fields of one group (a form, a value type, or all). Rates are None when there is nothing to divide by."""

    fields: int = 0
    correct: int = 0
    cer_edits: int = 0
    cer_reference_chars: int = 0
    auto_accepted: int = 0
    auto_correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return _rate(self.correct, self.fields)

    @property
    def cer(self) -> float | None:
        return _rate(self.cer_edits, self.cer_reference_chars)

    @property
    def auto_share(self) -> float | None:
        """Share of the truth's fields accepted without review (a missing record's fields were not)."""
        return _rate(self.auto_accepted, self.fields)

    @property
    def auto_accuracy(self) -> float | None:
        """Accuracy of the fields accepted without review: what a registry inherits unchecked."""
        return _rate(self.auto_correct, self.auto_accepted)

    @property
    def auto_errors(self) -> int:
        return self.auto_accepted - self.auto_correct

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "accuracy": self.accuracy,
            "cer": self.cer,
            "auto_share": self.auto_share,
            "auto_accuracy": self.auto_accuracy,
            "auto_errors": self.auto_errors,
        }


@dataclass(frozen=True)
class PageStats:
    pages: int = 0
    orientation_correct: int = 0
    form_correct: int = 0
    skew_measured: int = 0  # pages with a predicted skew
    skew_mean_abs_error: float | None = None  # degrees
    skew_max_abs_error: float | None = None
    spreads: int = 0  # two-page spreads in the truth
    spreads_split: int = 0  # of those, read as their two pages
    singles_split: int = 0  # single pages wrongly read as two

    @property
    def orientation_accuracy(self) -> float | None:
        return _rate(self.orientation_correct, self.pages)

    @property
    def split_share(self) -> float | None:
        """Share of the spreads cut into their two pages."""
        return _rate(self.spreads_split, self.spreads)

    @property
    def form_accuracy(self) -> float | None:
        """Right form, or rightly none for a page that is no act record."""
        return _rate(self.form_correct, self.pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "orientation_accuracy": self.orientation_accuracy,
            "form_accuracy": self.form_accuracy,
            "split_share": self.split_share,
        }


@dataclass(frozen=True)
class RecordStats:
    records: int = 0  # in the truth
    found: int = 0  # with a predicted record in the same slot
    exact: int = 0  # every field right
    auto_verified: int = 0
    auto_verified_exact: int = 0
    extra: int = 0  # predicted records in slots the truth leaves empty

    @property
    def auto_verify_rate(self) -> float | None:
        return _rate(self.auto_verified, self.records)

    @property
    def exact_rate(self) -> float | None:
        return _rate(self.exact, self.records)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "auto_verify_rate": self.auto_verify_rate, "exact_rate": self.exact_rate}


@dataclass(frozen=True)
class GroupReport:
    """One form (or the pages of no form, or everything)."""

    name: str
    pages: PageStats
    records: RecordStats
    fields: FieldStats

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pages": self.pages.to_dict(),
            "records": self.records.to_dict(),
            "fields": self.fields.to_dict(),
        }


@dataclass(frozen=True)
class Confusion:
    """A character of the truth read as another ('' on one side: a character missed or added)."""

    truth: str
    read: str
    count: int


@dataclass(frozen=True)
class ReliabilityBucket:
    """Predicted fields whose confidence lies in [low, high) (the last bucket includes 1.0)."""

    low: float
    high: float
    count: int
    correct: int
    mean_confidence: float | None

    @property
    def accuracy(self) -> float | None:
        return _rate(self.correct, self.count)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "accuracy": self.accuracy}


@dataclass(frozen=True)
class RecordRef:
    file: str
    page: int
    slot: int


@dataclass(frozen=True)
class EvalReport:
    overall: GroupReport
    forms: tuple[GroupReport, ...]
    value_types: tuple[tuple[str, FieldStats], ...]
    confusions: tuple[Confusion, ...]
    reliability: tuple[ReliabilityBucket, ...]
    extra_records: tuple[RecordRef, ...]
    wall_seconds: float
    cer_raw_fields: int  # fields whose CER compared raw text with the text as written

    @property
    def pages_per_minute(self) -> float | None:
        return None if self.wall_seconds <= 0 else self.overall.pages.pages * 60.0 / self.wall_seconds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain dicts, lists, numbers, strings and None."""
        return {
            "overall": self.overall.to_dict(),
            "forms": [group.to_dict() for group in self.forms],
            "value_types": {name: stats.to_dict() for name, stats in self.value_types},
            "confusions": [asdict(c) for c in self.confusions],
            "reliability": [bucket.to_dict() for bucket in self.reliability],
            "extra_records": [asdict(ref) for ref in self.extra_records],
            "wall_seconds": self.wall_seconds,
            "pages_per_minute": self.pages_per_minute,
            "cer_raw_fields": self.cer_raw_fields,
        }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class _FieldOutcome:
    """One truth field against its prediction (``predicted`` None: no predicted record or no such key)."""

    form: str
    value_type: str
    correct: bool
    auto: bool
    confidence: float | None
    reference: str
    hypothesis: str
    recognised: bool  # a predicted value existed: its character errors are real misreadings
    raw_basis: bool


@dataclass
class _PageOutcome:
    form: str
    orientation_correct: bool
    form_correct: bool
    skew_error: float | None
    spread: bool
    split: bool
    fields: list[_FieldOutcome] = field(default_factory=list)
    records: int = 0
    found: int = 0
    exact: int = 0
    auto_verified: int = 0
    auto_verified_exact: int = 0
    extra: list[RecordRef] = field(default_factory=list)


def _value_type(catalogue: Catalogue, form_id: str, key: str) -> str:
    form = catalogue.forms.get(form_id)
    if form is None:
        return UNKNOWN_TYPE
    return next((spec.type for spec in form.fields if spec.key == key), UNKNOWN_TYPE)


def _field_outcome(
    form_id: str, value_type: str, truth: str | None, predicted: Mapping[str, Any] | None, written: str | None
) -> _FieldOutcome:
    if predicted is None:
        return _FieldOutcome(form_id, value_type, False, False, None, truth or "", "", False, False)
    value = predicted.get("value")
    raw = predicted.get("raw_text")
    raw_basis = raw is not None and written is not None
    confidence = predicted.get("confidence")
    return _FieldOutcome(
        form=form_id,
        value_type=value_type,
        correct=value == truth,
        auto=predicted.get("state") == AUTO_STATE,
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        reference=(written or "") if raw_basis else (truth or ""),
        hypothesis=str(raw) if raw_basis else (value or ""),
        recognised=True,
        raw_basis=raw_basis,
    )


def _page_outcome(truth: Page, predicted: Page, catalogue: Catalogue) -> _PageOutcome:
    form_id = truth.get("form")
    rotation = predicted.get("rotation")
    skew = predicted.get("skew_deg")
    outcome = _PageOutcome(
        form=form_id or NO_FORM,
        orientation_correct=rotation is not None and int(rotation) == int(truth.get("rotation", 0)),
        form_correct="form" in predicted and predicted.get("form") == form_id,
        skew_error=abs(float(skew) - float(truth.get("skew_deg", 0.0))) if skew is not None else None,
        spread=bool(truth.get("spread")),
        split=int(predicted.get("halves") or 1) > 1,
    )
    by_slot = {int(r.get("source", {}).get("slot", r.get("slot", 0))): r for r in predicted.get("records") or []}
    written_by_slot = truth.get("written") or {}
    truth_slots = set()
    for record in truth.get("records") or []:
        slot = int(record["slot"])
        truth_slots.add(slot)
        guess = by_slot.get(slot)
        guessed_fields = (guess or {}).get("fields") or {}
        written = written_by_slot.get(slot) or written_by_slot.get(str(slot)) or {}
        fields = [
            _field_outcome(
                outcome.form,
                _value_type(catalogue, outcome.form, key),
                value,
                guessed_fields.get(key) if guess is not None else None,
                written.get(key),
            )
            for key, value in record["fields"].items()
        ]
        exact = guess is not None and all(f.correct for f in fields)
        auto_verified = guess is not None and guess.get("status") == AUTO_VERIFIED
        outcome.fields.extend(fields)
        outcome.records += 1
        outcome.found += guess is not None
        outcome.exact += exact
        outcome.auto_verified += auto_verified
        outcome.auto_verified_exact += auto_verified and exact
    page_number = int(predicted.get("page") or truth.get("page") or 0)
    outcome.extra = [
        RecordRef(str(predicted.get("file", "")), page_number, slot) for slot in sorted(set(by_slot) - truth_slots)
    ]
    return outcome


def _field_stats(outcomes: Iterable[_FieldOutcome]) -> FieldStats:
    fields = correct = edits = chars = auto = auto_correct = 0
    for f in outcomes:
        fields += 1
        correct += f.correct
        edits += Levenshtein.distance(f.reference, f.hypothesis)
        chars += len(f.reference)
        auto += f.auto
        auto_correct += f.auto and f.correct
    return FieldStats(fields, correct, edits, chars, auto, auto_correct)


def _group(name: str, pages: Sequence[_PageOutcome]) -> GroupReport:
    errors = [p.skew_error for p in pages if p.skew_error is not None]
    page_stats = PageStats(
        pages=len(pages),
        orientation_correct=sum(p.orientation_correct for p in pages),
        form_correct=sum(p.form_correct for p in pages),
        skew_measured=len(errors),
        skew_mean_abs_error=sum(errors) / len(errors) if errors else None,
        skew_max_abs_error=max(errors) if errors else None,
        spreads=sum(p.spread for p in pages),
        spreads_split=sum(p.spread and p.split for p in pages),
        singles_split=sum(p.split and not p.spread for p in pages),
    )
    record_stats = RecordStats(
        records=sum(p.records for p in pages),
        found=sum(p.found for p in pages),
        exact=sum(p.exact for p in pages),
        auto_verified=sum(p.auto_verified for p in pages),
        auto_verified_exact=sum(p.auto_verified_exact for p in pages),
        extra=sum(len(p.extra) for p in pages),
    )
    return GroupReport(name, page_stats, record_stats, _field_stats(f for p in pages for f in p.fields))


def _confusions(outcomes: Iterable[_FieldOutcome], kept: int) -> tuple[Confusion, ...]:
    """The most frequent character errors of recognised fields (a missing record says nothing about reading)."""
    counts: Counter[tuple[str, str]] = Counter()
    for f in outcomes:
        if not f.recognised or f.reference == f.hypothesis:
            continue
        for op in Levenshtein.editops(f.reference, f.hypothesis):
            truth_char = f.reference[op.src_pos] if op.tag != "insert" else ""
            read_char = f.hypothesis[op.dest_pos] if op.tag != "delete" else ""
            counts[(truth_char, read_char)] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Confusion(truth, read, n) for (truth, read), n in ranked[:kept])


def _reliability(outcomes: Iterable[_FieldOutcome], buckets: int) -> tuple[ReliabilityBucket, ...]:
    grouped: dict[int, list[_FieldOutcome]] = defaultdict(list)
    for f in outcomes:
        if f.confidence is not None:
            # the small nudge keeps 0.3 in [0.3, 0.4) although 0.3 * 10 is 2.999... in binary
            grouped[min(buckets - 1, max(0, math.floor(f.confidence * buckets + 1e-9)))].append(f)
    result = []
    for index in range(buckets):
        members = grouped.get(index, [])
        result.append(
            ReliabilityBucket(
                low=round(index / buckets, 6),
                high=round((index + 1) / buckets, 6),
                count=len(members),
                correct=sum(f.correct for f in members),
                mean_confidence=sum(f.confidence or 0.0 for f in members) / len(members) if members else None,
            )
        )
    return tuple(result)


def default_catalogue() -> Catalogue:
    return load_catalogue(PROJECT_ROOT / "schemas" / "forms")


def evaluate(
    pairs: Sequence[tuple[Page, Page]],
    *,
    wall_seconds: float,
    catalogue: Catalogue | None = None,
    confusions_kept: int = CONFUSIONS_KEPT,
) -> EvalReport:
    """The report over (truth page, predicted page) pairs; ``wall_seconds`` is the time the run took."""
    catalogue = catalogue or default_catalogue()
    outcomes = [_page_outcome(truth, predicted, catalogue) for truth, predicted in pairs]
    by_form: dict[str, list[_PageOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_form[outcome.form].append(outcome)
    all_fields = [f for p in outcomes for f in p.fields]
    by_type: dict[str, list[_FieldOutcome]] = defaultdict(list)
    for f in all_fields:
        by_type[f.value_type].append(f)
    return EvalReport(
        overall=_group("all", outcomes),
        forms=tuple(_group(name, by_form[name]) for name in sorted(by_form, key=lambda n: (n == NO_FORM, n))),
        value_types=tuple((name, _field_stats(by_type[name])) for name in sorted(by_type)),
        confusions=_confusions(all_fields, confusions_kept),
        reliability=_reliability(all_fields, RELIABILITY_BUCKETS),
        extra_records=tuple(ref for p in outcomes for ref in p.extra),
        wall_seconds=wall_seconds,
        cer_raw_fields=sum(f.raw_basis for f in all_fields),
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _deg(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}°"


def _shown(char: str) -> str:
    return "∅" if char == "" else ("␠" if char == " " else char)


_FIELD_COLUMNS = ("fields", "acc.", "CER", "auto", "auto acc.", "auto err.")
_FIELD_CAPTION = "auto: share accepted without review; auto acc., auto err.: how many of those were right, wrong"


def _field_cells(stats: FieldStats) -> tuple[str, ...]:
    return (
        str(stats.fields),
        _pct(stats.accuracy),
        _pct(stats.cer),
        _pct(stats.auto_share),
        _pct(stats.auto_accuracy),
        str(stats.auto_errors),
    )


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


def render_report(report: EvalReport, console: Console | None = None) -> None:
    """Prints the report as tables: pages and fields per form, per value type, reliability, confusions."""
    console = console or Console()
    groups = (*report.forms, report.overall)
    last_form = report.forms[-1] if report.forms else None  # a rule under it sets "all" apart
    pages = _table("Pages per form", ("form", "pages", "orientation", "form id", "skew err", "skew max"))
    pages.caption = "skew err, skew max: mean and largest absolute error of the measured skew"
    for group in groups:
        p = group.pages
        pages.add_row(
            group.name,
            str(p.pages),
            _pct(p.orientation_accuracy),
            _pct(p.form_accuracy),
            _deg(p.skew_mean_abs_error),
            _deg(p.skew_max_abs_error),
            end_section=group is last_form,
        )
    console.print(pages)

    records = _table("Records per form", ("form", "records", "found", "all right", "auto-verified"))
    for group in groups:
        r = group.records
        records.add_row(
            group.name,
            str(r.records),
            str(r.found),
            _pct(r.exact_rate),
            _pct(r.auto_verify_rate),
            end_section=group is last_form,
        )
    console.print(records)

    fields = _table("Fields per form", ("form", *_FIELD_COLUMNS))
    for group in groups:
        fields.add_row(group.name, *_field_cells(group.fields), end_section=group is last_form)
    fields.caption = _FIELD_CAPTION
    console.print(fields)

    types = _table("Fields per value type", ("type", *_FIELD_COLUMNS))
    for name, stats in report.value_types:
        types.add_row(name, *_field_cells(stats))
    console.print(types)

    reliability = _table("Reliability: confidence against accuracy", ("confidence", "fields", "mean", "accuracy"))
    for bucket in report.reliability:
        if bucket.count:
            mean = "—" if bucket.mean_confidence is None else f"{bucket.mean_confidence:.3f}"
            reliability.add_row(f"{bucket.low:.1f}–{bucket.high:.1f}", str(bucket.count), mean, _pct(bucket.accuracy))
    console.print(reliability)

    if report.confusions:
        confusions = _table("Most frequent character errors", ("truth", "read as", "count"))
        for c in report.confusions:
            confusions.add_row(_shown(c.truth), _shown(c.read), str(c.count))
        console.print(confusions)

    overall = report.overall.pages
    if overall.spreads or overall.singles_split:
        console.print(
            f"Two-page spreads: {overall.spreads_split} of {overall.spreads} cut into their two pages"
            f" ({_pct(overall.split_share)}); single pages cut in two: {overall.singles_split}"
        )
    speed = report.pages_per_minute
    console.print(
        f"{report.overall.pages.pages} pages in {report.wall_seconds:.1f} s"
        + ("" if speed is None else f" = {speed:.1f} pages per minute")
    )
    if report.extra_records:
        listed = ", ".join(f"{r.file} p{r.page} slot {r.slot}" for r in report.extra_records[:10])
        more = len(report.extra_records) - 10
        console.print(f"Extra records (no truth in that slot): {listed}" + (f" and {more} more" if more > 0 else ""))


def report_text(report: EvalReport, width: int = 160) -> str:
    """The rendered report as plain text (no colours), e.g. for a file or a log."""
    sink = io.StringIO()
    render_report(report, Console(width=width, color_system=None, file=sink))
    return sink.getvalue()
