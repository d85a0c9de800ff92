"""Fixity: re-hashes every stored master and reports any that changed or went missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.workflow import ScanFile, ScanFileState
from pipeline.config import Settings
from pipeline.ingest.fingerprint import sha256_of


@dataclass
class FixityReport:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


def verify_masters(
    session: Session, settings: Settings, on_progress: Callable[[int, int], None] | None = None
) -> FixityReport:
    """Streams over the stored masters (never all rows in memory) and compares each file's hash."""
    report = FixityReport()
    total = session.scalar(select(func.count()).where(ScanFile.state == ScanFileState.STORED)) or 0
    query = select(ScanFile.sha256, ScanFile.master_path, ScanFile.source_path).where(
        ScanFile.state == ScanFileState.STORED
    )
    for sha256, master, source in session.execute(query.execution_options(yield_per=500)):
        report.checked += 1
        path = settings.resolved_data_dir / (master or "")
        if not master or not path.is_file():
            report.missing.append(f"{source} ({sha256[:12]})")
        elif sha256_of(path) != sha256:
            report.changed.append(f"{source} ({sha256[:12]})")
        if on_progress:
            on_progress(report.checked, total)
    return report
