"""Stand-in OCR engines for tests: scripted answers, a crash, a timeout, a slow call; they fail as Tesseract does."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import OcrError
from pipeline.types import OcrResult


@dataclass(frozen=True)
class OcrCall:
    lang: str
    psm: int
    whitelist: str | None
    shape: tuple[int, ...]


@dataclass
class ScriptedEngine:
    """Answers each recognize() with the next scripted item: a text (read with ``confidence``), an OcrResult,
    or an exception to raise. Records every call; running out of answers is an error, not an empty string."""

    answers: Iterable[str | OcrResult | Exception]
    confidence: float = 0.96
    orientation: tuple[int, float] = (0, 1.0)
    calls: list[OcrCall] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._pending = iter(self.answers)

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        self.calls.append(OcrCall(lang, psm, whitelist, tuple(image.shape)))
        try:
            answer = next(self._pending)
        except StopIteration:
            raise AssertionError(f"ScriptedEngine asked a {len(self.calls)}th time, but scripted fewer") from None
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, OcrResult):
            return answer
        return OcrResult(text=answer, confidence=self.confidence if answer.strip() else 0.0)

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        return self.orientation

    def close(self) -> None:
        """Nothing to release."""


class CrashingEngine:
    """Every call fails as a crashed Tesseract does once TesseractEngine has mapped the error."""

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        raise OcrError(f"Tesseract failed (language {lang}, mode {psm}): simulated crash")

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        raise OcrError("Tesseract orientation detection failed: simulated crash")

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class TimingOutEngine:
    """Every call runs past the time limit, as TesseractEngine reports it."""

    timeout_s: float = 20.0

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        raise OcrError(f"Tesseract timed out after {self.timeout_s:.1f} s (limit {self.timeout_s:g} s)")

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        raise OcrError(f"Tesseract timed out after {self.timeout_s:.1f} s (limit {self.timeout_s:g} s)")

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class SlowEngine:
    """Every call takes ``seconds`` in one piece, as a native Tesseract call does that nothing can interrupt,
    then reads ``answer``. Setting ``release`` ends the waits at once (a test's cleanup, so no thread outlives it)."""

    seconds: float
    answer: str = ""
    release: threading.Event = field(default_factory=threading.Event)
    calls: int = 0

    def _wait(self) -> None:
        self.calls += 1
        self.release.wait(self.seconds)

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        self._wait()
        return OcrResult(text=self.answer, confidence=0.96 if self.answer else 0.0)

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        self._wait()
        return 0, 0.0

    def close(self) -> None:
        """Nothing to release."""
