"""The lexicon: known names, places, nationalities, month words and the letter folding, read from schemas/lexicons."""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from rapidfuzz.distance import Levenshtein

from pipeline.config import PROJECT_ROOT
from pipeline.errors import ConfigError

LexiconKind = Literal[
    "surname", "given_name", "patronymic", "nationality", "citizenship", "place", "office", "phrase", "sex"
]
NAME_KINDS: tuple[LexiconKind, ...] = ("surname", "given_name", "patronymic")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Place(_Frozen):
    region: str
    tg: str
    ru: str
    earlier: str | None = None


class _Nationality(_Frozen):
    ru_male: str
    ru_female: str
    tg: str


class _Months(_Frozen):
    ru_genitive: tuple[str, ...]
    ru_nominative: tuple[str, ...]
    tg_nominative: tuple[str, ...]
    tg_izofat: tuple[str, ...]
    roman: tuple[str, ...]


class _Domain(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    places: tuple[_Place, ...]
    more_places: tuple[_Place, ...] = ()
    nationalities: tuple[_Nationality, ...]
    citizenships: dict[str, tuple[str, ...]]
    months: _Months
    place_abbreviations: dict[str, tuple[str, ...]]
    letter_folding: dict[str, str]
    office_prefixes: tuple[str, ...] = ()


class _FoldingExtra(_Frozen):
    letters: dict[str, str]
    digraphs: dict[str, str]


class _SurnameEndings(_Frozen):
    stripped: tuple[str, ...]
    russian_hard: tuple[str, ...]
    russian_soft: tuple[str, ...]
    tajik: tuple[str, ...]


class _PatronymicEndings(_Frozen):
    hard: tuple[str, str]
    soft: tuple[str, str]


class _NameForms(_Frozen):
    surname_endings: _SurnameEndings
    feminine_endings: dict[str, str]
    soft_after: str
    patronymic_endings: _PatronymicEndings
    given_name_suffixes: tuple[str, ...]
    given_name_prefixes: tuple[str, ...]


class _Sex(_Frozen):
    male: tuple[str, ...]
    female: tuple[str, ...]


class _Dates(_Frozen):
    filler_words: tuple[str, ...]
    day_endings: tuple[str, ...]
    roman_look_alikes: dict[str, str]


class _LookAlikes(_Frozen):
    digits: dict[str, str]
    latin_to_cyrillic: dict[str, str]


class _LanguageMarkers(_Frozen):
    russian: tuple[str, ...]
    tajik: tuple[str, ...]


class _Spelling(_Frozen):
    folding_extra: _FoldingExtra
    tajik_only_letters: str
    tajik_look_alikes: str
    names: _NameForms
    sex: _Sex
    nationality_abbreviations: tuple[str, ...]
    address_abbreviations: tuple[str, ...]
    local_place_abbreviations: tuple[str, ...] = ()
    language_markers: _LanguageMarkers
    words_like_abbreviations: tuple[str, ...]
    blank_words: tuple[str, ...]
    dates: _Dates
    look_alikes: _LookAlikes


class _Phrases(_Frozen):
    fields: tuple[str, ...]
    phrases: tuple[str, ...]


# A phrase key this long or longer may be one edit from a misread of a listed phrase, twice as long two edits:
# shorter ones ('сын', 'мать') are too near each other and to other words for a near miss to mean a misread.
_NEAR_PHRASE_MIN = 6


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything the parser checks OCR text against. Build it with :func:`load_lexicon`.

    Name spellings are indexed by their folding key, so a reading whose Tajik letters were read as
    their Russian look-alikes (ҳ as х, ҷ as ч) still finds its entry.
    """

    letter_folding: Mapping[str, str]
    digraph_folding: Mapping[str, str]
    tajik_only_letters: frozenset[str]
    tajik_look_alikes: frozenset[str]
    folded_letters: frozenset[str]  # the letters a Tajik letter or ё folds to: х ч к г у и е
    given_names_male: frozenset[str]
    given_names_female: frozenset[str]
    surnames: frozenset[str]
    # kind -> folding key -> the spellings listed (names, and the closed lists of nationalities and citizenships)
    spellings: Mapping[LexiconKind, Mapping[str, frozenset[str]]]
    place_pattern: re.Pattern[str]  # any known place name (folded, without 'ш.', 'р-н') as whole words
    # each word of the listed place names and office words (3 letters or more), by its folding key: a word that
    # folds to one but is spelt otherwise lost a Tajik letter or its capital (Ёвон read Евон, САҲШ read САХШ)
    place_words: Mapping[str, frozenset[str]]
    one_letter_words: frozenset[str]  # lower case: в, с, и ... (one-letter words or abbreviations with a dot)
    tajik_abbreviations: frozenset[str]  # Tajik place abbreviations only Tajik uses (ш., н.): a value in Tajik
    place_entries: frozenset[str]  # the listed places as written with their abbreviation: 'н. Ёвон', 'г. Яван'
    # abbreviations before a village, street or house, which no list holds: 'д. Навобод', 'кӯч. Айнӣ 24'
    local_place_abbreviations: frozenset[str]
    genitive_place_entries: frozenset[str]  # the Russian names in a Soviet chain: 'Ленинского р-на', 'г. Худжанда'
    place_entry_words: frozenset[str]  # folded, 4 letters or more: every word of the listed places' entries
    # the place abbreviations as listed ('н.', 'р-н', 'р-на', 'кишл.'), and those of districts and cities alone
    place_abbreviations: frozenset[str]
    district_abbreviations: frozenset[str]
    longest_place_entry: int  # in words
    office_prefixes: tuple[str, ...]  # an office is one of these and the place it serves: 'САҲШ-и ш. Хуҷанд'
    nationality_words: frozenset[str]  # full words (таджик, тоҷик): written without a dot
    nationality_abbreviations: frozenset[str]  # without their dot (тадж, тат): written with one
    dotted_abbreviations: frozenset[str]  # lower case, without their dot: ш, н, г, кишл, ул
    months: Mapping[str, int]  # lower-case month word -> 1..12
    roman_months: Mapping[str, int]
    roman_look_alikes: Mapping[str, str]
    sex_words: Mapping[str, str]  # lower-case word -> 'male' / 'female'
    blank_words: frozenset[str]
    date_filler_words: frozenset[str]
    day_endings: tuple[str, ...]
    digit_look_alikes: Mapping[str, str]
    latin_to_cyrillic: Mapping[str, str]
    russian_markers: frozenset[str]  # words only a record written in Russian has (г., р-н, ЗАГС)
    tajik_markers: frozenset[str]  # words only a record written in Tajik has (ш., н., САҲШ-и)
    phrase_fields: tuple[str, ...]  # patterns of the field keys the listed phrases apply to ('*_document')
    phrases: Mapping[str, frozenset[str]]  # phrase key (folded, no spaces) -> the listed phrases

    def fold(self, text: str) -> str:
        """The folding key: NFC, lower case, Tajik letters and дж folded to their Russian counterparts."""
        return _fold(text, self.letter_folding, self.digraph_folding)

    def candidates(self, kind: LexiconKind | None, text: str) -> frozenset[str]:
        """Listed spellings with the same folding key as ``text`` (``kind`` None: any name part)."""
        key = self.fold(text).strip(" .")
        kinds = NAME_KINDS if kind is None else (kind,)
        found: set[str] = set()
        for k in kinds:
            found |= self.spellings.get(k, {}).get(key, frozenset())
        return frozenset(found)

    def knows(self, kind: LexiconKind, text: str) -> bool:
        """Whether a nationality or citizenship is listed as written (case and a final dot aside), or a
        text names a known place (folded: places are written in either spelling)."""
        if kind == "place":
            return self.place_pattern.search(self.fold(text)) is not None
        written = unicodedata.normalize("NFC", text).lower().strip(" .")
        return any(c.lower() == written for c in self.candidates(kind, text))

    def is_listed_place(self, text: str) -> bool:
        """Whether each comma-separated part of a text is a listed place as listed, with its own abbreviation
        ('н. Ёвон', 'г. Курган-Тюбе'); villages and streets are not listed, nor is 'в. Зафаробод'."""
        parts = [" ".join(p.split()) for p in unicodedata.normalize("NFC", text).split(",")]
        return all(part in self.place_entries for part in parts)

    def unlisted_place_words(self, text: str) -> tuple[str, ...] | None:
        """The words of a place that no list vouches for: the village, street or house number after a local
        abbreviation ('д. Навобод, н. Рӯдакӣ' -> Навобод; 'кишл. Бахор Шаартузского р-на' -> Бахор); () when
        the place is listed places alone. None when a part is neither: an unknown district, an abbreviation
        misread ('в. Зафаробод', 'Д. Чимтеппа'), a name without its abbreviation."""
        words: list[str] = []
        chains = self.record_language([text]) == "russian"
        for part in unicodedata.normalize("NFC", text).split(","):
            found = self._local_words(part.split(), chains=chains)
            if found is None:
                return None
            words.extend(found)
        return tuple(words)

    def _local_words(self, tokens: list[str], *, chains: bool) -> list[str] | None:
        """:meth:`unlisted_place_words` of one comma-separated part. Without a comma, a listed place follows a
        village or street only in the genitive of a Soviet chain ('кишл. Бахор Шаартузского р-на'), and
        another listed place only in a value written in Russian (``chains``: 'р-н Сино г. Душанбе'):
        elsewhere a comma was lost ('с. Ханабад Дарвазский р-н', 'н. Шоҳмансур ш. Душанбе')."""
        words: list[str] = []
        at = 0
        before: str | None = None  # 'listed' or 'local': what came before in this part
        while at < len(tokens):
            listed = self._listed_at(tokens, at)
            if listed:
                entry = " ".join(tokens[at : at + listed])
                if before == "local" and entry not in self.genitive_place_entries:
                    return None
                if before == "listed" and not chains:
                    return None
                at += listed
                before = "listed"
                continue
            if before is not None or tokens[at] not in self.local_place_abbreviations:
                return None
            at += 1
            start = at
            while at < len(tokens) and not self._listed_at(tokens, at) and not self._is_abbreviation(tokens[at]):
                at += 1
            if at == start or not all(_is_local_word(word) for word in tokens[start:at]):
                return None
            words.extend(tokens[start:at])
            before = "local"
        return words

    def _listed_at(self, tokens: list[str], at: int) -> int:
        """How many tokens from ``at`` on spell a listed place with its abbreviation (the longest), or 0."""
        for size in range(min(self.longest_place_entry, len(tokens) - at), 0, -1):
            if " ".join(tokens[at : at + size]) in self.place_entries:
                return size
        return 0

    def _is_abbreviation(self, token: str) -> bool:
        return token in self.local_place_abbreviations or token.lower().removesuffix(".") in self.dotted_abbreviations

    def is_listed_office(self, text: str) -> bool:
        """Whether a text is an office word and listed places written as listed ('САҲШ-и ш. Хуҷанд'; in Russian
        a Soviet chain too: 'ЗАГС Октябрьского р-на г. Душанбе')."""
        normal = " ".join(unicodedata.normalize("NFC", text).split())
        return any(
            normal.startswith(prefix + " ") and self.unlisted_place_words(normal[len(prefix) + 1 :]) == ()
            for prefix in self.office_prefixes
        )

    def record_language(self, texts: Iterable[str]) -> Literal["russian", "tajik"] | None:
        """The language a record was written in, told by its words: None when it shows both or neither."""
        joined = unicodedata.normalize("NFC", " ".join(texts))
        words = {word.strip(",;:") for word in joined.split()}
        tajik = bool(words & self.tajik_markers) or any(ch in self.tajik_only_letters for ch in joined.lower())
        russian = bool(words & self.russian_markers)
        if tajik == russian:
            return None
        return "tajik" if tajik else "russian"

    def has_phrases(self, field_key: str) -> bool:
        """Whether a field is written from the listed phrases (a document, the applicant's relation)."""
        return any(fnmatch.fnmatchcase(field_key, pattern) for pattern in self.phrase_fields)

    def _phrase_key(self, text: str) -> str:
        return "".join(self.fold(text).split()).strip(".,;:|")

    def listed_phrase(self, text: str) -> str | None:
        """The listed spelling of a phrase read with its Tajik letters, ё, letter case or spaces slipped
        ('тибби' -> 'тиббӣ', 'Сактаи дил' -> 'сактаи дил'); None when none or several fold alike."""
        found = self.phrases.get(self._phrase_key(text), frozenset())
        return next(iter(found)) if len(found) == 1 else None

    def phrase_has_twin(self, text: str) -> bool:
        """Whether another listed phrase is one letter from this one, so that a misread of it lands here
        ('инсульт' read without its ь is the listed 'инсулт')."""
        key = self._phrase_key(text)
        return any(other != key and Levenshtein.distance(key, other, score_cutoff=1) <= 1 for other in self.phrases)

    def near_phrase(self, text: str) -> bool:
        """Whether a text is not a listed phrase but a letter or two from one: a misread ('рожлении')."""
        key = self._phrase_key(text)
        if len(key) < _NEAR_PHRASE_MIN or key in self.phrases:
            return False
        most = 1 if len(key) < 2 * _NEAR_PHRASE_MIN else 2
        return any(Levenshtein.distance(key, known, score_cutoff=most) <= most for known in self.phrases)

    def month_number(self, word: str) -> int | None:
        return self.months.get(unicodedata.normalize("NFC", word).lower())


def _fold(text: str, letters: Mapping[str, str], digraphs: Mapping[str, str]) -> str:
    lower = unicodedata.normalize("NFC", text).lower()
    for digraph, folded in digraphs.items():
        lower = lower.replace(digraph, folded)
    return "".join(letters.get(ch, ch) for ch in lower)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read lexicon file {path}: {exc}") from exc


def _read_words(folder: Path, stem: str) -> tuple[str, ...]:
    """The words of ``<stem>.txt`` and of every ``<stem>_*.txt`` beside it (one a line, '#' a comment)."""
    main = folder / f"{stem}.txt"
    words: list[str] = []
    for path in [main, *sorted(folder.glob(f"{stem}_*.txt"))]:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read lexicon file {path}: {exc}") from exc
        words.extend(unicodedata.normalize("NFC", line.strip()) for line in lines)
    return tuple(w for w in words if w and not w.startswith("#"))


def _strip_ending(word: str, endings: Iterable[str]) -> str | None:
    """The stem left when the longest matching ending is removed (None: no ending, or too short a stem)."""
    for ending in sorted(endings, key=len, reverse=True):
        if word.lower().endswith(ending) and len(word) - len(ending) >= 2:
            return word[: len(word) - len(ending)]
    return None


def _is_soft(stem: str, forms: _NameForms) -> bool:
    return stem[-1:].lower() in forms.soft_after


def _stems_for_russian_endings(name: str) -> set[str]:
    """A Tajik name before a Russian ending: a final ӣ is kept in Tajik spelling and written и in Russian
    spelling (Алӣевна and Алиевна), so both are known and each is the other's look-alike rival."""
    return {name, name[:-1] + "и"} if name.endswith("ӣ") else {name}


def _surname_spellings(surnames: Iterable[str], given_male: Iterable[str], forms: _NameForms) -> set[str]:
    """Listed surnames, their feminine forms, and every known stem (a listed surname's, or a man's given
    name) with the usual endings: Раҳим -> Раҳимов, Раҳимова, Раҳимзода, Раҳимӣ, Раҳимиён, Раҳимпур."""
    spellings: set[str] = set()
    stems: set[str] = set(given_male)
    endings = forms.surname_endings
    for surname in surnames:
        spellings.add(surname)
        for masculine, feminine in forms.feminine_endings.items():
            if surname.endswith(masculine):
                spellings.add(surname[: -len(masculine)] + feminine)
                break
        stem = _strip_ending(surname, endings.stripped)
        if stem:
            stems.add(stem)
    for stem in stems:
        russian = endings.russian_soft if _is_soft(stem, forms) else endings.russian_hard
        spellings.update(base + ending for base in _stems_for_russian_endings(stem) for ending in russian)
        spellings.update(stem + ending for ending in endings.tajik)
    return spellings


def _given_spellings(given: Iterable[str], given_male: Iterable[str], forms: _NameForms) -> set[str]:
    spellings = set(given) | set(forms.given_name_prefixes)
    for name in given_male:
        spellings.update(name + suffix for suffix in forms.given_name_suffixes)
    return spellings


def _patronymic_spellings(given_male: Iterable[str], forms: _NameForms) -> set[str]:
    """Russian-style patronymics (Каримович, Мирзоевна) and the Tajik bare father's name or -зода."""
    spellings: set[str] = set()
    for name in given_male:
        spellings.update({name, name + "зода"})
        if name.endswith("й"):  # Сергей -> Сергеевич: й gives way to the soft ending
            spellings.update(name[:-1] + ending for ending in forms.patronymic_endings.soft)
            continue
        endings = forms.patronymic_endings.soft if _is_soft(name, forms) else forms.patronymic_endings.hard
        spellings.update(base + ending for base in _stems_for_russian_endings(name) for ending in endings)
    return spellings


def _index(
    spellings: Iterable[str], letters: Mapping[str, str], digraphs: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for spelling in spellings:
        index[_fold(spelling, letters, digraphs).strip(" .")].add(unicodedata.normalize("NFC", spelling))
    return {key: frozenset(values) for key, values in index.items()}


def _place_names(places: Iterable[_Place], abbreviations: Iterable[str]) -> set[str]:
    """Place names without 'ш.', 'р-н' and the like, from the Tajik, Russian and earlier names; the notes in
    the earlier names (dates, 'renamed ...') are dropped."""
    prefixes = sorted(abbreviations, key=len, reverse=True)
    names: set[str] = set()
    for place in places:
        for variant in re.split(r"[;/→,]", f"{place.tg};{place.ru};{place.earlier or ''}"):
            name = re.sub(r"\(.*?\)", "", variant).strip()
            for prefix in prefixes:
                name = name.removeprefix(prefix + " ").removesuffix(" " + prefix).strip()
            if len(name) >= 3 and re.fullmatch(r"[^\W\d_A-Za-z][^\d_A-Za-z]*", name):
                names.add(name)
    return names


_PLACE_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HOUSE_NUMBER = re.compile(r"\d+(?:[/-]\d+)?[а-я]?")


def _is_local_word(word: str) -> bool:
    """A village or street name as written after its abbreviation (a capital, then letters and hyphens), or a
    house number ('24', '7/2', '15а')."""
    return bool(word[:1].isupper() and _PLACE_WORD.fullmatch(word)) or bool(_HOUSE_NUMBER.fullmatch(word))


def _place_entries(places: Iterable[_Place], abbreviations: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Each place as written with its abbreviation: its Tajik and Russian names as listed, and its earlier
    names with the Russian name's abbreviation ('г. Курган-Тюбе', 'р-н Октябрьский'); a Russian district's
    adjective also with 'р-н' after it ('Варзобский р-н'). Second, the genitives of the Russian names, which
    follow a village in a Soviet place chain ('кишл. Бахор Шаартузского р-на', 'ЗАГС г. Худжанда')."""
    prefixes = sorted(abbreviations, key=len, reverse=True)
    entries: set[str] = set()
    russian: set[str] = set()
    for place in places:
        entries.update(" ".join(unicodedata.normalize("NFC", name).split()) for name in (place.tg, place.ru) if name)
        ru = " ".join(unicodedata.normalize("NFC", place.ru).split())
        russian.add(ru)
        prefix = next((p for p in prefixes if ru.startswith(p + " ")), None)
        for earlier in _place_names([_Place(region=place.region, tg=place.earlier or "", ru="")], prefixes):
            entries.add(earlier)
            if prefix is not None:
                entries.add(f"{prefix} {earlier}")
            russian.add(earlier if _ADJECTIVE.search(earlier) or prefix is None else f"{prefix} {earlier}")
    entries.update(f"{name} р-н" for name in russian if _is_district_adjective(name))
    genitives = frozenset(g for g in (_genitive(name) for name in russian) if g is not None)
    return frozenset(entries | genitives), genitives


_ADJECTIVE = re.compile(r"(ий|ый|ой)$")
_HUSHING = "гкхжшчщ"


def _is_district_adjective(name: str) -> bool:
    return " " not in name and _ADJECTIVE.search(name) is not None


def _genitive(name: str) -> str | None:
    """The genitive of a Russian place name in a place chain: 'Ленинского р-на' for 'Ленинский' or 'Ленинский
    р-н', 'р-на Сино', 'г. Худжанда', 'г. Исфары'; None for a name that is not declined ('г. Душанбе')."""
    if name.startswith("г. "):
        city = name[3:]
        if "-" in city or " " in city or city[-1:] in "еиоуыэюяь":
            return None
        if city.endswith("а"):
            return f"г. {city[:-1]}{'и' if city[-2:-1] in _HUSHING else 'ы'}"
        return f"г. {city}а"
    if name.startswith("р-н "):
        return f"р-на {name[4:]}"
    adjective = name.removesuffix(" р-н")
    return f"{_ADJECTIVE.sub('ого', adjective)} р-на" if _is_district_adjective(adjective) else None


def _whole_words(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=4)
def load_lexicon(schemas_dir: Path) -> Lexicon:
    """Reads ``schemas_dir/lexicons`` once per folder; raises ConfigError naming the file that is wrong."""
    folder = schemas_dir / "lexicons"
    try:
        domain = _Domain.model_validate(_read_yaml(folder / "domain.yaml"))
    except ValidationError as exc:
        raise ConfigError(f"invalid lexicon file {folder / 'domain.yaml'}: {exc}") from exc
    try:
        spelling = _Spelling.model_validate(_read_yaml(folder / "spelling.yaml"))
    except ValidationError as exc:
        raise ConfigError(f"invalid lexicon file {folder / 'spelling.yaml'}: {exc}") from exc
    letters = {**domain.letter_folding, **spelling.folding_extra.letters}
    digraphs = dict(spelling.folding_extra.digraphs)
    given_male = _read_words(folder, "given_names_male")
    given_female = _read_words(folder, "given_names_female")
    surnames = _read_words(folder, "surnames")
    forms = spelling.names

    nationality_words = [w for n in domain.nationalities for w in (n.ru_male, n.ru_female, n.tg)]
    month_lists = domain.months
    months: dict[str, int] = {}
    for words in (month_lists.ru_genitive, month_lists.ru_nominative, month_lists.tg_nominative, month_lists.tg_izofat):
        if len(words) != 12:
            raise ConfigError(f"invalid lexicon file {folder / 'domain.yaml'}: a month list has {len(words)} words")
        months.update({w.lower(): i for i, w in enumerate(words, start=1)})
    abbreviations = [a for group in domain.place_abbreviations.values() for a in group]
    sex_words = {w: "male" for w in spelling.sex.male} | {w: "female" for w in spelling.sex.female}
    places = (*domain.places, *domain.more_places)
    place_names = _place_names(places, abbreviations)
    entries, genitives = _place_entries(places, abbreviations)
    phrases = _read_phrases(folder / "phrases.yaml")
    return Lexicon(
        letter_folding=letters,
        digraph_folding=digraphs,
        tajik_only_letters=frozenset(spelling.tajik_only_letters),
        tajik_look_alikes=frozenset(spelling.tajik_look_alikes),
        folded_letters=frozenset(v for v in domain.letter_folding.values() if len(v) == 1),
        given_names_male=frozenset(given_male),
        given_names_female=frozenset(given_female),
        surnames=frozenset(surnames),
        spellings={
            "surname": _index(_surname_spellings(surnames, given_male, forms), letters, digraphs),
            "given_name": _index(_given_spellings([*given_male, *given_female], given_male, forms), letters, digraphs),
            "patronymic": _index(_patronymic_spellings(given_male, forms), letters, digraphs),
            "nationality": _index([*nationality_words, *spelling.nationality_abbreviations], letters, digraphs),
            "citizenship": _index([w for group in domain.citizenships.values() for w in group], letters, digraphs),
        },
        place_pattern=_whole_words({_fold(p, letters, digraphs) for p in place_names}),
        place_words=_index(
            [w for name in [*place_names, *domain.office_prefixes] for w in _PLACE_WORD.findall(name) if len(w) >= 3],
            letters,
            digraphs,
        ),
        one_letter_words=frozenset(w.lower() for w in spelling.words_like_abbreviations),
        place_entries=entries,
        genitive_place_entries=genitives,
        place_entry_words=frozenset(
            _fold(w, letters, digraphs) for entry in entries for w in _PLACE_WORD.findall(entry) if len(w) >= 4
        ),
        place_abbreviations=frozenset([*abbreviations, *spelling.address_abbreviations, "р-на"]),
        district_abbreviations=frozenset(abbreviations) - frozenset(spelling.local_place_abbreviations),
        local_place_abbreviations=frozenset(spelling.local_place_abbreviations),
        longest_place_entry=max((len(entry.split()) for entry in entries), default=0),
        office_prefixes=domain.office_prefixes,
        nationality_words=frozenset(nationality_words),
        nationality_abbreviations=frozenset(spelling.nationality_abbreviations),
        tajik_abbreviations=frozenset(
            a
            for a in domain.place_abbreviations.get("tg", ())
            if a.endswith(".") and a not in spelling.address_abbreviations  # д. is a Russian house too
        ),
        dotted_abbreviations=frozenset(
            a.lower().removesuffix(".")
            for a in [*abbreviations, *spelling.address_abbreviations]
            if a.endswith(".") and a.lower().removesuffix(".") not in spelling.words_like_abbreviations
        ),
        months=months,
        roman_months={numeral: i for i, numeral in enumerate(month_lists.roman, start=1)},
        roman_look_alikes=spelling.dates.roman_look_alikes,
        sex_words=sex_words,
        blank_words=frozenset(w.lower() for w in spelling.blank_words),
        date_filler_words=frozenset(w.lower() for w in spelling.dates.filler_words),
        day_endings=tuple(sorted(spelling.dates.day_endings, key=len, reverse=True)),
        digit_look_alikes=spelling.look_alikes.digits,
        latin_to_cyrillic=spelling.look_alikes.latin_to_cyrillic,
        russian_markers=frozenset(spelling.language_markers.russian),
        tajik_markers=frozenset(spelling.language_markers.tajik),
        phrase_fields=phrases.fields,
        phrases={"".join(key.split()): values for key, values in _index(phrases.phrases, letters, digraphs).items()},
    )


def _read_phrases(path: Path) -> _Phrases:
    try:
        return _Phrases.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(f"invalid lexicon file {path}: {exc}") from exc


def fold(text: str) -> str:
    """The folding key with the lexicon shipped in the package's schemas.

    The registry stores this key for matching people across records, so it must not change with a
    deployment's own schemas folder; parsing uses :meth:`Lexicon.fold` of the lexicon it was given.
    """
    return load_lexicon(PROJECT_ROOT / "schemas").fold(text)
