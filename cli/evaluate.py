"""`archive eval`: runs the whole flow on pages that have ground truth, in a scratch archive, and reports."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import console, domain_errors
from cli.records import OutputFormat
from database.workflow import CopyKind
from pipeline.config import Settings, get_settings
from pipeline.errors import ConfigError


def _truth_pairs(root: Path, pages: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs each predicted page with its truth page from ``NAME.truth.json`` beside the file."""
    from pipeline.qa.truth import pages_with_written
    from services.evaluation import load_truth

    truths: dict[str, dict[int, dict[str, Any]]] = {}
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for predicted in pages:
        name = predicted["file"]
        if name not in truths:
            scan = root / name if root.is_dir() else root
            doc = load_truth(scan) or {"pages": []}
            truths[name] = {int(p["page"]): p for p in pages_with_written(doc)}
        if predicted["page"] is None:  # quarantined file: every truth page of it counts as missed
            pairs.extend((truth, {**predicted, "page": n, "records": []}) for n, truth in truths[name].items())
            continue
        truth = truths[name].get(int(predicted["page"]))
        if truth is not None:
            pairs.append((truth, predicted))
    return pairs


_SCRATCH_ENV = ("ARCHIVE_DATA_DIR", "ARCHIVE_DATABASE_URL", "ARCHIVE_REGISTRY_URL")


@contextmanager
def scratch_archive(work_dir: Path) -> Iterator[Settings]:
    """Settings for an archive at ``work_dir`` with SQLite databases, for as long as the block runs.

    The flow's tasks read the settings themselves (``get_settings``), so the archive is set through the
    environment; the variables and the cached settings are put back afterwards, so the caller's own archive
    is untouched."""
    saved = {name: os.environ.get(name) for name in _SCRATCH_ENV}
    os.environ["ARCHIVE_DATA_DIR"] = str(work_dir)
    os.environ.pop("ARCHIVE_DATABASE_URL", None)
    os.environ.pop("ARCHIVE_REGISTRY_URL", None)
    get_settings.cache_clear()
    try:
        from cli.common import ready_settings

        yield ready_settings()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def evaluate_path(
    path: Path, work_dir: Path, *, office: str = "EVAL", form: str | None = None
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], float]:
    """Runs a batch on ``path`` in an archive at ``work_dir``; returns (truth, prediction) pairs and seconds."""
    from cli.run import _run_with_progress
    from database.session import session_scope, workflow_sessions
    from flows.runtime import configure_prefect, thread_engine
    from services.batches import BatchRequest, start_batch
    from services.evaluation import predicted_pages

    with scratch_archive(work_dir) as settings:
        configure_prefect(settings)
        thread_engine(settings)
        request = BatchRequest(
            paths=(path,),
            office=office,
            act_type="mixed",
            year=time.localtime().tm_year,
            copy=CopyKind.FIRST,
            book_label=f"eval-{int(time.time())}",
            form_hint=form,
            started_by="eval",
        )
        with session_scope(workflow_sessions(settings)) as session:
            batch_id = start_batch(session, request).id
        started = time.perf_counter()
        _run_with_progress(settings, batch_id, [str(path)])
        seconds = time.perf_counter() - started
        with session_scope(workflow_sessions(settings)) as session:
            pages = predicted_pages(session, batch_id)
    return _truth_pairs(path, pages), seconds


def eval_command(
    path: Annotated[Path, typer.Argument(help="a folder (or file) of scans with NAME.truth.json beside each")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table or json")] = OutputFormat.TABLE,
    work_dir: Annotated[Path | None, typer.Option(help="scratch archive to run in; default a temporary folder")] = None,
    out: Annotated[Path | None, typer.Option(help="also write the JSON report here")] = None,
    form: Annotated[str | None, typer.Option(help="form id, when every page is known to be of one form")] = None,
    save_run: Annotated[
        Path | None,
        typer.Option(help="also save every page's truth and reading (JSON) for `archive calibrate` to reuse"),
    ] = None,
) -> None:
    """Run the flow on pages with ground truth and report accuracy, auto-accept rates, skew error and speed."""
    from pipeline.qa.evaluation import evaluate, render_report

    with domain_errors():
        if not path.exists():
            raise ConfigError(f"{path}: no such file or folder")
        scratch = work_dir or Path(tempfile.mkdtemp(prefix="archive-eval-"))
        pairs, seconds = evaluate_path(path, scratch, form=form)
        if not pairs:
            raise ConfigError(f"{path}: no page with ground truth (NAME.truth.json beside each scan)")
        report = evaluate(pairs, wall_seconds=seconds)
        if save_run:
            _save_run(save_run, path, pairs)
        data = report.to_dict()
        if out:
            out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        if fmt is OutputFormat.JSON:
            console.print_json(json.dumps(data, ensure_ascii=False))
        else:
            render_report(report, console)


def _save_run(destination: Path, path: Path, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """The run with the thresholds its fields were decided with (a later calibration must split the
    threshold's own ``low_confidence`` from the reading's by those, not by the thresholds it writes)."""
    from pipeline.qa.thresholds import load_thresholds
    from services.calibration import thresholds_path
    from services.evaluation import save_run

    thresholds = load_thresholds(thresholds_path(get_settings())).model_dump(mode="json")
    save_run(destination, pairs, profile=path.name if path.is_dir() else path.stem, thresholds=thresholds)
