"""Throughput benchmark: the whole flow against OCRmyPDF and plain tesseract on the same generated pages.

    benchmarks/setup                                  # once: installs OCRmyPDF (Debian package)
    python -m benchmarks.throughput [--pages 100] [--seed 11] [--workers N] [--runner threads|processes]
                                    [--repeat 1] [--no-ocrmypdf] [--no-tesseract] [--book-pages 500]

Reports, each with the load average beside it (other work on the machine slows every figure):
- pages per minute end to end: `archive run`'s path from process start to exit (start-up, ingest, pages,
  book checks, load, summary) with a fresh data directory and SQLite, and the steady rate between the first and
  the last page; OCRmyPDF (``-l rus+tgk --rotate-pages --deskew``, ``--jobs`` = workers) on one PDF of the same
  pages; plain full-page ``tesseract -l tgk+rus``, ``workers`` at a time; each with OMP_THREAD_LIMIT=1;
- CPU seconds per page by stage (from each page's provenance) and what the rest of the flow process and
  Prefect's server cost per page;
- peak resident memory of each process (the flow process holds the page workers when they are threads);
- with ``--book-pages N``: one N-page PDF (the generated pages repeated) through the flow, to show that peak
  memory does not grow with the length of a book.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.pdf_pages import write_pdf
from benchmarks.proc_watch import ProcessWatch
from database.session import dispose_engines, session_scope, workflow_sessions
from database.workflow import Batch, BatchFile, Page
from pipeline.config import Settings

SCAN_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
STAGES = ("read", "prepare", "segment", "recognize", "save")
OCRMYPDF_ARGS = ("-l", "rus+tgk", "--rotate-pages", "--deskew")
TESSERACT_LANGS = "tgk+rus"


@dataclass
class Figures:
    tool: str
    pages: int
    wall_s: float
    load_before: float
    load_after: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.wall_s * 60 if self.wall_s else 0.0


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _single_threaded_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1", **extra}


def generated_pages(work: Path, count: int, profile: str, seed: int) -> list[Path]:
    """The pages of ``archive synth`` for these settings, generated once and kept in the work folder."""
    folder = work / f"pages-{profile}-{count}-seed{seed}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        command = [sys.executable, "-m", "cli", "synth", str(folder), "--count", str(count)]
        subprocess.run([*command, "--profile", profile, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        (folder / ".complete").touch()
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SCAN_SUFFIXES)


def _page_count(paths: list[Path]) -> int:
    from PIL import Image

    total = 0
    for path in paths:
        if path.suffix.lower() == ".pdf":
            from pipeline.ingest.pdf import pdf_page_count

            total += pdf_page_count(path, path.name, timeout_s=60)
        else:
            with Image.open(path) as image:
                total += getattr(image, "n_frames", 1)
    return total


def run_flow(work: Path, inputs: list[Path], *, workers: int, runner: str, label: str) -> Figures:
    """One batch in a fresh data directory (SQLite), in a child process watched for memory and CPU."""
    run_dir = work / "runs" / f"{label}-{time.strftime('%Y%m%d-%H%M%S')}"
    data_dir = run_dir / "data"
    data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(data_dir),
        "ARCHIVE_DATABASE_URL": f"sqlite:///{data_dir / 'archive.sqlite'}",
        "ARCHIVE_WORKERS": str(workers),
        # Prefect's own database is kept between runs, as on a machine in use (its first migration is not
        # the flow's cost); its temporary server is still started by every run.
        "PREFECT_HOME": str(work / "prefect-home"),
    }
    env.pop("ARCHIVE_REGISTRY_URL", None)
    command = [sys.executable, "-m", "benchmarks.batch_run", *map(str, inputs), "--runner", runner]
    load_before = _load()
    started = time.perf_counter()
    with (run_dir / "output.txt").open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=output, text=True)
        with ProcessWatch(process.pid) as watch:
            stdout, _ = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"the flow failed (exit {process.returncode}); see {run_dir / 'output.txt'}")
    result = json.loads(stdout.strip().splitlines()[-1])
    settings = Settings(data_dir=data_dir, database_url=env["ARCHIVE_DATABASE_URL"])
    pages = _page_figures(settings, result["batch_id"])
    roles = watch.by_role()
    flow_cpu = roles.get("flow", (0, 0.0, 0.0))[2] + roles.get("page process", (0, 0.0, 0.0))[2]
    server_cpu = roles.get("Prefect server", (0, 0.0, 0.0))[2]
    poppler_cpu = watch.children_cpu_s("flow", "page process")
    details = {
        "runner": runner,
        "workers": workers,
        "flow_s": result["flow_s"],
        "summary": result["summary"],
        **pages,
        "flow_cpu_s_per_page": round(flow_cpu / max(1, pages["pages_done"]), 3),
        "server_cpu_s_per_page": round(server_cpu / max(1, pages["pages_done"]), 3),
        "poppler_cpu_s_per_page": round(poppler_cpu / max(1, pages["pages_done"]), 3),
        "memory_mb": {role: {"processes": n, "peak_rss_mb": round(peak)} for role, (n, peak, _) in roles.items()},
        "flow_rss_mb_by_quarter": _by_quarter(watch.root_rss_mb),
    }
    return Figures(f"archive-digitizer ({runner})", pages["pages_done"], wall, load_before, _load(), details)


def _by_quarter(samples: list[float]) -> list[int]:
    """The highest of each quarter of the run (start-up falls in the first)."""
    bounds = [len(samples) * q // 4 for q in range(5)]
    return [round(max(samples[a:b])) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _page_figures(settings: Settings, batch_id: str) -> dict[str, Any]:
    """Per-stage CPU and wall means, and the steady rate, from the pages' provenance and timestamps."""
    with session_scope(workflow_sessions(settings)) as session:
        started_at = session.get_one(Batch, batch_id).started_at
        file_ids = select(BatchFile.scan_file_id).where(BatchFile.batch_id == batch_id)
        query = select(Page.provenance, Page.processed_at).where(
            Page.scan_file_id.in_(file_ids), Page.provenance.is_not(None)
        )
        rows = session.execute(query).all()
    dispose_engines()
    done = sorted(processed for _, processed in rows if processed is not None)
    cpu = {s: statistics.fmean(float(p.get("cpu_ms", {}).get(s, 0.0)) for p, _ in rows) / 1000 for s in STAGES}
    wall = {s: statistics.fmean(float(p.get("timings_ms", {}).get(s, 0.0)) for p, _ in rows) / 1000 for s in STAGES}
    steady_s = (done[-1] - done[0]).total_seconds() if len(done) > 1 else 0.0
    return {
        "pages_done": len(done),
        "first_page_after_s": round((done[0] - started_at).total_seconds(), 1) if done else None,
        "steady_pages_per_min": round((len(done) - 1) / steady_s * 60, 1) if steady_s else None,
        "cpu_s_per_page": {s: round(v, 3) for s, v in cpu.items()},
        "wall_s_per_page": {s: round(v, 3) for s, v in wall.items()},
    }


