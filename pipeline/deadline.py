"""The time limit of one page: checked at every OCR call, and enforced on a call that never returns.

A thread cannot be stopped from outside while it runs native code (Tesseract, OpenCV, poppler). Prefect's task
``timeout_seconds`` raises an exception in the task's thread, which only lands once the native call returns and
can land in the middle of a database transaction, so it is not used. Instead the page's work runs on a helper
thread of the worker while the worker waits with the limit:

* within the limit the helper checks the deadline before and after every OCR call and between stages, and
  raises :class:`PageTimeout` (a slow page over many calls stops at the next one);
* past the limit (one call that hangs) the worker stops waiting, fails the page, leaves the helper thread and
  its OCR engine to finish their call alone and takes a new helper and a new engine for the next page.
"""

from __future__ import annotations

import queue
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from pipeline.errors import PageTimeout
from pipeline.ocr.engine import OcrEngine
from pipeline.types import OcrResult

T = TypeVar("T")

# Time the worker still waits past the limit for the helper to stop by itself at its next check.
GRACE_S = 1.0

# by identity: engines may be dataclasses, equal to one another and unhashable
_abandoned_engines: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_local = threading.local()


@dataclass
class Deadline:
    """When the page's time is up; ``stage`` is what the page was doing last (for the failure's message)."""

    limit_s: float
    started: float = field(default_factory=time.monotonic)
    stage: str = "ingest"

    def remaining(self) -> float:
        return self.limit_s - (time.monotonic() - self.started)

    def check(self, stage: str | None = None) -> None:
        if stage is not None:
            self.stage = stage
        if self.remaining() < 0:
            raise PageTimeout(self.message())

    def message(self) -> str:
        return (
            f"timeout: the page took longer than its limit of {self.limit_s:g} s (in the {self.stage} stage); "
            "look at the scan, then raise ARCHIVE_PAGE_TIMEOUT_S or rescan the page and run the batch again"
        )


class DeadlineEngine:
    """An OCR engine that refuses to start a call, or to return one, after the page's deadline."""

    def __init__(self, engine: OcrEngine, deadline: Deadline) -> None:
        self.engine = engine
        self._deadline = deadline

    def recognize(self, image: np.ndarray, *, lang: str, psm: int, whitelist: str | None = None) -> OcrResult:
        self._deadline.check()
        result = self.engine.recognize(image, lang=lang, psm=psm, whitelist=whitelist)
        self._deadline.check()
        return result

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float]:
        self._deadline.check()
        found = self.engine.detect_orientation(image)
        self._deadline.check()
        return found

    def close(self) -> None:
        """The wrapped engine belongs to its worker thread, which closes it."""


def is_abandoned(engine: object) -> bool:
    """True for an engine left running a call past a page's limit: it must not be used again."""
    return _abandoned_engines.get(id(engine)) is engine


class _Helper:
    """One daemon thread running a worker's pages one at a time (daemon: a hung call never blocks the exit)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name=f"page-{threading.current_thread().name}", daemon=True).start()

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, future = item
            try:
                future.set_result(job())
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting worker, which decides
                future.set_exception(exc)

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        self._jobs.put((job, future))
        return future

    def retire(self) -> None:
        """The thread ends once the call it is stuck in returns."""
        self._jobs.put(None)


def run_within(deadline: Deadline, job: Callable[[], T], engine: OcrEngine | None = None) -> T:
    """Runs ``job`` on this thread's helper and returns its result, or raises PageTimeout once the deadline (and a
    short grace) has passed. A helper past the limit is left to finish alone, and ``engine`` is marked abandoned."""
    helper: _Helper | None = getattr(_local, "helper", None)
    if helper is None:
        helper = _local.helper = _Helper()
    future = helper.submit(job)
    try:
        return future.result(timeout=max(0.0, deadline.remaining()) + GRACE_S)
    except TimeoutError:
        helper.retire()
        _local.helper = None
        if engine is not None:
            _abandoned_engines[id(engine)] = engine
        raise PageTimeout(deadline.message()) from None
