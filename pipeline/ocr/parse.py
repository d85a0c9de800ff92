"""Parses the raw text of a field to the canonical value of its type (catalogue.yaml ``value_types``). Pure."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from pipeline.ocr.dates import parse_date
from pipeline.ocr.lexicon import Lexicon, LexiconKind
from pipeline.ocr.names import clean_name_word, look_alike_rival, resolve_name, to_cyrillic
from pipeline.qa.decide import LOW_CONFIDENCE, NOT_IN_LEXICON, PARSE_FAILED
from pipeline.types import ParsedValue

_DASHES = frozenset("-—–‒―−_")
_NUMBER_MARKS = re.compile(r"№|N[oо]?\.?|\s")
_DIGITS = re.compile(r"[0-9]+")
_LETTER_WORDS = re.compile(r"[^\W\d_]+")
_PLACE_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Words a fuzzy sex word may be: long enough that one wrong letter cannot turn one word into another.
_FUZZY_MIN_LENGTH = 4
# The shortest sex word the lexicon vouches for: муж, жен, зан.
_SEX_WORD_MIN = 3
# A full name is surname, given name and patronymic; the patronymic may be absent, and Uzbek patronymics
# add a fourth word (ўғли / қизи).
FULL_NAME_KINDS: tuple[LexiconKind | None, ...] = ("surname", "given_name", "patronymic", None)


def clean_text(raw: str) -> str:
    """NFC, runs of white space collapsed to one space, trimmed; stray '|' and '_' of ruled-line remnants at
    either end dropped."""
    return " ".join(unicodedata.normalize("NFC", raw).split()).strip(" |_")


def is_blank(text: str, lexicon: Lexicon) -> bool:
    """Empty, only dashes, or a word meaning 'none' ('нет')."""
    return not text or set(text.replace(" ", "")) <= _DASHES or text.lower() in lexicon.blank_words


def _failed(cleaned: str) -> ParsedValue:
    return ParsedValue(value=cleaned or None, ok=False, reasons=(PARSE_FAILED,))


def _parse_number(text: str, lexicon: Lexicon) -> str | None:
    """ASCII digits without leading zeros. Letters that look like digits count only beside a real digit:
    'О' alone may be a letter, 'l2О' cannot be anything but 120."""
    bare = _NUMBER_MARKS.sub("", text).rstrip(".")
    if not bare or not any(ch.isascii() and ch.isdigit() for ch in bare):
        return None
    digits = "".join(ch if ch.isascii() and ch.isdigit() else lexicon.digit_look_alikes.get(ch, "?") for ch in bare)
    return str(int(digits)) if _DIGITS.fullmatch(digits) else None


def _parse_sex(text: str, lexicon: Lexicon) -> ParsedValue:
    """'male' or 'female' when every word says the same (bilingual forms write 'мард / мужской'); vouched for
    by the lexicon when every word is a listed sex word as written, not one a letter away, nor a lone letter
    ('м', 'ж'), which a speck or a stroke can make."""
    words = _LETTER_WORDS.findall(to_cyrillic(text, lexicon, force=True).lower())
    sex = _sex_of(words, lexicon)
    if sex is None:
        return _failed(text)
    listed = all(word in lexicon.sex_words and len(word) >= _SEX_WORD_MIN for word in words)
    return ParsedValue(value=sex, ok=True, lexicon_match=listed)


def _sex_of(words: list[str], lexicon: Lexicon) -> str | None:
    found: set[str] = set()
    for word in words:
        sex = lexicon.sex_words.get(word)
        if sex is None and len(word) >= _FUZZY_MIN_LENGTH:
            near = {
                s
                for w, s in lexicon.sex_words.items()
                if len(w) >= _FUZZY_MIN_LENGTH and Levenshtein.distance(word, w) <= 1
            }
            sex = near.pop() if len(near) == 1 else None
        if sex is None:
            return None
        found.add(sex)
    return found.pop() if len(found) == 1 else None


def _parse_name(text: str, lexicon: Lexicon, kind: LexiconKind | None) -> ParsedValue:
    word = clean_name_word(text, lexicon)
    if word is None:
        return _failed(text)
    reading = resolve_name(word, kind, lexicon)
    reasons = () if reading.lexicon_match else (NOT_IN_LEXICON,)
    if _mixed_case(text):
        # a capital inside the word: Tesseract's way of reading a Tajik letter it does not know (Ҷ in
        # Алиҷонович read АлиЧонович), or handwriting's look-alike capitals
        reasons = (*reasons, LOW_CONFIDENCE)
    return ParsedValue(value=reading.value, ok=True, lexicon_match=reading.lexicon_match, reasons=reasons)


def _parse_full_name(text: str, lexicon: Lexicon) -> ParsedValue:
    words = text.split()
    if not 2 <= len(words) <= len(FULL_NAME_KINDS):
        return _failed(text)
    values: list[str] = []
    matched = True
    doubtful = False
    for word, kind in zip(words, FULL_NAME_KINDS, strict=False):
        part = _parse_name(word, lexicon, kind)
        if not part.ok or part.value is None:
            return _failed(text)
        values.append(part.value)
        matched = matched and bool(part.lexicon_match)
        doubtful = doubtful or LOW_CONFIDENCE in part.reasons
    reasons = (() if matched else (NOT_IN_LEXICON,)) + ((LOW_CONFIDENCE,) if doubtful else ())
    return ParsedValue(value=" ".join(values), ok=True, lexicon_match=matched, reasons=reasons)


def _listed_spelling(text: str, kind: LexiconKind, lexicon: Lexicon) -> str | None:
    """The listed spelling of a closed-list entry written in other letter case (ТОҶИК -> тоҷик), if any. A
    nationality that is only an abbreviation takes its dot and a full word none, whatever specks were read
    ('тадж' -> тадж., 'тоҷик.' -> тоҷик), and so does a citizenship, as listed (no listed one has a dot:
    'Тоҷикистон.' -> Тоҷикистон); otherwise (рус is both) the dot stays as written."""
    bare = text.strip(" .")
    dot = "." if text.rstrip().endswith(".") else ""
    listed = next((c for c in sorted(lexicon.candidates(kind, text)) if c.lower() == bare.lower()), None)
    if listed is None:
        return None
    if kind == "nationality":
        abbreviation = listed in lexicon.nationality_abbreviations
        word = listed in lexicon.nationality_words
        if abbreviation != word:
            dot = "." if abbreviation else ""
    if kind == "citizenship":
        dot = ""
    return f"{listed}{dot}"


# Specks Tesseract reads around a word of a closed list: a dot or comma before it; a comma or bar after it, or a
# dot after a space.
_CLOSED_LIST_SPECKS = re.compile(r"^[\s.,|]+|(?:\s*[,|]|\s+\.)+$")


def _doubtful_punctuation(text: str, lexicon: Lexicon) -> bool:
    """A dot or comma Tesseract likely confused, which its confidence does not show: an abbreviation without
    its dot or with a comma ('ш Ваҳдат', 'г, Душанбе'), or a dot after a word that is neither an abbreviation
    nor an initial, inside the text ('ш. Ваҳдат. кӯч.' where a comma separates the parts of an address)."""
    words = text.split()
    for word in words[:-1]:
        bare = word.rstrip(".,;:").lower()
        if bare in lexicon.dotted_abbreviations and not word.endswith("."):
            return True
        if word.endswith(".") and bare not in lexicon.dotted_abbreviations and len(bare) > 2 and bare.isalpha():
            return True
    return False


def _mixed_case(text: str) -> bool:
    """A capital inside a word otherwise in small letters ('ДушаНбе', 'ВОсеъ', 'паДар'): in handwriting the two
    look alike (В/в, Н/н, М/м, Д/д) and Tesseract is sure of either. A run of capitals ending a word is an
    acronym (ТаджССР)."""
    for word in _LETTER_WORDS.findall(text):
        if not any(c.islower() for c in word):
            continue
        end = len(word)
        while end > 1 and word[end - 1].isupper():
            end -= 1
        body = word[1:end] if len(word) - end >= 2 else word[1:]
        if any(c.isupper() for c in body):
            return True
    return False


def _unlisted_dotted(text: str, lexicon: Lexicon) -> bool:
    """A short word with a dot that is no listed abbreviation, one-letter word or initial: a misread
    abbreviation ('2.', 'и.' for 'г.', 'ш.'); or an abbreviation in capitals where the value or one of its
    parts begins ('Д. Чимтеппа', 'ЗАГС Г. Хорога'), where an initial (Ш. Шохин, Дж. Балхи) does not stand."""
    words = text.split()
    for i, word in enumerate(words[:-1]):
        bare = word[:-1]
        if not word.endswith(".") or not 1 <= len(bare) <= 2:
            continue
        low = bare.lower()
        if bare.islower() and (low in lexicon.dotted_abbreviations or low in lexicon.one_letter_words):
            continue
        if bare.isalpha() and bare[0].isupper() and bare[1:] == bare[1:].lower():
            begins = i == 0 or words[i - 1].endswith(",") or words[i - 1].isupper()
            if begins and low in lexicon.dotted_abbreviations:
                return True
            continue
        return True
    return False


def _doubtful_number_mark(text: str, lexicon: Lexicon) -> bool:
    """What stands before a number where '№' or an abbreviation belongs: a short word that is neither ('Њ 623',
    'Ме 695', 'ле 341' for '№ 623'), or '№' run together with letters ('М№ 90')."""
    words = text.split()
    for before, word in zip(words, words[1:], strict=False):
        if not word[:1].isdigit():
            continue
        if "№" in before and before != "№":
            return True
        low = before.lower().rstrip(".,")
        if before == "№" or before.endswith(",") or len(before) > 2:
            continue
        if low in lexicon.dotted_abbreviations or low in lexicon.one_letter_words or low in lexicon.date_filler_words:
            continue
        return True
    return False


def _written_in_tajik(text: str, lexicon: Lexicon) -> bool:
    """A Tajik letter or a place abbreviation only Tajik uses ('ш.', 'н.') in the text."""
    return any(ch in lexicon.tajik_only_letters for ch in text.lower()) or any(
        word in lexicon.tajik_abbreviations for word in text.replace(",", " ").split()
    )


def _restore_place_words(text: str, lexicon: Lexicon) -> str:
    """Listed place names given their listed spelling where the reading slipped only in letters the folding
    joins or in letter case ('н. Кухистони Мастчох' -> 'н. Кӯҳистони Мастчоҳ', 'н. ишкошим' -> 'н. Ишкошим'):
    the one listed spelling, or of several the one in the value's script (Tajik letters or not); any other
    word is left as read."""
    tajik = _written_in_tajik(text, lexicon)

    def listed(match: re.Match[str]) -> str:
        word = match.group(0)
        spellings = lexicon.place_words.get(lexicon.fold(word), frozenset())
        with_tajik = [s for s in spellings if any(ch in lexicon.tajik_only_letters for ch in s.lower())]
        # Tajik: its own spelling where the list has one, else the only one ('Ёвон'); Russian: never a
        # spelling with Tajik letters (its Russian one may be unlisted: 'г. Айни' stays)
        choice = (with_tajik or list(spellings)) if tajik else [s for s in spellings if s not in with_tajik]
        return choice[0] if len(choice) == 1 and word not in choice else word

    return _PLACE_WORDS.sub(listed, text)


def _place_slip(text: str, lexicon: Lexicon) -> bool:
    """A word that is a listed place name once folded but spelt otherwise: a Tajik letter read as its Russian
    look-alike or ё as е (Ёвон read Евон, Дӯстӣ read Дустӣ), or the name's capitals lost or doubled; in a
    value written in Tajik (a Tajik letter or abbreviation in it), the Russian spelling of a name whose Tajik
    one differs ('ш. Бустон' for 'ш. Бӯстон')."""
    tajik = _written_in_tajik(text, lexicon)
    for word in _PLACE_WORDS.findall(text):
        listed = lexicon.place_words.get(lexicon.fold(word))
        if not listed:
            continue
        if word not in listed:
            return True
        tajik_spellings = [s for s in listed if any(ch in lexicon.tajik_only_letters for ch in s.lower())]
        if tajik and tajik_spellings and word not in tajik_spellings:
            return True
    return False


def _abbreviation_slip(text: str, lexicon: Lexicon) -> bool:
    """A place abbreviation misread: a listed one in other letter case inside it ('р-На'), or a district's or
    city's abbreviation before a listed name that is listed with another one ('в. Шоҳмансур', a province,
    for 'н. Шоҳмансур'). A village may share a district's name, so 'д. Гулистон' is no slip."""
    for word in text.replace(",", " ").split():
        other_case = word not in lexicon.place_abbreviations and any(c.isupper() for c in word[1:])
        if other_case and any(word.lower() == a.lower() for a in lexicon.place_abbreviations):
            return True
    for part in text.split(","):
        words = part.split()
        if len(words) < 2 or words[0] not in lexicon.district_abbreviations:
            continue
        normal = " ".join(words)
        if normal in lexicon.place_entries:
            continue
        name = " " + " ".join(words[1:])
        if any(entry.endswith(name) for entry in lexicon.place_entries):
            return True
    return False