def run_ocrmypdf(work: Path, pdf: Path, pages: int, *, workers: int) -> Figures:
    out = work / "ocrmypdf-out.pdf"
    command = ["ocrmypdf", *OCRMYPDF_ARGS, "--jobs", str(workers), str(pdf), str(out)]
    load_before = _load()
    started = time.perf_counter()
    done = subprocess.run(command, env=_single_threaded_env(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ocrmypdf failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return Figures("OCRmyPDF " + " ".join(OCRMYPDF_ARGS), pages, wall, load_before, _load(), {"jobs": workers})


def run_tesseract(work: Path, images: list[Path], *, workers: int) -> Figures:
    out_dir = work / "tesseract-out"
    out_dir.mkdir(exist_ok=True)
    env = _single_threaded_env()

    def one(image: Path) -> None:
        command = ["tesseract", str(image), str(out_dir / image.stem), "-l", TESSERACT_LANGS]
        subprocess.run(command, env=env, check=True, capture_output=True)

    load_before = _load()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, images))
    wall = time.perf_counter() - started
    tool = f"tesseract -l {TESSERACT_LANGS} (full page, {workers} at a time)"
    return Figures(tool, len(images), wall, load_before, _load(), {"at_a_time": workers})


def _repeated(images: list[Path], count: int) -> Iterator[Path]:
    return islice(cycle(images), count)


def _print_comparison(results: list[Figures]) -> None:
    ours = [r for r in results if r.tool.startswith("archive-digitizer")]
    reference = statistics.median(r.pages_per_min for r in ours) if ours else 0.0
    print(f"\n{'tool':58s} {'pages':>5s} {'wall s':>7s} {'pages/min':>9s} {'ours is':>8s}  load before/after")
    for r in results:
        ratio = f"{reference / r.pages_per_min:6.1f}x" if r.pages_per_min and r not in ours else ""
        print(
            f"{r.tool:58s} {r.pages:5d} {r.wall_s:7.1f} {r.pages_per_min:9.1f} {ratio:>8s}  "
            f"{r.load_before:.1f} / {r.load_after:.1f}"
        )


