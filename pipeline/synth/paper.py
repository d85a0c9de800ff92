"""How a canonical value is written on the paper form: the date, sex, name and number formats of the catalogue.

Each writer takes the value and a seeded ``random.Random`` and returns the text as a clerk would have put it;
``era`` is ``"su"`` for Soviet Russian-language forms and ``"tj"`` for the bilingual forms since 2010.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from pipeline.synth.lexicon import SynthLexicon

Era = Literal["su", "tj"]

# What a blank optional field holds on paper, and how often: mostly nothing at all.
BLANK_MARKS: tuple[tuple[str, float], ...] = (("", 0.7), ("—", 0.15), ("-", 0.05), ("нет", 0.1))

_SEX_WORDS: Mapping[Era, Sequence[tuple[str, str, float]]] = {
    "su": (("мужской", "женский", 0.4), ("муж.", "жен.", 0.45), ("м", "ж", 0.15)),
    "tj": (
        ("мард", "зан", 0.45),
        ("мардона", "занона", 0.1),
        ("мужской", "женский", 0.15),
        ("муж.", "жен.", 0.1),
        ("мард / мужской", "зан / женский", 0.2),
    ),
}

# Date patterns by era and their shares; fields: d (day), dd (zero-padded), mm, yyyy, yy, and month words.
_DATE_PATTERNS: Mapping[Era, Sequence[tuple[str, float]]] = {
    "su": (
        ("{dd}.{mm}.{yyyy}", 0.38),
        ("{d} {ru_gen} {yyyy} г.", 0.22),
        ("{dd} {ru_gen} {yyyy} года", 0.05),
        ("«{d}» {ru_gen} {yyyy} г.", 0.05),
        ("{dd}/{roman}-{yyyy}", 0.1),
        ("{dd}.{roman}.{yyyy}", 0.06),
        ("{d} {roman} {yyyy}", 0.04),
        ("{dd}.{mm}.{yy}", 0.1),
    ),
    "tj": (
        ("{dd}.{mm}.{yyyy}", 0.4),
        ("{dd}.{mm}.{yyyy} с.", 0.1),
        ("{d} {tg_izofat} {yyyy} с.", 0.15),
        ("{d} {tg_izofat} соли {yyyy}", 0.05),
        ("{d}-уми {tg_izofat} соли {yyyy}", 0.03),
        ("{d} {tg_nom} {yyyy}", 0.07),
        ("{d} {ru_gen} {yyyy} г.", 0.17),
        ("{dd}/{roman}-{yyyy}", 0.03),
    ),
}


def pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    """One of the texts, by its share."""
    return rng.choices([text for text, _ in weighted], weights=[w for _, w in weighted])[0]


def written_date(value: date, era: Era, lexicon: SynthLexicon, rng: random.Random) -> str:
    """'12.03.1987', '12 марта 1987 г.', '12 марти 1987 с.', '12/III-1987', ... (a two-digit year only on
    Soviet forms, where the century is never in doubt)."""
    month = value.month - 1
    return pick(rng, _DATE_PATTERNS[era]).format(
        d=value.day,
        dd=f"{value.day:02d}",
        mm=f"{value.month:02d}",
        yyyy=value.year,
        yy=f"{value.year % 100:02d}",
        ru_gen=lexicon.months["ru_genitive"][month],
        tg_izofat=lexicon.months["tg_izofat"][month],
        tg_nom=lexicon.months["tg_nominative"][month],
        roman=lexicon.months["roman"][month],
    )


def written_sex(female: bool, era: Era, rng: random.Random) -> str:
    options = _SEX_WORDS[era]
    male_word, female_word, _ = rng.choices(options, weights=[w for *_, w in options])[0]
    return female_word if female else male_word


def written_number(number: int, rng: random.Random) -> str:
    return pick(rng, ((str(number), 0.7), (f"№ {number}", 0.2), (f"№{number}", 0.1)))


def written_name_parts(parts: Sequence[str], capitals: str) -> str:
    """Name parts as on paper. ``capitals``: 'none', 'surname' (the first part in capitals) or 'all'."""
    if capitals == "all":
        return " ".join(part.upper() for part in parts)
    if capitals == "surname" and parts:
        return " ".join([parts[0].upper(), *parts[1:]])
    return " ".join(parts)


def written_blank(rng: random.Random) -> str:
    return pick(rng, BLANK_MARKS)