def _doubtful_reading(value: str, lexicon: Lexicon, kind: LexiconKind | None) -> bool:
    """Slips Tesseract makes with full confidence in free text and places; each sends the field to review."""
    if _doubtful_punctuation(value, lexicon) or _mixed_case(value) or _unlisted_dotted(value, lexicon):
        return True
    if kind in ("place", "office") and _abbreviation_slip(value, lexicon):
        return True
    if _doubtful_number_mark(value, lexicon) or _place_slip(value, lexicon):
        return True
    if "," in value and _doubtful_punctuation(re.sub(r",(?=\S)", ", ", value), lexicon):
        return True  # a comma run into the next word hid it ('Гулистон,н Нуробод')
    # a house number holds no dot ('Сино 2.3' for 23); a place neither begins with a lone digit ('2 Турсунзаде'
    # for 'г. Турсунзаде') nor ends with a comma
    return kind == "place" and (
        re.search(r"\d\.\d", value) is not None or re.match(r"\d\s", value) is not None or value.endswith(",")
    )


# Read for '№' before a number: a letter no Russian or Tajik text has.
_NUMBER_SIGN_LOOK_ALIKES = frozenset({"Њ"})


def _split_number(text: str) -> tuple[str, str]:
    """A phrase and what follows it from its number on ('Справка о рождении', '№ 77'); the sign before the
    number goes with it, a look-alike of '№' made one, and one run into its number set apart ('№425')."""
    words = re.sub(r"(?<!\S)№(?=\d)", "№ ", text).split()
    at = next((i for i, word in enumerate(words) if word[:1].isdigit()), len(words))
    if 0 < at < len(words) and len(words[at - 1]) <= 2 and not words[at - 1].isalpha():
        at -= 1  # '№', 'N.'
    elif 0 < at < len(words) and words[at - 1] in _NUMBER_SIGN_LOOK_ALIKES:
        words[at - 1] = "№"
        at -= 1
    return " ".join(words[:at]), " ".join(words[at:])


