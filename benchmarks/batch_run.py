"""Runs one batch as `archive run` does, without the progress bar: the process the throughput benchmark watches.

    python -m benchmarks.batch_run PATH... [--workers N] [--runner threads|processes]

Settings come from the environment (ARCHIVE_DATA_DIR, ARCHIVE_DATABASE_URL); prints one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cli.common import ready_settings
from database.session import session_scope, workflow_sessions
from database.workflow import CopyKind
from services.batches import BatchRequest, start_batch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--workers", type=int, default=None, help="pages at once; default ARCHIVE_WORKERS")
    parser.add_argument("--runner", choices=("threads", "processes"), default="threads")
    args = parser.parse_args(argv)
    settings = ready_settings()
    from flows.runtime import configure_prefect, thread_engine

    configure_prefect(settings)
    thread_engine(settings)  # Tesseract checked before any file is touched, as `archive run` does
    request = BatchRequest(
        paths=tuple(args.paths), office="KHJ", act_type="birth", year=2015, copy=CopyKind.FIRST, book_label="bench"
    )
    with session_scope(workflow_sessions(settings)) as session:
        batch_id = start_batch(session, request).id
    from flows.batch import run_batch_flow

    started = time.perf_counter()
    summary = run_batch_flow(
        batch_id, [str(p) for p in args.paths], workers=args.workers or settings.workers, runner=args.runner
    )
    result = {"batch_id": batch_id, "flow_s": round(time.perf_counter() - started, 2), "summary": summary}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
