"""Search keys of names: one Latin key for Tajik, Russian and Latin spellings, so that Ҳасанов, Хасанов and
Hasanov (or Khasanov) are found by one another. Pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from pipeline.ocr.lexicon import fold

# Russian letters after folding (Tajik ҳ ҷ қ ғ ӯ ӣ are folded to х ч к г у и first) to Latin, choosing the
# Tajik Latin letters where the two conventions part: х is h (Ҳасан, Hasan), ч is ch.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
# Latin spellings brought to the same key: Russian-style romanisations (Khasanov, Dzhuraev, Aliyev) and
# Tajik Latin (Jurayev, Qodirov, Ghafurov) meet the transliteration of the folded Cyrillic.
LATIN_SPELLINGS = (
    ("dzh", "ch"),
    ("dj", "ch"),
    ("kh", "h"),
    ("gh", "g"),
    ("yo", "e"),
    ("ye", "e"),
    ("j", "ch"),
    ("x", "h"),
    ("q", "k"),
    ("w", "v"),
    ("c", "ts"),
)
_CH_TS = re.compile(r"tsh")  # 'ch' came through the 'c' -> 'ts' step as 'tsh'
_NON_LETTERS = re.compile(r"[^a-z]+")


def latin_key(text: str, fold: Callable[[str], str]) -> str:
    """Lower-case Latin words separated by one space. ``fold`` is the lexicon's folding key, which turns
    Tajik letters (and дж) into their Russian counterparts before transliteration."""
    folded = fold(text)
    latin = "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in folded)
    # accents of Latin spellings (ū, ī) go; anything not a Latin letter separates words
    latin = "".join(ch for ch in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(ch)).lower()
    words = []
    for word in _NON_LETTERS.split(latin):
        if not word:
            continue
        # the Cyrillic transliteration is already in key form; only Latin input needs its spellings mapped,
        # but the mappings leave a key unchanged, so every word takes them
        for written, key in LATIN_SPELLINGS:
            word = word.replace(written, key)
        words.append(_CH_TS.sub("ch", word))
    return " ".join(words)


def person_name_key(surname: str | None, name: str | None, patronymic: str | None) -> str | None:
    """The registry's search key of a person: surname, name and patronymic, in that order."""
    text = " ".join(p for p in (surname, name, patronymic) if p)
    return latin_key(text, fold) or None if text else None
