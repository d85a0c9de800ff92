"""The Tesseract wrapper on rendered field images: Tajik letters read exactly, start-up checks, failures as OcrError."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.config import Settings
from pipeline.errors import MissingDependency, OcrError
from pipeline.forms.fonts import font_path
from pipeline.ocr.engine import PytesseractEngine, TesseractEngine, get_engine
from pipeline.ocr.image import prepare_field
from pipeline.types import OcrResult
from tests.ocr.rendering import field_image


def _prepared(text: str) -> np.ndarray:
    ink = prepare_field(field_image(text))
    assert ink.image is not None
    return ink.image


def _text_page(lines: int = 30, size_px: int = 40) -> np.ndarray:
    """A page of Russian and Tajik prose, enough for orientation detection and for a slow recognition."""
    font = ImageFont.truetype(str(font_path("DejaVu Serif")), size_px)
    image = Image.new("L", (1700, 60 + lines * round(size_px * 1.6)), 255)
    draw = ImageDraw.Draw(image)
    words = [
        "Запись",
        "акта",
        "о",
        "рождении",
        "Раҳимова",
        "Шаҳноза",
        "Каримовна",
        "родилась",
        "в",
        "городе",
        "Хуҷанд",
        "ноҳияи",
        "Рӯдакӣ",
    ]
    for i in range(lines):
        line = " ".join(words[(i + j) % len(words)] for j in range(8))
        draw.text((60, 40 + i * round(size_px * 1.6)), line, font=font, fill=0)
    return np.asarray(image)


@pytest.mark.parametrize("word", ["Раҳимова", "Ҷӯраев", "Қурбонов", "Ғафуров", "Иброҳим", "Дилафрӯз", "Азизӣ"])
def test_tajik_words_are_read_exactly_with_tgk_rus(engine: TesseractEngine, word: str) -> None:
    result = engine.recognize(_prepared(word), lang="tgk+rus", psm=7)
    assert result.text == word
    assert 0.8 < result.confidence <= 1.0
    assert len(result.char_confidences) == len(word)
    assert all(0.0 <= c <= 1.0 for c in result.char_confidences)


def test_a_whitelist_limits_the_characters_read(engine: TesseractEngine) -> None:
    image = _prepared("№ 214")
    assert engine.recognize(image, lang="rus", psm=7).text == "№ 214"
    assert engine.recognize(image, lang="rus", psm=7, whitelist="0123456789").text == "214"
    assert engine.recognize(image, lang="rus", psm=7).text == "№ 214"  # not left set for the next call


def test_russian_letters_missing_from_tajik_need_rus(engine: TesseractEngine) -> None:
    """Why Russian-only forms are read with rus: tgk+rus turns ы into ЬІ."""
    image = _prepared("Быстрова")
    assert engine.recognize(image, lang="rus", psm=7).text == "Быстрова"


@pytest.mark.parametrize(
    "image",
    [np.zeros((10, 10, 3), np.uint8), np.zeros((10, 10), np.float32), np.zeros((0, 10), np.uint8)],
    ids=["rgb", "float", "empty"],
)
def test_an_image_tesseract_cannot_take_is_an_ocr_error(engine: TesseractEngine, image: np.ndarray) -> None:
    with pytest.raises(OcrError, match="not a 2-D uint8 grayscale image"):
        engine.recognize(image, lang="tgk+rus", psm=7)


def test_a_call_past_the_time_limit_is_an_ocr_error() -> None:
    slow = TesseractEngine(timeout_s=0.001)
    try:
        with pytest.raises(OcrError, match="timed out"):
            slow.recognize(_text_page(), lang="tgk+rus", psm=6)
    finally:
        slow.close()


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_orientation_is_the_clockwise_turn_the_page_was_scanned_with(engine: TesseractEngine, rotation: int) -> None:
    scanned = np.ascontiguousarray(np.rot90(_text_page(lines=16), k=-rotation // 90))
    found, confidence = engine.detect_orientation(scanned)
    assert found == rotation
    assert 0.5 < confidence <= 1.0


def test_a_page_without_text_has_no_orientation(engine: TesseractEngine) -> None:
    assert engine.detect_orientation(np.full((800, 600), 255, np.uint8)) == (0, 0.0)


@pytest.mark.parametrize("engine_class", [TesseractEngine, PytesseractEngine])
def test_missing_language_data_says_what_to_install(tmp_path: Path, engine_class: type) -> None:
    with pytest.raises(MissingDependency, match="apt-get install .*tesseract-ocr-tgk") as raised:
        engine_class(tessdata_dir=tmp_path)
    assert "rus, tgk, eng, osd" in str(raised.value)
    assert raised.value.exit_code == 4


def test_missing_language_data_folder_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(MissingDependency, match="does not exist.*apt-get install"):
        TesseractEngine(tessdata_dir=tmp_path / "nowhere")


def test_pytesseract_fallback_reads_the_same_and_maps_its_timeout() -> None:
    fallback = PytesseractEngine(timeout_s=5)
    result = fallback.recognize(_prepared("Ҷӯраев"), lang="tgk+rus", psm=7)
    assert result.text == "Ҷӯраев"
    assert result.confidence > 0.8
    with pytest.raises(OcrError, match="timed out"):
        PytesseractEngine(timeout_s=0.01).recognize(_text_page(), lang="tgk+rus", psm=6)


def test_engine_factory_prefers_the_kept_open_api() -> None:
    engine = get_engine(Settings(tessdata_dir=None, ocr_timeout_s=5))
    try:
        assert isinstance(engine, TesseractEngine)
    finally:
        engine.close()


def test_tesseract_runs_one_thread_per_process() -> None:
    assert os.environ["OMP_THREAD_LIMIT"] == "1"


def test_word_confidences_are_each_words_and_the_minimum_is_the_least_sure_word(engine: TesseractEngine) -> None:
    """A smudged word among clean ones: the mean stays high, the least sure word shows the doubt."""
    image = field_image("Раҳимова Шаҳноза Каримовна")
    smudged = image.copy()
    strip = smudged[:, 600:860]  # the last word, about
    strip[np.random.default_rng(3).random(strip.shape) < 0.45] = 255  # its strokes half eaten away
    ink = prepare_field(smudged)
    assert ink.image is not None
    result = engine.recognize(ink.image, lang="tgk+rus", psm=7)
    words = result.text.split()
    assert len(result.word_confidences) == len(words) >= 3
    assert result.min_word_confidence == min(result.word_confidences)
    assert result.confidence == pytest.approx(sum(result.word_confidences) / len(words), abs=1e-3)
    assert result.min_word_confidence == result.word_confidences[-1] < result.confidence - 0.05
    clean = engine.recognize(_prepared("Раҳимова Шаҳноза Каримовна"), lang="tgk+rus", psm=7)
    assert clean.min_word_confidence > result.min_word_confidence


def test_without_word_confidences_the_least_sure_word_is_the_mean() -> None:
    """An engine that gives no word confidences (a scripted one) falls back to its mean."""
    assert OcrResult("214", 0.91).min_word_confidence == 0.91
    assert OcrResult("а б", 0.8, word_confidences=(0.95, 0.65)).min_word_confidence == 0.65
