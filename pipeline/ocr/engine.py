"""The one wrapper around Tesseract: the OcrEngine protocol, tesserocr kept open, the pytesseract fallback."""

from __future__ import annotations

import importlib
import logging
import math
import os
import re
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from pipeline.config import Settings
from pipeline.errors import MissingDependency, OcrError
from pipeline.types import OcrResult

# Tesseract's OpenMP threads oversubscribe the cores when pages run in parallel (measured on 2 cores: 3.3 s a
# page with the default, 0.85 s with one thread). OpenMP reads this when libtesseract is loaded, so it is
# set here, before tesserocr or the tesseract program is ever started; parallelism comes from pages instead.
os.environ["OMP_THREAD_LIMIT"] = "1"

logger = logging.getLogger(__name__)

# eng only for its Latin letters: Roman month numerals in dates (I, V, X) are read far better with it
REQUIRED_LANGUAGES = ("rus", "tgk", "eng", "osd")
MIN_VERSION = (4, 1)  # the LSTM recogniser, and whitelists that work with it
INSTALL_ADVICE = (
    "install Tesseract and its language data with: apt-get install tesseract-ocr tesseract-ocr-rus "
    "tesseract-ocr-tgk tesseract-ocr-eng tesseract-ocr-osd (or set ARCHIVE_TESSDATA_DIR to a folder holding "
    "rus, tgk, eng and osd .traineddata files)"
)
# Tesseract's orientation confidence is unbounded; about 15 is 'reasonably confident' by its documentation
# and clean form pages score 30-40. 1 - exp(-c/10) maps 15 to 0.78 and 35 to 0.97.
_OSD_CONFIDENCE_SCALE = 10.0


class OcrEngine(Protocol):
    """Reads text from images. Implementations hold native handles: one engine per thread, then close()."""

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        """Text of a grayscale uint8 image (255 = paper). Raises OcrError; never returns '' for a failure."""
        ...

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        """The clockwise quarter-turn (0, 90, 180, 270) a page was scanned with, and a confidence in [0, 1]."""
        ...

    def close(self) -> None: ...


def _version_tuple(text: str) -> tuple[int, ...]:
    match = re.search(r"(\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _check_languages(available: list[str], where: str) -> None:
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in available]
    if missing:
        raise MissingDependency(
            f"Tesseract language data {', '.join(missing)} not found in {where} "
            f"(found: {', '.join(sorted(available)) or 'none'}); {INSTALL_ADVICE}"
        )


def _as_image(image: np.ndarray) -> Image.Image:
    if not isinstance(image, np.ndarray) or image.ndim != 2 or image.dtype != np.uint8 or min(image.shape) == 0:
        shape = getattr(image, "shape", None)
        raise OcrError(f"Tesseract was given {type(image).__name__} {shape}, not a 2-D uint8 grayscale image")
    return Image.fromarray(np.ascontiguousarray(image))


def _mean_confidence(word_confidences: list[float] | list[int], text: str) -> float:
    """Mean word confidence in [0, 1]; 0 for no text."""
    if not text.strip() or not word_confidences:
        return 0.0
    return round(float(np.mean(word_confidences)) / 100.0, 4)


def _word_confidences(word_confidences: list[float] | list[int], text: str) -> tuple[float, ...]:
    """Each word's confidence in [0, 1]; none for no text."""
    if not text.strip():
        return ()
    return tuple(round(float(c) / 100.0, 4) for c in word_confidences)


def _orientation_confidence(raw: float) -> float:
    return round(1.0 - math.exp(-max(raw, 0.0) / _OSD_CONFIDENCE_SCALE), 4)


