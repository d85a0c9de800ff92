"""Keeps a bounded number of page tasks in flight, so a book of thousands of pages is never queued all at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from prefect import Task
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner

# A few tasks per worker wait in the runner's queue, so a worker that finishes a page starts the next at once,
# even while the flow is busy ingesting the next files.
QUEUED_PER_WORKER = 2


class TaskWindow:
    """Submits tasks to ``runner`` and blocks once ``size`` of them are unfinished.

    Finished futures are dropped (their results are small strings), so memory does not grow with the book.
    ``on_done`` is called with each finished future's state name and result, in the submitting thread.
    """

    def __init__(
        self,
        runner: TaskRunner[Any],
        size: int,
        on_done: Callable[[str, Any], None],
    ) -> None:
        self._runner = runner
        self._size = max(1, size)
        self._on_done = on_done
        self._in_flight: list[PrefectFuture[Any]] = []

    def submit(self, task: Task[..., Any], parameters: dict[str, Any]) -> None:
        while len(self._in_flight) >= self._size:
            self._reap(1)
        self._in_flight.append(self._runner.submit(task, parameters))

    def drain(self) -> None:
        """Waits for every task still in flight."""
        self._reap(len(self._in_flight))

    def _reap(self, count: int) -> None:
        if count < 1:
            return
        for finished, future in enumerate(as_completed(list(self._in_flight)), start=1):
            self._in_flight.remove(future)
            future.wait()  # done already; this keeps its final state, so reading it asks the API nothing
            state = future.state
            self._on_done(state.type.value, future.result(raise_on_failure=False) if state.is_completed() else None)
            if finished >= count:
                return


class ProgressLog:
    """Counts finished page tasks by outcome and logs a line every ``every_s`` seconds and at the end."""

    def __init__(self, logger: logging.Logger | logging.LoggerAdapter[logging.Logger], every_s: float = 10.0) -> None:
        self._logger = logger
        self._every_s = every_s
        self._last = time.monotonic()
        self.outcomes: dict[str, int] = {}
        self.submitted = 0

    def done(self, state_name: str, page_state: Any) -> None:
        key = str(page_state) if page_state is not None else f"task {state_name.lower()}"
        self.outcomes[key] = self.outcomes.get(key, 0) + 1
        if time.monotonic() - self._last >= self._every_s:
            self.log()

    @property
    def finished(self) -> int:
        return sum(self.outcomes.values())

    def log(self) -> None:
        self._last = time.monotonic()
        by_outcome = ", ".join(f"{key} {count}" for key, count in sorted(self.outcomes.items()))
        self._logger.info(
            "pages finished %d of %d submitted so far (%s)", self.finished, self.submitted, by_outcome or "none yet"
        )
