"""First and second copies of the same act: matched by the natural key, confirmed by date or name, else by
date and fuzzy name (OpenCRVS's length-scaled Levenshtein); field values compared, marks never. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz.distance import Levenshtein

COPY_DISAGREEMENT = "copy_disagreement"
COPY_KEY_CONFLICT = "copy_key_conflict"

# whose name identifies an act, and which date is its event (a marriage's is its registration)
PRINCIPALS: Mapping[str, tuple[str, ...]] = {
    "birth": ("child",),
    "death": ("deceased",),
    "marriage": ("groom", "bride"),
}
EVENT_DATE: Mapping[str, str] = {"birth": "child_birth_date", "death": "death_date", "marriage": "registration_date"}


class CopyMatch(StrEnum):
    MATCHED = "matched"  # same act number, confirmed by the registration date or the principal's name
    FUZZY = "fuzzy_matched"  # no usable number match: same registration date, name and event date
    KEY_CONFLICT = "key_conflict"  # same act number, but neither date nor name agrees: a number misread
    FIRST_ONLY = "first_only"
    SECOND_ONLY = "second_only"


@dataclass(frozen=True)
class CopyRecord:
    """What matching needs of one copy's record."""

    record_id: str
    act_number: int | None
    registration_date: date | None
    event_date: date | None
    names: tuple[str, ...]  # folded principal name parts, in a fixed order (surname, name per principal)


@dataclass(frozen=True)
class Pairing:
    kind: CopyMatch
    first_id: str | None
    second_id: str | None


def allowed_edits(length: int) -> int:
    """OpenCRVS: names of 0-3 characters must be equal, 4-6 may differ by one edit, 7 or more by two."""
    if length <= 3:
        return 0
    return 1 if length <= 6 else 2


def name_distance(a: Sequence[str], b: Sequence[str]) -> int | None:
    """Summed edits between the name parts, None when a part is beyond its bound (or nothing to compare)."""
    compared = [(x, y) for x, y in zip(a, b, strict=False) if x and y]
    if not compared:
        return None
    total = 0
    for x, y in compared:
        bound = allowed_edits(max(len(x), len(y)))
        distance = Levenshtein.distance(x, y, score_cutoff=bound)
        if distance > bound:
            return None
        total += distance
    return total


def principal_names(values: Mapping[str, str | None], act_type: str, fold: Callable[[str], str]) -> tuple[str, ...]:
    """Folded surname and given name of each principal, from separate fields or a full name."""
    names: list[str] = []
    for role in PRINCIPALS.get(act_type, ()):
        full = (values.get(f"{role}_full_name") or "").split()
        surname = values.get(f"{role}_surname") or values.get(f"{role}_surname_before") or (full[0] if full else "")
        given = values.get(f"{role}_name") or (full[1] if len(full) > 1 else "")
        names += [fold(surname).strip(), fold(given).strip()]
    return tuple(names)


def _confirmed(first: CopyRecord, second: CopyRecord) -> bool:
    same_day = first.registration_date is not None and first.registration_date == second.registration_date
    return same_day or name_distance(first.names, second.names) is not None


def _near(a: date | None, b: date | None, days: int) -> bool:
    return a is None or b is None or abs((a - b).days) <= days


def match_copies(
    firsts: Sequence[CopyRecord], seconds: Sequence[CopyRecord], *, event_date_days: int = 5
) -> list[Pairing]:
    """Every record of one block (office, act type, year) in exactly one pairing.

    1. The same act number, confirmed by the registration date or the principal's name: matched.
    2. Left over (no number, or a number whose partner disagrees on both): the same registration date, the
       name within its bound and the event date within ``event_date_days``: fuzzy matched, nearest name first.
    3. A number pair that failed to confirm and found nothing better: key_conflict.
    4. The rest: first_only / second_only.
    """
    by_number: dict[int, list[CopyRecord]] = defaultdict(list)
    for second in seconds:
        if second.act_number is not None:
            by_number[second.act_number].append(second)
    paired: set[str] = set()
    pairings: list[Pairing] = []
    conflicts: list[tuple[CopyRecord, CopyRecord]] = []
    for first in firsts:
        if first.act_number is None:
            continue
        candidates = [s for s in by_number.get(first.act_number, []) if s.record_id not in paired]
        if not candidates:
            continue
        confirmed = next((s for s in candidates if _confirmed(first, s)), None)
        if confirmed is None:
            conflicts.append((first, candidates[0]))
            continue
        paired.update((first.record_id, confirmed.record_id))
        pairings.append(Pairing(CopyMatch.MATCHED, first.record_id, confirmed.record_id))
    by_day: dict[date, list[CopyRecord]] = defaultdict(list)
    for second in seconds:
        if second.record_id not in paired and second.registration_date is not None:
            by_day[second.registration_date].append(second)
    for first in firsts:
        if first.record_id in paired or first.registration_date is None:
            continue
        scored = []
        for second in by_day.get(first.registration_date, []):
            distance = name_distance(first.names, second.names)
            if (
                second.record_id not in paired
                and distance is not None
                and _near(first.event_date, second.event_date, event_date_days)
            ):
                scored.append((distance, second.record_id))
        if scored:
            _distance, second_id = min(scored)
            paired.update((first.record_id, second_id))
            pairings.append(Pairing(CopyMatch.FUZZY, first.record_id, second_id))
    for first, second in conflicts:
        if first.record_id not in paired and second.record_id not in paired:
            paired.update((first.record_id, second.record_id))
            pairings.append(Pairing(CopyMatch.KEY_CONFLICT, first.record_id, second.record_id))
    pairings += [Pairing(CopyMatch.FIRST_ONLY, f.record_id, None) for f in firsts if f.record_id not in paired]
    pairings += [Pairing(CopyMatch.SECOND_ONLY, None, s.record_id) for s in seconds if s.record_id not in paired]
    return pairings


def disagreeing_fields(
    first: Mapping[str, str | None],
    second: Mapping[str, str | None],
    fold: Callable[[str], str],
    never_compared: Iterable[str] = ("marks",),
) -> tuple[str, ...]:
    """Keys both copies have whose values differ once folded (Ҳасанов and Хасанов agree: one person written
    in Tajik and in Russian spelling). A value on one copy and a blank on the other disagree."""
    skipped = set(never_compared)

    def norm(value: str | None) -> str | None:
        return " ".join(fold(value).split()) or None if value else None

    return tuple(k for k in first if k in second and k not in skipped and norm(first[k]) != norm(second[k]))
