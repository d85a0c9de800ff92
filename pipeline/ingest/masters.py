"""Content-addressed, read-only storage of master scans (and of quarantined files, kept for inspection)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def master_path(masters_dir: Path, sha256: str, suffix: str) -> Path:
    return masters_dir / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"


def store_copy(source: Path, target: Path) -> Path:
    """Copies ``source`` to ``target`` atomically and makes it read-only; an existing target is kept.

    The source is only read. A crash mid-copy leaves a temporary file, never a partial master.
    """
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    with source.open("rb") as src, partial.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())
    partial.chmod(READ_ONLY)
    partial.replace(target)
    return target
