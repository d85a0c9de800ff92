"""`archive calibrate`: runs the flow on pages with ground truth and sets the per value type thresholds."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, domain_errors
from pipeline.errors import ConfigError
from pipeline.qa.calibration import CALIBRATED, DEFAULT_FLOOR, DEFAULT_MIN_SUPPORT, DEFAULT_TARGET, FLOORED, RAISED


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def calibrate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="folders of scans with NAME.truth.json (e.g. clean, mixed, hard), or runs saved by "
            "`archive eval --save-run` (read without running OCR again)"
        ),
    ],
    target: Annotated[
        float, typer.Option(help="highest error rate allowed among auto-accepted fields")
    ] = DEFAULT_TARGET,
    out: Annotated[Path | None, typer.Option(help="thresholds file to write; default the one in use")] = None,
    min_support: Annotated[
        int, typer.Option(help="fewest fields above a threshold to trust it; else the type keeps its value")
    ] = DEFAULT_MIN_SUPPORT,
    floor: Annotated[
        float, typer.Option(help="lowest threshold ever written: below it the engine has no say left")
    ] = DEFAULT_FLOOR,
    summary: Annotated[
        Path | None, typer.Option(help="also write the summary as JSON and markdown (FILE.json, FILE.md)")
    ] = None,
    work_dir: Annotated[Path | None, typer.Option(help="scratch folder for the archives; default temporary")] = None,
    dry_run: Annotated[bool, typer.Option(help="print the choice, write no thresholds file")] = False,
) -> None:
    """Choose, per value type, the lowest threshold whose auto-accepted fields stay within the target error
    rate (95 % Wilson upper bound) on pages with ground truth, and write it to the thresholds file."""
    from cli.evaluate import evaluate_path
    from pipeline.config import get_settings
    from pipeline.qa.calibration import calibrate as choose
    from pipeline.qa.calibration import field_samples
    from pipeline.qa.evaluation import default_catalogue
    from pipeline.qa.thresholds import Thresholds, load_thresholds
    from services.calibration import CalibrationRun, thresholds_path, value_types, write_summary, write_thresholds
    from services.evaluation import load_run

    with domain_errors():
        if not 0.0 < target < 1.0:
            raise ConfigError(f"--target must lie in (0, 1), got {target}")
        for path in paths:
            if not path.exists():
                raise ConfigError(f"{path}: no such file or folder")
        in_use = thresholds_path(get_settings())
        destination = out or in_use
        thresholds = load_thresholds(in_use)
        types = value_types(default_catalogue())
        scratch = work_dir or Path(tempfile.mkdtemp(prefix="archive-calibrate-"))
        samples = []
        pages: dict[str, int] = {}
        for number, path in enumerate(paths):
            if path.is_file() and path.suffix == ".json":
                profile, used, pairs = load_run(path)
                decided_with = Thresholds.model_validate(used)
            else:
                console.print(f"Running the flow on {path} …")
                pairs, _ = evaluate_path(path, scratch / f"run-{number}")
                profile, decided_with = (path.name if path.is_dir() else path.stem), thresholds
            pages[profile] = pages.get(profile, 0) + len(pairs)
            samples.extend(field_samples(pairs, types, decided_with, profile=profile))
        if not samples:
            raise ConfigError("no read field with ground truth in " + ", ".join(map(str, paths)))
        choices = choose(samples, thresholds, target=target, min_support=min_support, floor=floor)
        run = CalibrationRun(tuple(choices), tuple(samples), pages, target, min_support)

        table = Table(
            title=f"Thresholds for at most {target:.2%} errors among auto-accepted fields", title_justify="left"
        )
        for i, column in enumerate(
            ("type", "fields", "threshold", "was", "auto share", "auto errors", "error rate", "Wilson upper", "status")
        ):
            table.add_column(column, justify="left" if i in (0, 8) else "right")
        for c in choices:
            table.add_row(
                c.value_type,
                str(c.fields),
                f"{c.threshold:g}",
                f"{c.previous:g}",
                _pct(c.auto_share),
                f"{c.auto_errors} of {c.auto}",
                _pct(c.error_rate, 2),
                _pct(c.wilson_upper, 2),
                c.status if c.status in (CALIBRATED, RAISED, FLOORED) else f"[yellow]{c.status}: kept[/yellow]",
            )
        table.caption = (
            f"{sum(pages.values())} pages, {len(samples)} read fields; at least {min_support} fields per threshold"
        )
        console.print(table)
        data = run.to_dict(thresholds)
        console.print(
            f"{data['flagged_only_by_book_or_rule_checks']} fields would be auto-accepted but are flagged only by "
            "book checks or cross-field rules (not calibrated on)."
        )
        if summary:
            json_path, md_path = write_summary(summary, run, thresholds)
            console.print(f"Summary written to {json_path} and {md_path}")
        if dry_run:
            console.print("Dry run: no thresholds file written.")
            return
        write_thresholds(destination, run)
        console.print(f"Thresholds written to {destination}")
