"""Generated scan files: page counts of multi-page files, the truth beside each in the contract's shape,
covers, empty second slots, and the same seed giving the same files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pdf2image import pdfinfo_from_path
from PIL import Image

from pipeline.config import PROJECT_ROOT
from pipeline.errors import ConfigError
from pipeline.forms.catalogue import load_catalogue
from pipeline.forms.render import mm_to_px
from pipeline.prepare.spread import SPREAD_SLOT_OFFSET
from pipeline.qa.truth import truth_problems
from pipeline.synth import FileSpec, PageSpec, generate_scans, make_file
from pipeline.synth.writers import truth_path

CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")
DPI = 100


def _truth(scan: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(truth_path(scan).read_text(encoding="utf-8"))
    return data


def test_multi_page_tiff_and_pdf_hold_their_pages_and_the_truth_lists_them(tmp_path: Path) -> None:
    files = generate_scans(
        tmp_path, count=5, profile="mixed", seed=3, dpi=DPI, formats=("tiff", "pdf"), pages_per_file=3
    )
    assert [f.suffix for f in files] == [".tif", ".pdf"]
    with Image.open(files[0]) as tiff:
        assert getattr(tiff, "n_frames", 1) == 3
    assert pdfinfo_from_path(str(files[1]))["Pages"] == 2
    assert [len(_truth(f)["pages"]) for f in files] == [3, 2]
    for f in files:
        assert truth_problems(_truth(f), CATALOGUE) == []


def test_truth_has_exactly_the_contract_keys_and_every_field_of_its_form(tmp_path: Path) -> None:
    files = generate_scans(tmp_path, count=8, profile="clean", seed=5, dpi=DPI, cover_share=0.3)
    for scan in files:
        doc = _truth(scan)
        assert set(doc) == {"pages", "generator"}
        assert doc["generator"]["seed"] == 5 and doc["generator"]["dpi"] == DPI
        for page in doc["pages"]:
            assert set(page) == {"page", "form", "rotation", "skew_deg", "records"}
            for record in page["records"]:
                assert set(record) == {"slot", "fields"}
                assert list(record["fields"]) == list(CATALOGUE.form(page["form"]).field_keys)
                assert all(v is None or isinstance(v, str) for v in record["fields"].values())
        assert truth_problems(doc, CATALOGUE) == []
    assert any(_truth(f)["pages"][0]["form"] is None for f in files)  # some covers at 0.3


def test_single_page_files_are_a4_at_their_dpi_and_noisy_pages_go_to_jpeg(tmp_path: Path) -> None:
    clean = generate_scans(tmp_path / "clean", count=2, profile="clean", seed=1, dpi=DPI)
    hard = generate_scans(tmp_path / "hard", count=2, profile="hard", seed=1, dpi=DPI)
    assert {f.suffix for f in clean} == {".png"} and {f.suffix for f in hard} == {".jpg"}
    for scan in clean:
        with Image.open(scan) as image:
            rotation = _truth(scan)["pages"][0]["rotation"]
            size = (mm_to_px(210, DPI), mm_to_px(297, DPI))
            assert image.size == (size if rotation in (0, 180) else size[::-1])
            assert image.mode == "L"


def test_cover_page_has_no_form_and_no_records() -> None:
    made = make_file(FileSpec(name="c", fmt="png", pages=(PageSpec(None, profile="clean"),), dpi=DPI, seed=2))
    page = made.truth["pages"][0]
    assert page["form"] is None and page["records"] == []
    assert (made.pages[0] < 128).mean() > 0.005  # it has print on it


def test_an_empty_second_slot_is_left_blank_and_absent_from_the_truth() -> None:
    def page(records: int) -> tuple[np.ndarray, dict[str, Any]]:
        spec = PageSpec("birth_su_1970", profile="clean", style="typewriter", rotation=0, skew_deg=0.0, records=records)
        made = make_file(FileSpec(name="p", fmt="png", pages=(spec,), dpi=DPI, seed=4))
        return made.pages[0], made.truth["pages"][0]

    one, one_truth = page(1)
    two, two_truth = page(2)
    assert [r["slot"] for r in one_truth["records"]] == [0]
    assert [r["slot"] for r in two_truth["records"]] == [0, 1]
    form = CATALOGUE.form("birth_su_1970")

    def dark_in_values(image: np.ndarray, slot: int) -> int:
        """Dark pixels where the values are written, off the ruled lines (rows mostly dark, and their neighbours)."""
        top = mm_to_px(form.slot_offset_mm[slot] + 20, DPI)
        dark = image[top : top + mm_to_px(115, DPI), mm_to_px(86, DPI) : mm_to_px(194, DPI)] < 160
        line_rows = np.flatnonzero(dark.mean(axis=1) > 0.5)
        keep = np.ones(len(dark), bool)
        for offset in (-2, -1, 0, 1, 2):
            keep[np.clip(line_rows + offset, 0, len(dark) - 1)] = False
        return int(dark[keep].sum())

    assert dark_in_values(one, 1) < 0.1 * dark_in_values(two, 1)
    assert dark_in_values(one, 0) > 10 * max(1, dark_in_values(one, 1))


def test_the_same_seed_makes_the_same_files_and_another_seed_other_ones(tmp_path: Path) -> None:
    first = generate_scans(tmp_path / "a", count=2, profile="mixed", seed=9, dpi=DPI, formats=("png",))
    again = generate_scans(tmp_path / "b", count=2, profile="mixed", seed=9, dpi=DPI, formats=("png",))
    other = generate_scans(tmp_path / "c", count=2, profile="mixed", seed=10, dpi=DPI, formats=("png",))
    for a, b in zip(first, again, strict=True):
        assert truth_path(a).read_bytes() == truth_path(b).read_bytes()
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
    assert truth_path(first[0]).read_bytes() != truth_path(other[0]).read_bytes()


def test_unknown_forms_profiles_and_impossible_pages_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown form"):
        generate_scans(tmp_path, count=1, forms=["birth_xx"], dpi=DPI)
    with pytest.raises(ConfigError, match="profile"):
        generate_scans(tmp_path, count=1, profile="soaked", dpi=DPI)
    with pytest.raises(ValueError, match="records"):
        make_file(FileSpec(name="x", fmt="png", pages=(PageSpec("death_tj_2010", records=2),), dpi=DPI))


def test_a_spread_is_two_pages_of_the_book_side_by_side_and_its_second_page_slots_follow_the_offset() -> None:
    spec = PageSpec("birth_su_1970", profile="clean", rotation=0, skew_deg=0.0, records=1, spread=True)
    made = make_file(FileSpec(name="s", fmt="png", pages=(spec,), dpi=DPI, seed=6))
    (image,) = made.pages
    assert image.shape == (mm_to_px(297, DPI), 2 * mm_to_px(210, DPI))
    page = made.truth["pages"][0]
    assert page["spread"] is True and page["form"] == "birth_su_1970"
    # the first page is full, the second (the book's last) holds what was asked
    assert [r["slot"] for r in page["records"]] == [0, 1, SPREAD_SLOT_OFFSET]
    numbers = [int(r["fields"]["act_number"]) for r in page["records"]]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    written = made.truth["generator"]["pages"][0]["written"]
    assert [w["slot"] for w in written] == [0, 1, SPREAD_SLOT_OFFSET]
    middle = image[:, image.shape[1] // 2 - 3 : image.shape[1] // 2 + 3]
    assert middle.mean() < image[:, : image.shape[1] // 4].mean() - 20  # the spine's shadow


def test_spreads_change_only_the_pages_drawn_as_spreads(tmp_path: Path) -> None:
    plain = generate_scans(tmp_path / "plain", count=6, profile="clean", seed=5, dpi=DPI)
    mixed = generate_scans(tmp_path / "spreads", count=6, profile="clean", seed=5, dpi=DPI, spread_share=0.5)
    spreads = 0
    for before, after in zip(plain, mixed, strict=True):
        truth = _truth(after)
        assert truth_problems(truth, CATALOGUE) == []
        if truth["pages"][0].get("spread"):
            spreads += 1
            assert truth["pages"][0]["form"] == _truth(before)["pages"][0]["form"]
            # a second page's slots are valid only on a page marked as a spread
            if any(r["slot"] >= SPREAD_SLOT_OFFSET for r in truth["pages"][0]["records"]):
                assert truth_problems({"pages": [{**truth["pages"][0], "spread": False}]}, CATALOGUE)
        else:
            assert truth_path(after).read_bytes() == truth_path(before).read_bytes()
            assert after.read_bytes() == before.read_bytes()
    assert 0 < spreads < 6
