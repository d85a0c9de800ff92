"""Walks the files and folders given to a run, lazily and without leaving them through symlinks."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SCAN_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"})
# Files that live beside scans and are not scans: never ingested, never quarantined.
SIDECAR_SUFFIXES = frozenset({".json", ".md", ".txt", ".csv", ".yaml", ".yml", ".xml", ".db", ".ini"})


@dataclass(frozen=True)
class SourceFile:
    """A file found for a run. ``source_name`` is the path as the export reports it."""

    path: Path
    source_name: str
    problem: str | None = None  # set when the file must be quarantined without reading it


def _walk(root: Path) -> Iterator[Path]:
    """Yields files under ``root`` in a stable order, one directory listing in memory at a time."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=True) or entry.is_symlink():
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def discover(paths: Iterable[Path]) -> Iterator[SourceFile]:
    """Yields every scan candidate under the given files and folders.

    Folders are walked recursively; a symlink whose target lies outside the folder given is not followed
    (it is reported as a problem); sidecar files (truth JSON, notes) are skipped. A file named explicitly
    is always a candidate: if it is not a scan, ingest quarantines it with the reason.
    """
    for given in paths:
        if not given.exists() and not given.is_symlink():
            yield SourceFile(given, given.name, problem=f"{given}: no such file or folder")
            continue
        if given.is_dir():
            for path in _walk(given):
                name = path.relative_to(given).as_posix()
                suffix = path.suffix.lower()
                if suffix in SIDECAR_SUFFIXES:
                    continue
                if path.is_symlink() and not _inside(path, given):
                    yield SourceFile(path, name, problem=f"{name}: symlink pointing outside {given}; not followed")
                    continue
                yield SourceFile(path, name)
        else:
            yield SourceFile(given, given.name)
