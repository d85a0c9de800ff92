"""Calibration: the Wilson bound, the lowest safe threshold, support too small to move a threshold, which
reasons block, the YAML rewrite, and `archive calibrate` end to end on generated pages."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.config import PROJECT_ROOT, get_settings
from pipeline.qa.calibration import (
    CALIBRATED,
    RAISED,
    TARGET_NOT_MET,
    TOO_LITTLE_DATA,
    FieldSample,
    calibrate,
    choose_threshold,
    field_samples,
    rewrite_thresholds_yaml,
    wilson_upper,
)
from pipeline.qa.thresholds import Thresholds, load_thresholds

THRESHOLDS_FILE = PROJECT_ROOT / "schemas" / "thresholds.yaml"


def test_wilson_upper_bound_matches_known_values_and_is_conservative_for_small_samples() -> None:
    assert wilson_upper(0, 100) == pytest.approx(0.0370, abs=1e-4)
    assert wilson_upper(5, 100) == pytest.approx(0.1118, abs=1e-4)
    assert wilson_upper(0, 0) == 1.0
    # no error in 100 fields proves far less than no error in 1000
    assert wilson_upper(0, 1000) < 0.005 < wilson_upper(0, 100)
    with pytest.raises(ValueError):
        wilson_upper(3, 2)


def test_the_lowest_threshold_whose_bound_meets_the_target_is_chosen_exactly() -> None:
    # 800 right at 0.95, one wrong at 0.70, 400 right at 0.60, five wrong at 0.50
    scores = [0.95] * 800 + [0.70] + [0.60] * 400 + [0.50] * 5
    correct = [True] * 800 + [False] + [True] * 400 + [False] * 5
    threshold, status, auto, errors, bound = choose_threshold(scores, correct, previous=0.93, target=0.005)
    # at 0.70 one error in 801 is too many (bound 0.70 %), at 0.60 one in 1201 is not (0.47 %)
    assert (threshold, status, auto, errors) == (0.60, CALIBRATED, 1201, 1)
    assert bound == pytest.approx(wilson_upper(1, 1201))
    assert wilson_upper(1, 801) > 0.005 >= bound
    # one step lower takes in the five errors
    assert wilson_upper(6, 1206) > 0.005


def test_with_fewer_right_fields_below_the_target_the_threshold_stays_higher() -> None:
    scores = [0.95] * 800 + [0.70] + [0.60] * 200
    correct = [True] * 800 + [False] + [True] * 200
    threshold, status, auto, errors, _ = choose_threshold(scores, correct, previous=0.93, target=0.005)
    assert (threshold, status, auto, errors) == (0.95, CALIBRATED, 800, 0)


def test_too_little_support_keeps_the_previous_threshold() -> None:
    scores = [0.99] * 50 + [0.80] * 30
    correct = [True] * 80
    threshold, status, auto, errors, bound = choose_threshold(
        scores, correct, previous=0.93, target=0.005, min_support=100
    )
    assert (threshold, status, auto, errors) == (0.93, TOO_LITTLE_DATA, 50, 0)
    assert bound == pytest.approx(wilson_upper(0, 50))
    # 80 error-free fields cannot prove 0.5 % either, whatever the support asked for
    assert choose_threshold(scores, correct, previous=0.93, min_support=10)[1] == TOO_LITTLE_DATA


def test_errors_at_the_previous_threshold_raise_it_past_the_highest_scoring_error() -> None:
    # 300 right at 0.98, one wrong at 0.96, 200 right at 0.955: too few to prove 0.5 %, and the old 0.955
    # would let the error through
    scores = [0.98] * 300 + [0.96] + [0.955] * 200
    correct = [True] * 300 + [False] + [True] * 200
    threshold, status, auto, errors, _ = choose_threshold(scores, correct, previous=0.955, target=0.005)
    assert (threshold, status, auto, errors) == (0.98, RAISED, 300, 0)
    # errors at the very top: a step above them
    everywhere = choose_threshold([0.99] * 2000, [i % 50 != 0 for i in range(2000)], previous=0.97)
    assert everywhere[:2] == (0.991, RAISED)


def test_too_many_errors_below_the_previous_threshold_keep_it() -> None:
    scores = [0.99] * 900 + [0.90] * 300
    correct = [True] * 900 + [i % 10 != 0 for i in range(300)]
    threshold, status, auto, errors, _ = choose_threshold(scores, correct, previous=0.995, target=0.005)
    assert (threshold, status, auto, errors) == (0.99, CALIBRATED, 900, 0)
    threshold, status, *_ = choose_threshold(scores[:700] + scores[900:], correct[:700] + correct[900:], previous=0.97)
    assert (threshold, status) == (0.97, TARGET_NOT_MET)


def _pair(reasons: list[str], score: float, key: str = "death_place", value: str = "ш. Ваҳдат") -> tuple:
    truth = {"page": 1, "form": "death_tj_2010", "records": [{"slot": 0, "fields": {key: "ш. Ваҳдат"}}]}
    entry = {"value": value, "confidence": score, "state": "flagged", "reasons": reasons}
    predicted = {"page": 1, "records": [{"source": {"slot": 0}, "fields": {key: entry}}]}
    return truth, predicted


def test_low_confidence_below_the_threshold_in_use_does_not_block_but_book_reasons_are_kept_apart() -> None:
    thresholds = load_thresholds(THRESHOLDS_FILE)
    types = {("death_tj_2010", "death_place"): "place", ("death_tj_2010", "marks"): "text"}
    place = thresholds.value_types["place"]
    pairs = [
        _pair(["low_confidence"], place - 0.1),  # the threshold's own verdict: calibration may lower it
        _pair(["low_confidence"], place + 0.01),  # set by the reading (cut off): blocks at any threshold
        _pair(["not_in_lexicon", "act_number_gap"], 0.99),
        _pair(["act_number_gap"], 0.99, value="ш. Душанбе"),
    ]
    samples = field_samples(pairs, types, thresholds, profile="clean")
    assert [(s.blockers, s.other_reasons, s.correct) for s in samples] == [
        ((), (), True),
        (("low_confidence",), (), True),
        (("not_in_lexicon",), ("act_number_gap",), True),
        ((), ("act_number_gap",), False),
    ]


def test_fields_under_an_override_do_not_calibrate_their_value_type() -> None:
    thresholds = load_thresholds(THRESHOLDS_FILE)
    marks = [FieldSample("text", "death_tj_2010", "marks", 0.5, False, (), ()) for _ in range(100)]
    text = [FieldSample("text", "death_tj_2010", "death_cause", 0.9, True, (), ()) for _ in range(1000)]
    chosen = {c.value_type: c for c in calibrate(marks + text, thresholds)}
    assert (chosen["text"].threshold, chosen["text"].fields, chosen["text"].status) == (0.9, 1000, CALIBRATED)
    assert chosen["sex"].status == TOO_LITTLE_DATA and chosen["sex"].threshold == thresholds.value_types["sex"]


def test_rewrite_replaces_value_types_keeps_comments_and_overrides_and_replaces_an_old_header() -> None:
    original = THRESHOLDS_FILE.read_text(encoding="utf-8")
    values = dict.fromkeys(("number", "date", "sex", "name", "full_name", "place", "text"), 0.9)
    values["name"] = 0.875
    once = rewrite_thresholds_yaml(original, values, ["calibrated: first"])
    twice = rewrite_thresholds_yaml(once, values, ["calibrated: second"])
    assert twice.startswith("# calibrated: second\n") and "calibrated: first" not in twice
    parsed = Thresholds.model_validate(yaml.safe_load(twice))
    assert parsed.value_types["name"] == 0.875
    assert parsed.threshold("death_tj_2010", "marks", "text") == load_thresholds(THRESHOLDS_FILE).threshold(
        "death_tj_2010", "marks", "text"
    )
    kept_comments = [line for line in original.splitlines() if line.startswith("#") and "calibrated:" not in line]
    assert all(line in twice for line in kept_comments)


@pytest.mark.slow
def test_calibrate_command_runs_the_flow_and_writes_the_thresholds_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app
    from pipeline.synth import generate_scans

    pages = tmp_path / "clean"
    generate_scans(pages, count=2, profile="clean", seed=7)
    in_use = tmp_path / "thresholds.yaml"
    in_use.write_text(THRESHOLDS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    before_repo = THRESHOLDS_FILE.read_text(encoding="utf-8")
    # the command points the settings at its scratch archive; monkeypatch restores them afterwards
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ARCHIVE_THRESHOLDS_FILE", str(in_use))
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            ["calibrate", str(pages), "--target", "0.3", "--min-support", "5", "--summary", str(tmp_path / "sum")],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Thresholds written to" in result.output
    written = in_use.read_text(encoding="utf-8")
    assert written.startswith("# calibrated: ") and "(clean 2)" in written
    assert THRESHOLDS_FILE.read_text(encoding="utf-8") == before_repo
    calibrated = load_thresholds(in_use)
    assert calibrated.overrides == load_thresholds(THRESHOLDS_FILE).overrides
    summary = json.loads((tmp_path / "sum.json").read_text(encoding="utf-8"))
    assert summary["pages"] == {"clean": 2} and summary["fields"] > 0
    assert {c["value_type"] for c in summary["choices"]} == set(calibrated.value_types)
    assert (tmp_path / "sum.md").read_text(encoding="utf-8").startswith("Calibrated on 2 pages")
    assert os.environ["ARCHIVE_DATA_DIR"] == str(tmp_path / "data")  # the scratch archive was put back


def test_calibrate_reads_a_saved_run_by_the_thresholds_it_was_decided_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run saved by `archive eval --save-run` calibrates without OCR; a field flagged low_confidence by the
    run's own threshold (0.95) is evidence, even though the file in use now (0.85) would call it cut off."""
    from cli.main import app
    from services.evaluation import save_run

    in_use_data = yaml.safe_load(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    decided_with = Thresholds.model_validate(in_use_data).model_dump(mode="json")
    decided_with["value_types"]["place"] = 0.95
    in_use = tmp_path / "thresholds.yaml"
    in_use.write_text(
        re.sub(r"(?m)^  place: [0-9.]+$", "  place: 0.85", THRESHOLDS_FILE.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    assert load_thresholds(in_use).value_types["place"] == 0.85
    pairs = [_pair(["low_confidence"], 0.9) for _ in range(20)]
    saved = tmp_path / "clean.json"
    save_run(saved, pairs, profile="clean", thresholds=decided_with)
    monkeypatch.setenv("ARCHIVE_THRESHOLDS_FILE", str(in_use))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["calibrate", str(saved), "--target", "0.3", "--min-support", "5"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Running the flow" not in result.output
    written = load_thresholds(in_use)
    assert written.value_types["place"] == 0.9
    assert in_use.read_text(encoding="utf-8").startswith("# calibrated: ") and "(clean 20)" in in_use.read_text()


def test_a_threshold_proven_below_the_floor_is_raised_to_it() -> None:
    """Names the lexicon vouches for are right at any engine confidence here; the floor keeps the engine's say."""
    thresholds = load_thresholds(THRESHOLDS_FILE)
    names = [FieldSample("name", "birth_tj_2010", "child_name", 0.8 + i / 10000, True, (), ()) for i in range(1000)]
    names += [FieldSample("name", "birth_tj_2010", "child_name", 0.95, True, (), ()) for _ in range(50)]
    chosen = {c.value_type: c for c in calibrate(names, thresholds)}
    assert (chosen["name"].threshold, chosen["name"].status) == (0.9, "floored")
    assert (chosen["name"].auto, chosen["name"].auto_errors) == (50, 0)  # what the floored threshold accepts
    unfloored = {c.value_type: c for c in calibrate(names, thresholds, floor=0.5)}
    assert unfloored["name"].threshold < 0.85 and unfloored["name"].status == CALIBRATED