class TesseractEngine:
    """Tesseract through tesserocr, one open API per (language, page segmentation mode), created on first use.

    Keeping the API open costs ~14 ms a field against ~58 ms for a new tesseract process per call. The API
    is not thread-safe: create one engine per worker thread.

    Timeout: tesserocr's ``Recognize(timeout=ms)`` hands Tesseract a progress monitor with a deadline, which
    Tesseract checks between words; a call past ``timeout_s`` returns unfinished and is raised as OcrError.
    Layout analysis is not interruptible, so a call can overrun the limit by the time that takes
    (half a second on a full page, nothing noticeable on a field).
    """

    def __init__(self, tessdata_dir: Path | None = None, timeout_s: float = 20.0) -> None:
        try:
            self._tesserocr: Any = importlib.import_module("tesserocr")
        except ImportError as exc:
            raise MissingDependency(f"the tesserocr package cannot be imported ({exc}); {INSTALL_ADVICE}") from exc
        version = self._tesserocr.tesseract_version()
        if _version_tuple(version) < MIN_VERSION:
            raise MissingDependency(f"Tesseract {version.splitlines()[0]} is too old, 4.1 or later is needed")
        if tessdata_dir is not None and not tessdata_dir.is_dir():
            raise MissingDependency(f"Tesseract language data folder {tessdata_dir} does not exist; {INSTALL_ADVICE}")
        # tesserocr wants the folder with a trailing separator; None means the library's compiled-in default
        path = str(tessdata_dir).rstrip("/") + "/" if tessdata_dir is not None else None
        default_path, available = self._tesserocr.get_languages(path) if path else self._tesserocr.get_languages()
        self._path: str = path or default_path
        _check_languages(list(available), self._path)
        self._timeout_ms = max(1, round(timeout_s * 1000))
        self._apis: dict[tuple[str, int], Any] = {}
        self.version = _version_tuple(version)

    def _api(self, lang: str, psm: int) -> Any:
        api = self._apis.get((lang, psm))
        if api is None:
            try:
                api = self._tesserocr.PyTessBaseAPI(path=self._path, lang=lang, psm=psm)
            except RuntimeError as exc:
                raise OcrError(f"Tesseract could not start with language {lang!r} and mode {psm}: {exc}") from exc
            self._apis[(lang, psm)] = api
        return api

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        picture = _as_image(image)
        api = self._api(lang, psm)
        try:
            api.SetVariable("tessedit_char_whitelist", whitelist or "")
            api.SetImage(picture)
            started = time.perf_counter()
            finished = api.Recognize(timeout=self._timeout_ms)
            if not finished:
                elapsed = time.perf_counter() - started
                if elapsed * 1000 >= self._timeout_ms:
                    raise OcrError(f"Tesseract timed out after {elapsed:.1f} s (limit {self._timeout_ms / 1000:g} s)")
                raise OcrError(f"Tesseract could not recognise the image (language {lang}, mode {psm})")
            text = api.GetUTF8Text().strip()
            raw_words = api.AllWordConfidences()
            confidence = _mean_confidence(raw_words, text)
            chars = self._char_confidences(api) if text else ()
        except RuntimeError as exc:
            raise OcrError(f"Tesseract failed (language {lang}, mode {psm}): {exc}") from exc
        words = _word_confidences(raw_words, text)
        return OcrResult(text=text, confidence=confidence, char_confidences=chars, word_confidences=words)

    def _char_confidences(self, api: Any) -> tuple[float, ...]:
        level = self._tesserocr.RIL.SYMBOL
        iterator = api.GetIterator()
        if iterator is None:
            return ()
        return tuple(
            round(symbol.Confidence(level) / 100.0, 4) for symbol in self._tesserocr.iterate_level(iterator, level)
        )

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        """Tesseract OSD; a page it cannot judge (too little text) is (0, 0.0)."""
        picture = _as_image(image)
        api = self._api("osd", int(self._tesserocr.PSM.OSD_ONLY))
        try:
            api.SetImage(picture)
            found = api.DetectOrientationScript()
        except RuntimeError as exc:
            raise OcrError(f"Tesseract orientation detection failed: {exc}") from exc
        if not found:
            return 0, 0.0
        return int(found["orient_deg"]) % 360, _orientation_confidence(float(found["orient_conf"]))

    def close(self) -> None:
        for api in self._apis.values():
            api.End()
        self._apis.clear()