def _parse_phrase(value: str, lexicon: Lexicon) -> ParsedValue:
    """Free text written from a closed list: given its listed spelling when it folds to one (and vouched for
    unless a number follows), sent to review when it is a letter or two from one, else kept as read."""
    head, tail = _split_number(value)
    listed = lexicon.listed_phrase(head) if head else None
    if listed is not None:
        value = f"{listed} {tail}" if tail else listed
        doubt = (LOW_CONFIDENCE,) if _doubtful_reading(value, lexicon, "phrase") else ()
        # the list vouches for the words, not for a number after them ('№ 190' read for '№ 100'), nor for a
        # phrase a misread of another listed one lands on ('инсулт' for 'инсульт')
        vouched = not tail and not lexicon.phrase_has_twin(head)
        return ParsedValue(value=value, ok=True, lexicon_match=vouched, reasons=doubt)
    near = bool(head) and lexicon.near_phrase(head)
    # a listed phrase, then something that is no '№' before the number ('... фавт ХУ» 879')
    sign_misread = bool(tail) and " " in head and lexicon.listed_phrase(head.rsplit(" ", 1)[0]) is not None
    doubtful = near or sign_misread or _doubtful_person(value, lexicon)
    doubt = (LOW_CONFIDENCE,) if doubtful or _doubtful_reading(value, lexicon, "phrase") else ()
    return ParsedValue(value=value, ok=True, reasons=doubt)


