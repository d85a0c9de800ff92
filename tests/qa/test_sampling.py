"""Audit sampling: reproducible draws of the configured share, the Wilson interval, and the share raised."""

from __future__ import annotations

import pytest

from pipeline.qa.rules import AuditSettings
from pipeline.qa.sampling import audit_share, draw_sample, estimate_error, wilson_interval


def test_wilson_interval_matches_hand_worked_values() -> None:
    low, high = wilson_interval(0, 600)
    assert low == 0.0 and high == pytest.approx(1.96**2 / (600 + 1.96**2), rel=1e-3)
    low, high = wilson_interval(5, 100)
    assert (low, high) == (pytest.approx(0.0215, abs=5e-4), pytest.approx(0.1118, abs=5e-4))
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_draw_is_the_share_reproducible_and_stable_as_records_arrive() -> None:
    ids = [f"record-{i:04d}" for i in range(1000)]
    drawn = draw_sample(ids, 0, 0.03, seed="s", scope="book-1")
    assert len(drawn) == 30
    assert drawn == draw_sample(list(reversed(ids)), 0, 0.03, seed="s", scope="book-1")
    assert drawn != draw_sample(ids, 0, 0.03, seed="s", scope="book-2")
    assert len(draw_sample(ids[:10], 0, 0.03, seed="s", scope="b")) == 1  # a small book still gets one
    rest = [i for i in ids if i not in drawn]
    assert draw_sample(rest, 30, 0.03, seed="s", scope="book-1") == []  # its quota is met
    assert len(draw_sample([*rest, *[f"new-{i}" for i in range(100)]], 30, 0.03, seed="s", scope="book-1")) == 3


def test_share_rises_where_the_error_bound_exceeds_the_target_and_is_capped() -> None:
    settings = AuditSettings(share=0.03, target_error=0.005, raise_factor=2.0, max_share=0.05)
    assert audit_share(settings, None) == 0.03
    assert audit_share(settings, estimate_error(0, 0)) == 0.03  # nothing measured yet
    assert audit_share(settings, estimate_error(0, 5000)) == 0.03  # bound 0.08 %: below the target
    assert audit_share(settings, estimate_error(0, 400)) == 0.05  # bound 0.95 %: doubled, capped at 5 %
    assert audit_share(AuditSettings(), estimate_error(12, 1000)) == 0.06