class PytesseractEngine:
    """The plain fallback: one tesseract process per call (about four times slower), same protocol."""

    def __init__(self, tessdata_dir: Path | None = None, timeout_s: float = 20.0) -> None:
        try:
            self._pt: Any = importlib.import_module("pytesseract")
        except ImportError as exc:
            raise MissingDependency(f"the pytesseract package cannot be imported ({exc}); {INSTALL_ADVICE}") from exc
        if tessdata_dir is not None and not tessdata_dir.is_dir():
            raise MissingDependency(f"Tesseract language data folder {tessdata_dir} does not exist; {INSTALL_ADVICE}")
        self._tessdata = f'--tessdata-dir "{tessdata_dir}"' if tessdata_dir is not None else ""
        try:
            version = str(self._pt.get_tesseract_version())
            available = self._pt.get_languages(config=self._tessdata)
        except self._pt.TesseractNotFoundError as exc:
            raise MissingDependency(f"the tesseract program is not installed or not on PATH; {INSTALL_ADVICE}") from exc
        if _version_tuple(version) < MIN_VERSION:
            raise MissingDependency(f"Tesseract {version} is too old, 4.1 or later is needed")
        _check_languages(list(available), str(tessdata_dir) if tessdata_dir else "Tesseract's default folder")
        self._timeout_s = timeout_s
        self.version = _version_tuple(version)

    def _call(self, what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, timeout=self._timeout_s, **kwargs)
        except self._pt.TesseractNotFoundError as exc:
            raise MissingDependency(f"the tesseract program is not installed or not on PATH; {INSTALL_ADVICE}") from exc
        except self._pt.TesseractError as exc:
            raise OcrError(f"Tesseract {what} failed: {exc}") from exc
        except RuntimeError as exc:  # pytesseract's way of saying the process was killed at the time limit
            raise OcrError(f"Tesseract {what} timed out after {self._timeout_s:g} s: {exc}") from exc

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        picture = _as_image(image)
        config = f"{self._tessdata} --psm {psm}"
        if whitelist:
            config += f" -c tessedit_char_whitelist={whitelist}"
        data = self._call(
            "recognition", self._pt.image_to_data, picture, lang=lang, config=config, output_type=self._pt.Output.DICT
        )
        lines: dict[tuple[int, int, int], list[str]] = {}
        confidences: list[float] = []
        for i, word in enumerate(data["text"]):
            if str(word).strip() and float(data["conf"][i]) >= 0:
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                lines.setdefault(key, []).append(str(word))
                confidences.append(float(data["conf"][i]))
        text = "\n".join(" ".join(words) for _, words in sorted(lines.items()))
        return OcrResult(
            text=text,
            confidence=_mean_confidence(confidences, text),
            word_confidences=_word_confidences(confidences, text),
        )

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        picture = _as_image(image)
        try:
            found = self._call(
                "orientation detection",
                self._pt.image_to_osd,
                picture,
                config=f"{self._tessdata} --psm 0",
                output_type=self._pt.Output.DICT,
            )
        except OcrError as exc:
            if "Too few characters" in str(exc):  # a page without enough text is not a failure
                return 0, 0.0
            raise
        return int(found["orientation"]) % 360, _orientation_confidence(float(found["orientation_conf"]))

    def close(self) -> None:
        """Nothing is held between calls."""


def get_engine(settings: Settings) -> OcrEngine:
    """The Tesseract engine for these settings: tesserocr when it can be imported, else pytesseract."""
    try:
        importlib.import_module("tesserocr")
    except ImportError as exc:
        logger.warning("tesserocr cannot be imported, using the slower pytesseract engine", extra={"reason": str(exc)})
        return PytesseractEngine(settings.tessdata_dir, settings.ocr_timeout_s)
    return TesseractEngine(settings.tessdata_dir, settings.ocr_timeout_s)
