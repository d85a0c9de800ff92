"""Command line of the generator: ``python -m pipeline.synth OUT --count N --profile P --seed S``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.synth.generate import generate_scans
from pipeline.synth.profiles import PROFILES
from pipeline.synth.samples import build_sample_set
from pipeline.synth.writers import SUFFIXES


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.synth", description=__doc__)
    parser.add_argument("out", type=Path, help="folder to write the scans and their .truth.json into")
    parser.add_argument("--count", type=int, default=10, help="pages to generate")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="mixed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--form", action="append", dest="forms", help="form id (repeat); default all forms")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument(
        "--format", action="append", dest="formats", choices=["auto", *SUFFIXES], help="taken in turn per file"
    )
    parser.add_argument("--pages-per-file", type=int, default=1, help="pages of each TIFF or PDF file")
    parser.add_argument("--cover-share", type=float, default=0.0, help="share of files that begin with a cover")
    parser.add_argument("--spreads", type=float, default=0.0, help="share of record pages that are two-page spreads")
    parser.add_argument("--samples", action="store_true", help="write the committed sample set instead")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.samples:
        files = build_sample_set(args.out)
    else:
        files = generate_scans(
            args.out,
            count=args.count,
            profile=args.profile,
            seed=args.seed,
            forms=args.forms,
            dpi=args.dpi,
            formats=args.formats or ("auto",),
            pages_per_file=args.pages_per_file,
            cover_share=args.cover_share,
            spread_share=args.spreads,
        )
    sys.stdout.write(f"{len(files)} files written to {args.out} in {time.perf_counter() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
