"""`archive synth`: renders filled forms with scan defects and ground truth (for evaluation and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, domain_errors


def synth(
    out: Annotated[Path, typer.Argument(help="folder to write scans and NAME.truth.json files into")],
    count: Annotated[int, typer.Option(help="number of pages")] = 20,
    profile: Annotated[str, typer.Option(help="clean, mixed or hard")] = "mixed",
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same pages")] = 0,
    form: Annotated[list[str] | None, typer.Option(help="only these forms (repeatable)")] = None,
    dpi: Annotated[int, typer.Option(help="resolution of the scans")] = 300,
    pages_per_file: Annotated[int, typer.Option(help="pages per file (multi-page TIFF/PDF when > 1)")] = 1,
    cover_share: Annotated[float, typer.Option(help="share of pages that are not records (covers)")] = 0.0,
    spreads: Annotated[
        float, typer.Option(help="share of record pages scanned as two-page spreads (an open book, both pages)")
    ] = 0.0,
) -> None:
    """Generate pages of the catalogue's forms with realistic values, defects and ground truth."""
    from pipeline.synth.generate import generate_scans

    with domain_errors():
        paths = generate_scans(
            out,
            count=count,
            profile=profile,
            seed=seed,
            forms=form or None,
            dpi=dpi,
            pages_per_file=pages_per_file,
            cover_share=cover_share,
            spread_share=spreads,
        )
    console.print(f"{len(paths)} files written to {out}")