def _doubtful_person(value: str, lexicon: Lexicon) -> bool:
    """A person's full name where a phrase may stand (the applicant is a relation or a name) that the name
    lists do not vouch for: a part they do not know (Алйевна, й read for ӣ) or one with a look-alike rival
    (Ашуриен for Ашуриён)."""
    words = value.split()
    if not 2 <= len(words) <= len(FULL_NAME_KINDS) or not all(
        _PLACE_WORDS.fullmatch(word) and word[0].isupper() for word in words
    ):
        return False
    parsed = _parse_full_name(value, lexicon)
    if not parsed.ok or not parsed.lexicon_match or parsed.value is None:
        return True
    return any(
        look_alike_rival(part, kind, lexicon) for part, kind in zip(parsed.value.split(), FULL_NAME_KINDS, strict=False)
    )


def _doubtful_office(value: str, lexicon: Lexicon) -> bool:
    """An office that is not an office word and a listed place written as listed: the offices are a closed
    list, so one off it is more likely misread than new ('САҲШ-ин. Сангвор', 'ЗАГС матчинского р-на', 'САҲШ-и
    Н. Вахш', 'ЗАГ С Ленинабадского р-на'). On the tuning pages 7 of the 28 unlisted offices accepted were
    wrong. A registering body the lists lack belongs in them (schemas/lexicons/domain.yaml)."""
    return not lexicon.is_listed_office(value)


