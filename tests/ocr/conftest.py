"""Shared, read-only OCR fixtures: one real Tesseract engine for the session, the lexicon, the thresholds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.forms.catalogue import Catalogue, load_catalogue
from pipeline.ocr.engine import TesseractEngine
from pipeline.ocr.lexicon import Lexicon, load_lexicon
from pipeline.qa.thresholds import Thresholds, load_thresholds

SCHEMAS = PROJECT_ROOT / "schemas"


@pytest.fixture(scope="session")
def engine() -> Iterator[TesseractEngine]:
    tesseract = TesseractEngine()
    yield tesseract
    tesseract.close()


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return load_lexicon(SCHEMAS)


@pytest.fixture(scope="session")
def thresholds() -> Thresholds:
    return load_thresholds(SCHEMAS / "thresholds.yaml")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(SCHEMAS / "forms")
