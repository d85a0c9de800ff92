"""Audit sampling: which auto-verified records go to review as an audit (seeded, reproducible), how many, and
the error of auto-accepted fields measured on them with a Wilson confidence interval. Pure."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

from pipeline.qa.rules import AuditSettings

AUDIT_SAMPLE = "audit_sample"


@dataclass(frozen=True)
class ErrorEstimate:
    """Errors among fields checked, with the interval that holds the true error rate at ``confidence``."""

    errors: int
    fields: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.errors / self.fields if self.fields else 0.0


def wilson_interval(errors: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when nothing was measured. Unlike the normal
    approximation it stays inside [0, 1] and is not zero-width when no error was found."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= errors <= n:
        raise ValueError(f"errors ({errors}) must lie between 0 and n ({n})")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = errors / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def estimate_error(errors: int, fields: int, confidence: float = 0.95) -> ErrorEstimate:
    low, high = wilson_interval(errors, fields, confidence)
    return ErrorEstimate(errors=errors, fields=fields, low=low, high=high)


def audit_share(settings: AuditSettings, estimate: ErrorEstimate | None) -> float:
    """The base share, raised (capped) where audits measured an error whose upper bound exceeds the target;
    with nothing measured yet the base share stands."""
    if estimate is None or estimate.fields == 0 or estimate.high <= settings.target_error:
        return settings.share
    return min(settings.max_share, settings.share * settings.raise_factor)


def _rank(seed: str, scope: str, record_id: str) -> str:
    return hashlib.sha256(f"{seed}\x00{scope}\x00{record_id}".encode()).hexdigest()


def draw_sample(candidates: Iterable[str], already_audited: int, share: float, *, seed: str, scope: str) -> list[str]:
    """Records to add to one scope's audit (a book, per form) so that ``share`` of its auto-verified records
    (those audited before included) are audited; at least one where any is auto-verified.

    Each record's place in the draw is a hash of the seed, the scope and its id, so a draw is reproducible
    and a record drawn once stays drawn when more records arrive.
    """
    pool = sorted(candidates, key=lambda record_id: _rank(seed, scope, record_id))
    total = len(pool) + already_audited
    wanted = math.ceil(share * total) if total else 0
    return pool[: max(0, wanted - already_audited)]
