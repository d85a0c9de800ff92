"""Generated two-page spreads through the whole flow with real Tesseract, scored as `archive eval` scores them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from cli.evaluate import evaluate_path
from pipeline.prepare import SPREAD_SLOT_OFFSET
from pipeline.qa.evaluation import evaluate
from pipeline.synth import generate_scans

pytestmark = pytest.mark.slow


def test_eval_finds_the_records_of_both_pages_of_each_spread(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    files = generate_scans(scans, count=4, profile="clean", seed=3, spread_share=0.5)
    truths = [json.loads(f.with_name(f.stem + ".truth.json").read_text(encoding="utf-8")) for f in files]
    assert sum(bool(t["pages"][0].get("spread")) for t in truths) == 2
    pairs, seconds = evaluate_path(scans, tmp_path / "archive")
    report = evaluate(pairs, wall_seconds=seconds)
    pages, records = report.overall.pages, report.overall.records
    assert (pages.spreads, pages.spreads_split, pages.singles_split) == (2, 2, 0)
    assert records.found == records.records and records.extra == 0
    assert report.overall.fields.accuracy is not None and report.overall.fields.accuracy >= 0.9
    second_pages = [
        record
        for truth, predicted in pairs
        if truth.get("spread")
        for record in predicted["records"]
        if record["source"]["slot"] >= SPREAD_SLOT_OFFSET
    ]
    assert len(second_pages) == sum(
        record["slot"] >= SPREAD_SLOT_OFFSET for t in truths for record in t["pages"][0]["records"]
    )
    # each spread is saved as one image of its two aligned pages side by side
    saved = sorted((tmp_path / "archive").rglob("*_spread.jpg"))
    assert len(saved) == 2
    for path in saved:
        with Image.open(path) as image:
            assert image.width > 1.2 * image.height
