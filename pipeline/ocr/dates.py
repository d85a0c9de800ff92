"""Dates as written on the forms ('12.03.87', '«12» марта 1987 г.', '12-уми марти соли 1987', '12/III-1987') to ISO."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.ocr.lexicon import Lexicon
from pipeline.ocr.names import to_cyrillic

_SEPARATORS = re.compile(r"[\s.,:;/\\\-–—«»\"'“”„()]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class _Part:
    number: int | None = None  # a day, month or year written in digits
    digits: int = 0  # how many digits (tells a year from a day)
    month: int | None = None  # a month written as a word or a Roman numeral
    look_alike: bool = False  # read through look-alike characters ('УП' for VII, 'l2' for 12)


@dataclass(frozen=True)
class ParsedDate:
    iso: str
    # True when the month may be a misread Roman numeral: Tesseract prints I, II, III as '1', '11', '01' or
    # as Cyrillic look-alikes, with confidences as high as a clean read; the value is a guess to review.
    doubtful: bool


def _roman_month(token: str, lexicon: Lexicon) -> _Part | None:
    """A Roman month numeral, also as Tesseract prints it with Cyrillic data ('УП' for VII, 'ТТТ' for III)."""
    numeral = "".join(ch if ch in "IVX" else lexicon.roman_look_alikes.get(ch, "?") for ch in token)
    month = lexicon.roman_months.get(numeral)
    return None if month is None else _Part(month=month, look_alike=numeral != token)


def _number(token: str, lexicon: Lexicon) -> str | None:
    """Digits, with letter look-alikes (О for 0, З for 3) allowed beside at least one real digit."""
    if _DIGITS.fullmatch(token):
        return token
    if not any(ch.isascii() and ch.isdigit() for ch in token):
        return None
    mapped = "".join(ch if ch.isascii() and ch.isdigit() else lexicon.digit_look_alikes.get(ch, "?") for ch in token)
    return mapped if _DIGITS.fullmatch(mapped) else None


_SKIP = _Part()  # a word that carries no value: г., года, соли, the ending of '12-уми'


def _classify(token: str, lexicon: Lexicon) -> _Part | None:
    """A part of a date, ``_SKIP`` for a word without value, None for something that is no date."""
    if _DIGITS.fullmatch(token):
        return _Part(number=int(token), digits=len(token))
    lower = to_cyrillic(token, lexicon).lower()
    if lower in lexicon.date_filler_words or lower in lexicon.day_endings:
        return _SKIP
    month = lexicon.month_number(lower)
    if month is not None:
        return _Part(month=month)
    roman = None if _DIGITS.search(token) else _roman_month(token, lexicon)
    if roman is not None:
        return roman
    for ending in lexicon.day_endings:  # '12ум', '3юм' written without the hyphen
        stem = lower.removesuffix(ending)
        if stem != lower and _DIGITS.fullmatch(stem):
            return _Part(number=int(stem), digits=len(stem))
    digits = _number(token, lexicon)
    return None if digits is None else _Part(number=int(digits), digits=len(digits), look_alike=True)


def _year(part: _Part, reference_year: int | None) -> int | None:
    """A four-digit year, or a two-digit one placed in the century that puts it at or before the reference."""
    if part.number is None:
        return None
    if part.digits == 4:
        return part.number
    if part.digits == 2 and reference_year is not None:
        year = reference_year // 100 * 100 + part.number
        return year if year <= reference_year else year - 100
    return None


def _month(part: _Part, lexicon: Lexicon) -> int | None:
    if part.month is not None:
        return part.month
    if part.number is not None and part.digits <= 2:
        return part.number
    if part.number == 111:  # III with its strokes read as ones; '11' stays November
        return lexicon.roman_months.get("III")
    return None


def _day(part: _Part) -> int | None:
    return part.number if part.number is not None and part.digits <= 2 else None


def _doubtful_month(middle: _Part, separators: list[str], roman_months: bool) -> bool:
    """A month in digits that may be Roman strokes read as ones (I, II, III printed as '1', '01', '11'):
    always where the form's era wrote Roman months, else when written '1' or between separators other
    than dots ('17 11 1981' and '12/1-1987' are the layouts of Roman months, not of digits)."""
    if middle.number is None or f"{middle.number:0{middle.digits}d}" not in ("1", "01", "11", "111"):
        return False
    return roman_months or middle.digits != 2 or any(sep.strip() != "." for sep in separators)


def parse_date(
    text: str, lexicon: Lexicon, reference_year: int | None, *, roman_months: bool = False
) -> ParsedDate | None:
    """The ISO date, or None when the text is not exactly one valid calendar date.

    ``roman_months``: the form is of an era that wrote months in Roman numerals, so a month in ones is
    doubtful however it is laid out.
    """
    parts: list[_Part] = []
    separators: list[str] = []
    pieces = _SEPARATORS.split(text.strip())
    found = _SEPARATORS.findall(text.strip())
    for i, token in enumerate(pieces):
        if not token:
            continue
        part = _classify(token, lexicon)
        if part is None:
            return None
        if part is not _SKIP:
            if parts and i > 0:
                separators.append(found[i - 1])
            parts.append(part)
    if len(parts) != 3:
        return None
    first, middle, last = parts
    if first.digits == 4:  # 1987-03-12, or the certificate wording '1987 года марта месяца 12 числа'
        year, month, day = first.number, _month(middle, lexicon), _day(last)
    else:
        day, month, year = _day(first), _month(middle, lexicon), _year(last, reference_year)
    if day is None or month is None or year is None or not 1800 <= year <= 2200:
        return None
    try:
        iso = date(year, month, day).isoformat()
    except ValueError:
        return None
    doubtful = any(p.look_alike for p in parts) or _doubtful_month(middle, separators, roman_months)
    return ParsedDate(iso=iso, doubtful=doubtful)
