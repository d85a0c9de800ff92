"""prepare_page and segment_page on the sample generator's scans (handwriting, stains, fading, gutter shadow)."""

from __future__ import annotations

import pytest

from pipeline.prepare import prepare_page
from pipeline.segment import segment_page
from tests.prepare.synthetic import CATALOGUE

generate = pytest.importorskip("pipeline.synth.generate", reason="the sample-scan generator is not installed")

# (form, clockwise quarter-turn, records written): the last page's second slot is left empty.
PAGES = [
    ("birth_su_1970", 180, 2),
    ("birth_tj_2010", 0, 1),
    ("death_tj_2010", 90, 1),
    ("marriage_tj_2010", 270, 1),
    ("birth_su_1970", 0, 1),
]


@pytest.mark.parametrize(("form_id", "rotation", "records"), PAGES)
def test_hard_generated_page_is_turned_deskewed_identified_and_cut(form_id: str, rotation: int, records: int) -> None:
    spec = generate.FileSpec(
        name=f"{form_id}-{rotation}",
        fmt="png",
        pages=(generate.PageSpec(form_id=form_id, profile="hard", rotation=rotation, records=records),),
        dpi=200,
        seed=31,
    )
    made = generate.make_file(spec)
    truth = made.truth["pages"][0]
    prepared = prepare_page(made.pages[0])
    assert prepared.rotation == truth["rotation"]
    assert abs(prepared.skew_deg - truth["skew_deg"]) <= 0.15
    segmented = segment_page(prepared.image, CATALOGUE, dpi=200)
    assert segmented.form_id == truth["form"]
    assert [slot[0].slot for slot in segmented.slots] == [record["slot"] for record in truth["records"]]
    assert len(segmented.slots) == records
    assert segmented.alignment_score >= 0.8
