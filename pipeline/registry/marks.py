"""References to other acts in later marks ("Установлено отцовство, з/а № 45 от 12.03.1990"): what kind of
act is cited, its number and date, so the registry can link the act a mark amends to the act it cites. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.ocr.dates import parse_date
from pipeline.ocr.lexicon import Lexicon

# word stems (folded, lower case) that name the cited act's type, Russian and Tajik; the first found wins
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("divorce", ("расторж", "бекор")),
    ("paternity", ("отцовств", "падари")),
    ("adoption", ("усыновл", "удочер", "фарзандхонд")),
    ("name_change", ("перемен", "иваз")),
    ("death", ("смерт", "умер", "вафот")),
    ("marriage", ("брак", "никох")),
    ("birth", ("рожден", "таваллуд")),
)
# 'з/а' (запись акта), 'а/з' (актовая запись), 'сабти асноди'; then up to 60 characters of type words before
# '№ N', and optionally 'от' / 'аз' and a date of at most 30 characters
_REFERENCE = re.compile(
    r"(?P<cue>з\s*/\s*а|а\s*/\s*з|запис\w*\s+акт\w*|сабти\s+асно\w*)(?P<words>[^№]{0,60}?)"
    r"№\s*(?P<number>\d{1,6})(?:\s*(?:от|аз)\s+(?P<date>[^,;()]{4,30}?))?(?=$|[,;()]|\s+(?:[а-яё]{4,}))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MarkReference:
    kind: str | None  # the cited act's type (divorce, paternity ...); None when the mark does not say
    number: str
    date: str | None  # ISO
    text: str  # the part of the mark that cites it


def _kind(text: str, lexicon: Lexicon) -> str | None:
    folded = lexicon.fold(text)
    return next((kind for kind, stems in KIND_WORDS if any(stem in folded for stem in stems)), None)


def parse_mark_references(marks: str | None, lexicon: Lexicon) -> tuple[MarkReference, ...]:
    """Every act a mark cites. The cited type comes from the words before the number, else from the whole
    sentence ("Брак расторгнут ... з/а № 12"); a date that does not parse is left out, the number kept."""
    if not marks:
        return ()
    found = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[А-ЯЁҲҶҚҒӮӢ])|\n", marks):
        for match in _REFERENCE.finditer(sentence):
            kind = _kind(match.group("words"), lexicon) or _kind(sentence[: match.start()], lexicon)
            written = (match.group("date") or "").strip()
            parsed = parse_date(written, lexicon, None) if written else None
            found.append(
                MarkReference(
                    kind=kind,
                    number=str(int(match.group("number"))),
                    date=parsed.iso if parsed else None,
                    text=match.group(0).strip(),
                )
            )
    return tuple(found)