def _parse_text(text: str, lexicon: Lexicon, kind: LexiconKind | None) -> ParsedValue:
    value = to_cyrillic(text, lexicon)
    if kind == "phrase":
        return _parse_phrase(value, lexicon)
    if kind in ("nationality", "citizenship"):
        # a closed list: an unknown word is more likely misread than a new nationality, and a known one is
        # given in its listed letter case (handwriting is often read in capitals)
        value = _CLOSED_LIST_SPECKS.sub("", value) or value
        parts = [part for part in re.split(r"\s*[/,]\s*", value) if part]
        known = all(lexicon.knows(kind, part) for part in parts)
        listed = _listed_spelling(value, kind, lexicon)
        return ParsedValue(
            value=listed or value, ok=True, lexicon_match=known, reasons=() if known else (NOT_IN_LEXICON,)
        )
    if kind in ("place", "office"):
        value = _restore_place_words(value, lexicon)
    doubtful = _doubtful_reading(value, lexicon, kind) or (kind == "office" and _doubtful_office(value, lexicon))
    doubt = (LOW_CONFIDENCE,) if doubtful else ()
    if kind == "place":
        # villages and streets are not listed: a known district is a good sign, its absence no bad one
        return ParsedValue(value=value, ok=True, lexicon_match=lexicon.knows("place", value), reasons=doubt)
    return ParsedValue(value=value, ok=True, reasons=doubt)


def parse_value(
    raw: str,
    value_type: str,
    lexicon: Lexicon,
    *,
    reference_year: int | None = None,
    kind: LexiconKind | None = None,
    roman_months: bool = False,
) -> ParsedValue:
    """The canonical value of ``raw`` as ``value_type``.

    ``reference_year`` places two-digit years (the century that puts the date at or before it; without it
    such a date does not parse), and a date after it is doubtful. ``kind`` says which lexicon a name or text
    is checked against (a surname, a patronymic, a nationality); without it a name is checked against every
    name list. ``roman_months``:
    the form's era wrote months in Roman numerals, so a month read as ones (1, 01, 11) may be a misread I,
    II or III and the date is marked ``low_confidence``. A text that cannot be parsed gives ``ok=False``
    with reason ``parse_failed`` and the cleaned text as value.
    """
    text = clean_text(raw)
    if is_blank(text, lexicon):
        # 'нет' written out: a word of the closed list of blank words, which no misread of writing lands on
        return ParsedValue(value=None, ok=True, blank=True, lexicon_match=text.lower() in lexicon.blank_words)
    if value_type == "number":
        number = _parse_number(text, lexicon)
        return ParsedValue(value=number, ok=True) if number is not None else _failed(text)
    if value_type == "date":
        parsed = parse_date(text, lexicon, reference_year, roman_months=roman_months)
        if parsed is None:
            return _failed(text)
        # a date read only by guessing (a month that may be a Roman numeral) parses, but is not trusted; nor is
        # one after the book's year: nothing is registered before it happens ('2072' for 2012)
        later = reference_year is not None and int(parsed.iso[:4]) > reference_year
        return ParsedValue(value=parsed.iso, ok=True, reasons=(LOW_CONFIDENCE,) if parsed.doubtful or later else ())
    if value_type == "sex":
        return _parse_sex(text, lexicon)
    if value_type == "name":
        return _parse_name(text, lexicon, kind)
    if value_type == "full_name":
        return _parse_full_name(text, lexicon)
    if value_type in ("text", "place"):
        return _parse_text(text, lexicon, kind if value_type == "text" else "place")
    raise ValueError(f"unknown value type {value_type!r}")
