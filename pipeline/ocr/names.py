"""Name parts from OCR text: clean-up, capitalisation, and Tajik letters lost to Russian look-alikes restored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.ocr.lexicon import Lexicon, LexiconKind

# characters that ruled-line remnants and specks turn into at the ends of a word; never part of a name
EDGE_NOISE = " .,;:|_-—–'\"«»()[]{}!?/\\"
_NAME = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class NameReading:
    value: str
    lexicon_match: bool


def to_cyrillic(text: str, lexicon: Lexicon, *, force: bool = False) -> str:
    """Latin look-alikes (a, c, e, o, p, x, ...) replaced in every word that is otherwise Cyrillic.

    Tesseract with Cyrillic language data rarely prints Latin letters, but when it does the word looks
    right and compares wrong. ``force`` replaces them in every word (for values that are never Latin).
    """

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if force or (_CYRILLIC.search(word) and _LATIN.search(word)):
            return "".join(lexicon.latin_to_cyrillic.get(ch, ch) for ch in word)
        return word

    return re.sub(r"\S+", fix, text)


def clean_name_word(raw: str, lexicon: Lexicon) -> str | None:
    """One name part as letters (hyphen-joined parts allowed), or None when it is not one word of Cyrillic."""
    word = to_cyrillic(unicodedata.normalize("NFC", raw), lexicon).strip(EDGE_NOISE)
    if not _NAME.fullmatch(word) or _LATIN.search(word):
        return None
    return word


def capitalise(word: str) -> str:
    """'МИРЗО-АЛИ' -> 'Мирзо-Али'."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _units(word: str, lexicon: Lexicon) -> list[str]:
    """Letters of a lower-case word, with a folded digraph (дж) as one unit, so spellings align."""
    units: list[str] = []
    i = 0
    while i < len(word):
        for digraph in lexicon.digraph_folding:
            if word.startswith(digraph, i):
                units.append(digraph)
                i += len(digraph)
                break
        else:
            units.append(word[i])
            i += 1
    return units


def _tajik_slip(written: str, read: str, lexicon: Lexicon) -> bool:
    """A Tajik letter read as its one Russian (or Uzbek) look-alike: Ҳ->Х, Ҷ->Ч, Ӯ->У or Ў. The one direction
    Tesseract slips in; a digraph such as дж is a spelling, not a slip."""
    return (
        written in lexicon.tajik_only_letters
        and len(read) == 1
        and read not in lexicon.tajik_only_letters
        and lexicon.fold(read) == lexicon.fold(written)
    )


def _lost_tajik_letters_only(observed: str, known: str, lexicon: Lexicon) -> bool:
    """True when ``observed`` differs from ``known`` only where a Tajik letter of ``known`` slipped."""
    seen, want = _units(observed.lower(), lexicon), _units(known.lower(), lexicon)
    return len(seen) == len(want) and all(o == k or _tajik_slip(k, o, lexicon) for o, k in zip(seen, want, strict=True))


def resolve_name(word: str, kind: LexiconKind | None, lexicon: Lexicon) -> NameReading:
    """The canonical spelling of one cleaned name part and whether the lexicon knows it.

    A spelling is known when the lexicon lists it, or lists a Tajik spelling of which it is the Russian
    form (Хасанов for Ҳасанов): both are legitimate and both stay as read. A reading that mixes a Tajik
    letter with a Russian look-alike where the lexicon's one spelling has Tajik letters throughout
    (Ҷураев for Ҷӯраев) cannot be spelled that way, so the lexicon's spelling is taken.
    """
    observed = capitalise(word)
    if "-" in observed:
        if observed in lexicon.candidates(kind, observed):
            return NameReading(observed, True)
        parts = [resolve_name(part, kind, lexicon) for part in word.split("-")]
        return NameReading("-".join(p.value for p in parts), all(p.lexicon_match for p in parts))
    candidates = lexicon.candidates(kind, observed)
    if observed in candidates:
        return NameReading(observed, True)
    if not candidates:
        return NameReading(observed, False)
    tajik_evidence = lexicon.tajik_only_letters | lexicon.tajik_look_alikes
    if not any(ch in tajik_evidence for ch in observed.lower()):
        # a Russian-form spelling of a known name: legitimate, kept as written
        return NameReading(observed, True)
    fitting = [c for c in candidates if _lost_tajik_letters_only(observed, c, lexicon)]
    if len(fitting) == 1:
        return NameReading(fitting[0], True)
    return NameReading(observed, False)


def look_alike_rival(value: str, kind: LexiconKind | None, lexicon: Lexicon, *, russian_record: bool = False) -> bool:
    """Whether another listed spelling could have been misread as ``value``.

    Tesseract's confidence does not drop for these slips, so the lexicon has to say it: a spelling with a
    Tajik letter where ``value`` has its Russian look-alike (Ҳасанов read as Хасанов, or written by hand on
    a Soviet form and read with Russian data, which has no Tajik letters), or a spelling differing in ё and
    е, whose two dots are lost and made up alike. In a record written in Russian (``russian_record``) names
    are spelt the Russian way, so only the ё/е twin remains a rival.
    """
    seen = _units(value.lower(), lexicon)
    for other in lexicon.candidates(kind, value):
        known = _units(other.lower(), lexicon)
        if (
            known != seen
            and len(known) == len(seen)
            and all(_slip(k, s, lexicon, tajik=not russian_record) for k, s in zip(known, seen, strict=True))
        ):
            return True
    return False


def _slip(written: str, read: str, lexicon: Lexicon, *, tajik: bool = True) -> bool:
    """Whether Tesseract can read the letter ``written`` as ``read``: the same, ё and е, or (``tajik``) a Tajik
    letter as its look-alike."""
    return written == read or {written, read} == {"ё", "е"} or (tajik and _tajik_slip(written, read, lexicon))
