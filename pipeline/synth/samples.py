"""The committed sample set (``sample_scans/``): a dozen pages covering every form, file type and orientation,
rebuilt exactly by :func:`build_sample_set`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.synth.generate import DEFAULT_SCHEMAS, FileSpec, MadeFile, PageSpec, make_file, write_file

SAMPLE_SEED = 20240615

SAMPLE_FILES: tuple[FileSpec, ...] = (
    FileSpec(
        name="birth_su_1970_typed",
        fmt="png",
        pages=(PageSpec("birth_su_1970", profile="clean", style="typewriter", rotation=0, skew_deg=-0.8, records=2),),
        seed=SAMPLE_SEED,
        year=1974,
    ),
    FileSpec(
        name="birth_su_1970_handwritten",
        fmt="jpeg",
        pages=(PageSpec("birth_su_1970", profile="mixed", style="handwriting", rotation=180, skew_deg=1.6, records=1),),
        dpi=200,
        seed=SAMPLE_SEED,
        year=1983,
    ),
    FileSpec(
        name="birth_tj_2010_printed",
        fmt="png",
        pages=(PageSpec("birth_tj_2010", profile="clean", style="printer", rotation=0, skew_deg=0.45),),
        seed=SAMPLE_SEED,
        year=2016,
    ),
    FileSpec(
        name="birth_tj_2010_handwritten",
        fmt="jpeg",
        pages=(PageSpec("birth_tj_2010", profile="mixed", style="handwriting", rotation=90, skew_deg=-2.2),),
        dpi=200,
        seed=SAMPLE_SEED,
        year=2012,
    ),
    FileSpec(
        name="death_tj_2010_printed",
        fmt="png",
        pages=(PageSpec("death_tj_2010", profile="clean", style="printer", rotation=0, skew_deg=2.8),),
        seed=SAMPLE_SEED,
        year=2021,
    ),
    FileSpec(
        name="marriage_tj_2010_handwritten",
        fmt="jpeg",
        pages=(PageSpec("marriage_tj_2010", profile="hard", style="handwriting", rotation=0, skew_deg=-1.4),),
        dpi=200,
        seed=SAMPLE_SEED,
        year=2018,
    ),
    FileSpec(
        name="book_birth_1987",
        fmt="tiff",
        pages=(
            PageSpec(None, profile="clean", rotation=0, skew_deg=0.3),
            PageSpec("birth_su_1970", profile="clean", style="typewriter", rotation=0, skew_deg=-0.5, records=2),
            PageSpec("birth_su_1970", profile="clean", style="typewriter", rotation=0, skew_deg=1.1, records=2),
        ),
        seed=SAMPLE_SEED,
        year=1987,
    ),
    FileSpec(
        name="book_death_2019",
        fmt="pdf",
        pages=(
            PageSpec("death_tj_2010", profile="mixed", style="printer", rotation=0, skew_deg=-0.7),
            PageSpec("death_tj_2010", profile="mixed", style="handwriting", rotation=0, skew_deg=1.9),
            PageSpec("death_tj_2010", profile="mixed", style="typewriter", rotation=0, skew_deg=-3.1),
        ),
        dpi=200,
        seed=SAMPLE_SEED,
        year=2019,
    ),
)

_FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "tiff": "multi-page TIFF", "pdf": "multi-page PDF"}


def _describe_page(made: MadeFile, index: int) -> str:
    page = made.truth["pages"][index]
    generated = made.truth["generator"]["pages"][index]
    if page["form"] is None:
        what = "book cover (no record)"
    else:
        slots = len(page["records"])
        what = f"{page['form']}, {slots} record{'s' if slots > 1 else ''}, {generated['style']}"
    colour = ", colour" if generated["colour"] else ""
    return f"{what}; {generated['profile']}{colour}; rotation {page['rotation']}, skew {page['skew_deg']:+.2f}°"


def sample_readme(made_files: Sequence[MadeFile], paths: Sequence[Path]) -> str:
    """The README of the sample folder, written from what was generated."""
    lines = [
        "# Sample scans",
        "",
        "Synthetic scans of the four act-record forms with their ground truth (`NAME.truth.json` beside each",
        "file, in the format `archive eval` reads). Every name, date and place is made up. Rebuild the folder",
        "exactly with `python -m pipeline.synth --samples sample_scans`.",
        "",
        "`rotation` is the clockwise quarter-turn the page was scanned with; `skew` the small extra turn",
        "(positive = counter-clockwise). Profiles: clean (typed, straight), mixed (noise, blur, stains, skew),",
        "hard (handwriting, heavy noise, faded ink, stains, spine shadow).",
        "",
        "| file | type | dpi | page | what |",
        "| --- | --- | --- | --- | --- |",
    ]
    for made, path in zip(made_files, paths, strict=True):
        for index in range(len(made.pages)):
            first = index == 0
            lines.append(
                f"| {path.name if first else ''} | {_FORMAT_NAMES[made.fmt] if first else ''} "
                f"| {made.spec.dpi if first else ''} | {index + 1} | {_describe_page(made, index)} |"
            )
    return "\n".join(lines) + "\n"


def build_sample_set(out_dir: Path, *, schemas_dir: Path = DEFAULT_SCHEMAS) -> list[Path]:
    """Writes the sample files, their truth and README.md into ``out_dir``; returns the scan files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made_files = [make_file(spec, schemas_dir=schemas_dir) for spec in SAMPLE_FILES]
    paths = [write_file(made, out_dir) for made in made_files]
    (out_dir / "README.md").write_text(sample_readme(made_files, paths), encoding="utf-8")
    return paths
