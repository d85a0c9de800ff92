"""The committed sample set is what build_sample_set makes, and covers what the samples are for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pdf2image import pdfinfo_from_path
from PIL import Image

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import load_catalogue
from pipeline.qa.truth import truth_problems
from pipeline.synth.samples import build_sample_set
from pipeline.synth.writers import truth_path

COMMITTED = PROJECT_ROOT / "sample_scans"
CATALOGUE = load_catalogue(PROJECT_ROOT / "schemas" / "forms")


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_sample_set(tmp_path_factory.mktemp("samples"))


def _frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(np.asarray(image.convert("L"), dtype=np.int16))
        return frames


def test_committed_truth_and_readme_are_exactly_what_the_builder_writes(rebuilt: list[Path]) -> None:
    committed = sorted(p.name for p in COMMITTED.iterdir())
    assert committed == sorted([p.name for p in rebuilt] + [truth_path(p).name for p in rebuilt] + ["README.md"])
    for scan in rebuilt:
        assert truth_path(scan).read_bytes() == truth_path(COMMITTED / scan.name).read_bytes(), scan.name
    assert (rebuilt[0].parent / "README.md").read_text() == (COMMITTED / "README.md").read_text()


def test_committed_images_match_the_rebuilt_ones(rebuilt: list[Path]) -> None:
    for scan in rebuilt:
        if scan.suffix == ".pdf":
            assert pdfinfo_from_path(str(scan))["Pages"] == pdfinfo_from_path(str(COMMITTED / scan.name))["Pages"]
            continue
        mine, theirs = _frames(scan), _frames(COMMITTED / scan.name)
        assert [f.shape for f in mine] == [f.shape for f in theirs], scan.name
        # the same pixels up to what another version of an image codec might do
        assert all(np.abs(a - b).mean() < 1.0 for a, b in zip(mine, theirs, strict=True)), scan.name


def test_the_samples_cover_forms_files_orientations_and_a_cover() -> None:
    docs: dict[str, dict[str, Any]] = {
        p.name: json.loads(truth_path(p).read_text(encoding="utf-8"))
        for p in COMMITTED.iterdir()
        if p.suffix in (".png", ".jpg", ".tif", ".pdf")
    }
    pages = [page for doc in docs.values() for page in doc["pages"]]
    assert 10 <= len(pages) <= 14
    assert {p["form"] for p in pages} == {*CATALOGUE.forms, None}
    assert {p["rotation"] for p in pages} >= {0, 90, 180}
    assert any(p["form"] == "birth_su_1970" and len(p["records"]) == 2 for p in pages)
    assert all(abs(p["skew_deg"]) <= 5 for p in pages) and any(abs(p["skew_deg"]) >= 2 for p in pages)
    suffixes = {name.rsplit(".", 1)[1] for name in docs}
    assert suffixes == {"png", "jpg", "tif", "pdf"}
    tif = next(name for name in docs if name.endswith(".tif"))
    pdf = next(name for name in docs if name.endswith(".pdf"))
    with Image.open(COMMITTED / tif) as image:
        assert getattr(image, "n_frames", 1) == len(docs[tif]["pages"]) > 1
    assert pdfinfo_from_path(str(COMMITTED / pdf))["Pages"] == len(docs[pdf]["pages"]) in (2, 3)
    for doc in docs.values():
        assert truth_problems(doc, CATALOGUE) == []
    tajik = "".join(v for p in pages for r in p["records"] for v in r["fields"].values() if v)
    assert set("ғӣқӯҳҷ") <= set(tajik)
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < 6.5 * 2**20