def _print_flow_details(figures: Figures) -> None:
    d = figures.details
    print(f"\n{figures.tool}, {d['workers']} workers: {figures.pages} pages in {figures.wall_s:.1f} s")
    print(
        f"  first page done {d['first_page_after_s']} s after the batch started (Prefect's temporary server and"
        f" engines start); steady rate {d['steady_pages_per_min']} pages/min"
    )
    print(f"  {'stage':12s} {'CPU s/page':>10s} {'wall s/page':>11s}")
    for stage in STAGES:
        print(f"  {stage:12s} {d['cpu_s_per_page'][stage]:10.3f} {d['wall_s_per_page'][stage]:11.3f}")
        if stage == "read" and d["poppler_cpu_s_per_page"]:
            print(f"  {'  + poppler':12s} {d['poppler_cpu_s_per_page']:10.3f}   (PDF pages rendered by pdftoppm)")
    in_threads = sum(d["cpu_s_per_page"].values())
    print(f"  {'stages':12s} {in_threads + d['poppler_cpu_s_per_page']:10.3f}")
    rest = d["flow_cpu_s_per_page"] - in_threads
    print(f"  {'rest':12s} {rest:10.3f}   (flow process CPU per page minus the stages: start-up, ingest, Prefect, DB)")
    print(f"  {'server':12s} {d['server_cpu_s_per_page']:10.3f}   (Prefect's temporary server, per page)")
    print(f"  flow process resident memory, highest of each quarter of the run: {d['flow_rss_mb_by_quarter']} MB")
    print("  peak resident memory per process:")
    for role, m in sorted(d["memory_mb"].items()):
        print(f"    {role:20s} {m['peak_rss_mb']:6d} MB  ({m['processes']} processes)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100, help="generated pages (mixed profile by default)")
    parser.add_argument("--profile", default="mixed")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runner", choices=("threads", "processes", "both"), default="threads")
    parser.add_argument("--repeat", type=int, default=1, help="run every tool this many times, one after another")
    parser.add_argument("--no-ocrmypdf", action="store_true")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--book-pages", type=int, default=0, help="also one PDF of this many pages (memory)")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "archive-throughput", help="kept between runs"
    )
    parser.add_argument("--json", type=Path, default=None, help="write every figure here too")
    args = parser.parse_args(argv)
    if not args.no_ocrmypdf and shutil.which("ocrmypdf") is None:
        raise SystemExit("ocrmypdf is not installed: run benchmarks/setup (or pass --no-ocrmypdf)")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    images = generated_pages(work, args.pages, args.profile, args.seed)
    pages = _page_count(images)
    print(f"{pages} {args.profile} pages (seed {args.seed}) in {images[0].parent}; {args.workers} workers")
    runners = ("threads", "processes") if args.runner == "both" else (args.runner,)
    pdf = work / f"{images[0].parent.name}.pdf"
    if not args.no_ocrmypdf and not pdf.exists():
        write_pdf(images, pdf)
    results: list[Figures] = []
    for _ in range(args.repeat):
        for runner in runners:
            figures = run_flow(work, [images[0].parent], workers=args.workers, runner=runner, label=runner)
            results.append(figures)
            _print_flow_details(figures)
        if not args.no_ocrmypdf:
            results.append(run_ocrmypdf(work, pdf, pages, workers=args.workers))
            print(f"\n{results[-1].tool}: {results[-1].pages_per_min:.1f} pages/min")
        if not args.no_tesseract:
            results.append(run_tesseract(work, images, workers=args.workers))
            print(f"\n{results[-1].tool}: {results[-1].pages_per_min:.1f} pages/min")
    _print_comparison(results)
    if args.book_pages:
        book = work / f"book-{args.book_pages}.pdf"
        if not book.exists():
            write_pdf(_repeated(images, args.book_pages), book)
        for runner in runners:
            figures = run_flow(work, [book], workers=args.workers, runner=runner, label=f"book-{runner}")
            results.append(figures)
            print(f"\none {args.book_pages}-page PDF ({book.stat().st_size / 1e6:.0f} MB):")
            _print_flow_details(figures)
    if args.json:
        args.json.write_text(
            json.dumps([{**r.__dict__, "pages_per_min": round(r.pages_per_min, 1)} for r in results], indent=2)
        )


if __name__ == "__main__":
    main()
