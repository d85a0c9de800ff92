"""Name morphology for the generator: Russian-form spelling, feminine surnames, patronymics, -зода surnames."""

from __future__ import annotations

# How Soviet clerks and typewriters wrote the Tajik letters (DOMAIN: "spelling drift").
_RUSSIAN_SPELLING = str.maketrans(
    {
        "ҳ": "х",
        "Ҳ": "Х",
        "ҷ": "дж",
        "Ҷ": "Дж",
        "қ": "к",
        "Қ": "К",
        "ғ": "г",
        "Ғ": "Г",
        "ӯ": "у",
        "Ӯ": "У",
        "ӣ": "и",
        "Ӣ": "И",
    }
)
_FEMININE = (("ский", "ская"), ("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина"))
# After these letters the Russian patronymic takes its soft form: Мирзо -> Мирзоевич, Абдулла -> Абдуллаевич.
_SOFT_AFTER = "аеёиӣоӯуыэюя"
RUSSIAN_SURNAME_ENDINGS = ("ов", "ев", "ёв", "ин")


def russian_spelling(text: str) -> str:
    """The text as a Russian-language clerk would have written it: Ҷӯраев -> Джураев."""
    return text.translate(_RUSSIAN_SPELLING)


def capitalise(word: str) -> str:
    """First letter of each hyphenated part capital, the rest small: 'МИРЗО-АЛИ' -> 'Мирзо-Али'."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def is_russian_style(surname: str) -> bool:
    return surname.endswith(RUSSIAN_SURNAME_ENDINGS)


def feminine_surname(surname: str) -> str:
    """Раҳимов -> Раҳимова; Tajik forms (-зода, -ӣ, -иён, no ending) are the same for both sexes."""
    for male, female in _FEMININE:
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


def masculine_surname(surname: str) -> str:
    for male, female in _FEMININE:
        if surname.endswith(female):
            return surname[: -len(female)] + male
    return surname


def surname_for(surname: str, female: bool) -> str:
    """A family surname (either form) in the form for a man or a woman."""
    male = masculine_surname(surname)
    return feminine_surname(male) if female else male


def russian_patronymic(father_name: str, female: bool) -> str:
    """Каримович / Каримовна; soft after a vowel (Мирзоевич) and in place of a final й (Ҳусейн keeps its н)."""
    stem = father_name
    if stem.endswith("й"):
        stem, soft = stem[:-1], True
    else:
        soft = stem[-1:].lower() in _SOFT_AFTER
    if soft:
        return stem + ("евна" if female else "евич")
    return stem + ("овна" if female else "ович")


def zoda_surname(father_name: str) -> str:
    """The post-2007 surname formed from the father's name: Раҳим -> Раҳимзода."""
    return father_name + "зода"
