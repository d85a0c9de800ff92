"""Backup benchmark: `archive backup` and `archive restore` of a filled PostgreSQL archive with real master files.

    python -m benchmarks.backup_bench [--url postgresql+psycopg://...] [--records 50000] [--masters 200]
                                      [--master-mb 1]

The database named in the URL (default ``archive_bench_backup`` on the local server) is emptied and filled with
the review benchmark's records; ``--masters`` scan files get a master of ``--master-mb`` random (incompressible,
like a scan) megabytes. The backup goes to a temporary folder, then is restored into a new database beside the
first (``<name>_restored``) and a new data directory. Prints rows, sizes, seconds and the machine's load.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.common import arguments, ensure_database, load_average, local_database, refill
from benchmarks.review_bench import fill
from database.session import dispose_engines
from pipeline.config import Settings
from pipeline.ingest.masters import master_path, store_copy
from services.backup import backup, restore

DEFAULT_URL = local_database("archive_bench_backup")


def _masters(settings: Settings, count: int, megabytes: float) -> int:
    """Random files stored as the first ``count`` scan files' masters; returns their total bytes."""
    engine = create_engine(settings.workflow_url)
    scratch = settings.resolved_data_dir / "scratch.bin"
    total = 0
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM scan_files ORDER BY id LIMIT :n"), {"n": count}).scalars().all()
        for scan_id in ids:
            content = os.urandom(int(megabytes * 1_000_000))
            scratch.write_bytes(content)
            sha256 = hashlib.sha256(content).hexdigest()
            stored = store_copy(scratch, master_path(settings.masters_dir, sha256, ".tif"))
            conn.execute(
                text("UPDATE scan_files SET sha256 = :s, master_path = :p, size_bytes = :b WHERE id = :i"),
                {
                    "s": sha256,
                    "p": str(stored.relative_to(settings.resolved_data_dir)),
                    "b": len(content),
                    "i": scan_id,
                },
            )
            total += len(content)
    scratch.unlink()
    engine.dispose()
    return total


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = arguments(__doc__, DEFAULT_URL, 50_000)
    parser.add_argument("--masters", type=int, default=200, help="scan files given a master file")
    parser.add_argument("--master-mb", type=float, default=1.0, help="size of each master file (MB)")
    args = parser.parse_args()
    restored_url = make_url(args.url)
    restored_url = restored_url.set(database=f"{restored_url.database}_restored")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        settings = Settings(database_url=args.url, data_dir=root / "data")
        settings.masters_dir.mkdir(parents=True)
        spent = refill(settings, lambda: fill(settings, args.records))
        start = time.perf_counter()
        master_bytes = _masters(settings, args.masters, args.master_mb)
        masters_spent = time.perf_counter() - start
        print(f"filled {args.records} records in {spent:.0f} s, {args.masters} masters in {masters_spent:.0f} s")

        start = time.perf_counter()
        manifest = backup(settings, root / "backup")
        spent = time.perf_counter() - start
        rows = sum(sum(d["tables"].values()) for d in manifest["databases"])
        dump_mb = sum(d["bytes"] for d in manifest["databases"]) / 1e6
        print(
            f"backup: {rows} rows ({dump_mb:.0f} MB dump) and {master_bytes / 1e6:.0f} MB of masters "
            f"in {spent:.1f} s; {load_average()}"
        )

        target_url = restored_url.render_as_string(hide_password=False)
        ensure_database(target_url)
        engine = create_engine(target_url)
        with engine.begin() as conn:  # a fresh database each run
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        target = Settings(database_url=target_url, data_dir=root / "restored")
        start = time.perf_counter()
        report = restore(target, root / "backup")
        spent = time.perf_counter() - start
        print(
            f"restore: {report.rows} rows and {report.masters} masters ({_folder_bytes(target.masters_dir) / 1e6:.0f} "
            f"MB) checked in {spent:.1f} s; {load_average()}"
        )
        shutil.rmtree(root / "backup")
    dispose_engines()


if __name__ == "__main__":
    main()
