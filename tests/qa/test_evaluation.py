"""The evaluation report on hand-made truth and predictions, with every expected number worked out by hand:
a missing record, wrong values (auto-accepted and flagged), a blank read as text, a wrong turn, an unmatched
page, a cover rightly left without form, an extra record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import load_catalogue
from pipeline.qa.evaluation import NO_FORM, EvalReport, evaluate, report_text
from pipeline.qa.truth import pages_with_written

CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")
_BY_TYPE = {
    "number": "214",
    "date": "1987-03-12",
    "name": "Раҳимова",
    "full_name": "Раҳимов Карим Саидович",
    "sex": "female",
    "text": "тоҷик",
    "place": "ш. Хуҷанд",
}


def truth_fields(form_id: str, **overrides: str | None) -> dict[str, str | None]:
    """Every field of the form with a value of its type; ``marks`` blank."""
    fields: dict[str, str | None] = {s.key: _BY_TYPE[s.type] for s in CATALOGUE.form(form_id).fields}
    fields["marks"] = None
    fields.update(overrides)
    return fields


def line(
    file: str,
    page: int,
    slot: int,
    form_id: str,
    fields: dict[str, str | None],
    *,
    status: str = "auto_verified",
    confidence: float = 0.95,
    changes: dict[str, tuple[str | None, str, float]] | None = None,
) -> dict[str, Any]:
    """An export line reading ``fields`` right, except ``changes``: key -> (value, state, confidence)."""
    read: dict[str, dict[str, Any]] = {
        k: {"value": v, "confidence": confidence, "state": "auto"} for k, v in fields.items()
    }
    for key, (value, state, conf) in (changes or {}).items():
        read[key] = {"value": value, "confidence": conf, "state": state, "reasons": ["low_confidence"]}
    return {
        "record_id": f"{file}-{page}-{slot}",
        "form": form_id,
        "status": status,
        "source": {"file": file, "sha256": "0" * 64, "page": page, "slot": slot},
        "fields": read,
    }


def truth_page(page: int, form_id: str | None, rotation: int, skew: float, *records: dict[str, Any]) -> dict[str, Any]:
    return {"page": page, "form": form_id, "rotation": rotation, "skew_deg": skew, "records": list(records)}


def predicted(file: str, page: int, form_id: str | None, rotation: int, skew: float | None, *records: Any) -> dict:
    return {
        "file": file,
        "page": page,
        "form": form_id,
        "rotation": rotation,
        "skew_deg": skew,
        "status": "checked" if form_id else "unmatched",
        "records": list(records),
    }


SU = truth_fields("birth_su_1970")
SU_SECOND = truth_fields("birth_su_1970", child_name="Ҷамшед", child_sex="male")
DEATH = truth_fields("death_tj_2010", deceased_surname="Саидова", deceased_name="Манижа", death_cause="инсулт")
TJ = truth_fields("birth_tj_2010")


def _pairs() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [
        # A: two records, the second not found at all; skew off by 0.3
        (
            truth_page(1, "birth_su_1970", 0, 1.0, {"slot": 0, "fields": SU}, {"slot": 1, "fields": SU_SECOND}),
            predicted("a.png", 1, "birth_su_1970", 0, 1.3, line("a.png", 1, 0, "birth_su_1970", SU)),
        ),
        # B: cover of the book, rightly matched to no form; skew off by 0.2
        (truth_page(1, None, 0, 0.0), predicted("b.tif", 1, None, 0, 0.2)),
        # C: two auto-accepted misreadings (а -> о twice), a flagged one (т -> м), a blank read as text,
        # the wrong quarter-turn, and a record in a slot the form does not have
        (
            truth_page(2, "death_tj_2010", 180, -2.0, {"slot": 0, "fields": DEATH}),
            predicted(
                "b.tif",
                2,
                "death_tj_2010",
                90,
                -1.5,
                line(
                    "b.tif",
                    2,
                    0,
                    "death_tj_2010",
                    DEATH,
                    status="needs_review",
                    confidence=0.9,
                    changes={
                        "deceased_surname": ("Саидово", "auto", 0.9),
                        "deceased_name": ("Манижо", "auto", 0.9),
                        "death_cause": ("инсулм", "flagged", 0.4),
                        "marks": ("Ислоҳ", "flagged", 0.3),
                    },
                ),
                line("b.tif", 2, 1, "death_tj_2010", DEATH, status="needs_review"),
            ),
        ),
        # D: a form page the pipeline could not match: no records, no skew measured
        (truth_page(1, "birth_tj_2010", 0, 0.5, {"slot": 0, "fields": TJ}), predicted("c.jpg", 1, None, 0, None)),
    ]


def _chars(*records: dict[str, str | None]) -> int:
    return sum(len(v) for fields in records for v in fields.values() if v)


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return evaluate(_pairs(), wall_seconds=120.0, catalogue=CATALOGUE)


def test_fields_overall(report: EvalReport) -> None:
    f = report.overall.fields
    assert f.fields == 15 * 2 + 18 + 26
    assert f.correct == 15 + 14  # A's first record, C less its four wrong fields
    assert f.accuracy == pytest.approx(29 / 74)
    assert (f.auto_accepted, f.auto_correct, f.auto_errors) == (15 + 16, 15 + 14, 2)
    assert f.auto_share == pytest.approx(31 / 74)
    assert f.auto_accuracy == pytest.approx(29 / 31)
    # a missing record loses all its characters; C: two substitutions, one more, five letters added
    assert f.cer_edits == _chars(SU_SECOND, TJ) + 1 + 1 + 1 + len("Ислоҳ")
    assert f.cer_reference_chars == _chars(SU, SU_SECOND, DEATH, TJ)


def test_records_pages_and_speed(report: EvalReport) -> None:
    r, p = report.overall.records, report.overall.pages
    assert (r.records, r.found, r.exact, r.auto_verified, r.extra) == (4, 2, 1, 1, 1)
    assert r.auto_verify_rate == pytest.approx(0.25)
    assert (p.pages, p.orientation_correct, p.form_correct) == (4, 3, 3)
    assert p.skew_measured == 3
    assert p.skew_mean_abs_error == pytest.approx((0.3 + 0.2 + 0.5) / 3)
    assert p.skew_max_abs_error == pytest.approx(0.5)
    assert report.pages_per_minute == pytest.approx(2.0)
    assert [(x.file, x.page, x.slot) for x in report.extra_records] == [("b.tif", 2, 1)]


def test_per_form_groups(report: EvalReport) -> None:
    groups = {g.name: g for g in report.forms}
    assert list(groups) == ["birth_su_1970", "birth_tj_2010", "death_tj_2010", NO_FORM]
    assert (groups["birth_su_1970"].fields.correct, groups["birth_su_1970"].fields.fields) == (15, 30)
    assert groups["birth_su_1970"].records.auto_verify_rate == pytest.approx(0.5)
    assert groups["birth_tj_2010"].pages.form_correct == 0 and groups["birth_tj_2010"].fields.correct == 0
    assert groups["death_tj_2010"].pages.orientation_correct == 0
    assert groups["death_tj_2010"].records.extra == 1
    assert groups[NO_FORM].pages.form_accuracy == 1.0 and groups[NO_FORM].fields.accuracy is None


def test_value_types_confusions_and_reliability(report: EvalReport) -> None:
    types = dict(report.value_types)
    # names: 3 per record; A has two records, C one, D nine (child, father, mother)
    assert (types["name"].fields, types["name"].correct) == (3 + 3 + 3 + 9, 3 + 1)
    # text: 4 per birth_su_1970 record, 7 on death_tj_2010 (death_cause and marks wrong), 8 on birth_tj_2010
    assert (types["text"].fields, types["text"].correct) == (4 * 2 + 7 + 8, 4 + 5)
    top = report.confusions[0]
    assert (top.truth, top.read, top.count) == ("а", "о", 2)
    assert ("т", "м", 1) in [(c.truth, c.read, c.count) for c in report.confusions]
    assert ("", "ҳ", 1) in [(c.truth, c.read, c.count) for c in report.confusions]
    buckets = {round(b.low, 1): b for b in report.reliability if b.count}
    assert set(buckets) == {0.3, 0.4, 0.9}
    assert (buckets[0.9].count, buckets[0.9].correct) == (31, 29)
    assert buckets[0.9].mean_confidence == pytest.approx((15 * 0.95 + 16 * 0.9) / 31)
    assert (buckets[0.4].count, buckets[0.4].correct, buckets[0.3].count, buckets[0.3].correct) == (1, 0, 1, 0)


def test_raw_text_is_compared_with_the_text_as_written_when_the_truth_has_it() -> None:
    fields = truth_fields("death_tj_2010")
    doc = {
        "pages": [truth_page(1, "death_tj_2010", 0, 0.0, {"slot": 0, "fields": fields})],
        "generator": {"pages": [{"page": 1, "written": [{"slot": 0, "fields": {"death_date": "12 марти 1987 с."}}]}]},
    }
    read = line("d.png", 1, 0, "death_tj_2010", fields)
    read["fields"]["death_date"] = {
        "value": "1987-03-12",
        "confidence": 0.9,
        "state": "auto",
        "raw_text": "12 марги 1987 с.",
    }
    page = pages_with_written(doc)[0]
    report = evaluate(
        [(page, predicted("d.png", 1, "death_tj_2010", 0, 0.0, read))], wall_seconds=1.0, catalogue=CATALOGUE
    )
    assert report.cer_raw_fields == 1
    assert report.overall.fields.correct == report.overall.fields.fields  # the value was right all the same
    assert report.overall.fields.cer_edits == 1
    assert [(c.truth, c.read) for c in report.confusions] == [("т", "г")]


def test_a_page_of_a_quarantined_file_counts_as_missed() -> None:
    truth = truth_page(1, None, 90, 1.0)
    gone = {"file": "x.pdf", "page": 1, "status": "quarantined", "reason": "corrupt", "records": []}
    pages = evaluate([(truth, gone)], wall_seconds=0.0, catalogue=CATALOGUE).overall.pages
    assert (pages.orientation_correct, pages.form_correct, pages.skew_measured) == (0, 0, 0)


def test_report_is_json_ready_and_renders_as_text(report: EvalReport) -> None:
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["overall"]["fields"]["accuracy"] == pytest.approx(29 / 74)
    assert data["overall"]["fields"]["auto_errors"] == 2
    assert data["value_types"]["name"]["fields"] == 18
    assert data["extra_records"] == [{"file": "b.tif", "page": 2, "slot": 1}]
    text = report_text(report)
    for expected in ("birth_su_1970", NO_FORM, "2.0 pages per minute", "b.tif p2 slot 1", "39.2%"):
        assert expected in text


def test_a_spread_is_scored_by_slot_across_both_its_pages_and_its_cut_is_counted() -> None:
    tj = truth_fields("death_tj_2010")
    spread = {
        **truth_page(1, "death_tj_2010", 0, 0.0, {"slot": 0, "fields": tj}, {"slot": 100, "fields": tj}),
        "spread": True,
    }
    cut = {
        **predicted("s.png", 1, "death_tj_2010", 0, 0.0, line("s.png", 1, 0, "death_tj_2010", tj)),
        "halves": 2,
    }
    cut["records"].append(line("s.png", 1, 100, "death_tj_2010", tj))
    uncut = predicted("t.png", 1, "death_tj_2010", 0, 0.0, line("t.png", 1, 0, "death_tj_2010", tj))
    single = truth_page(1, "death_tj_2010", 0, 0.0, {"slot": 0, "fields": tj})
    wrongly_cut = {**predicted("u.png", 1, "death_tj_2010", 0, 0.0, line("u.png", 1, 0, "death_tj_2010", tj))}
    wrongly_cut["halves"] = 2
    report = evaluate([(spread, cut), (spread, uncut), (single, wrongly_cut)], wall_seconds=1.0, catalogue=CATALOGUE)
    pages, records = report.overall.pages, report.overall.records
    assert (pages.spreads, pages.spreads_split, pages.singles_split, pages.split_share) == (2, 1, 1, 0.5)
    assert (records.records, records.found, records.exact, records.extra) == (5, 4, 4, 0)
    assert report.to_dict()["overall"]["pages"]["split_share"] == 0.5
    assert "Two-page spreads: 1 of 2 cut into their two pages (50.0%); single pages cut in two: 1" in report_text(
        report
    )
