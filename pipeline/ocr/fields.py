"""Reads one record: each field OCRed with the settings of its type, parsed, scored and accepted or flagged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from pipeline.errors import OcrError
from pipeline.forms.catalogue import FieldSpec, FormTemplate
from pipeline.ocr.engine import OcrEngine
from pipeline.ocr.image import MIN_INK_HEIGHTS, enlarged, grey_line, prepare_field
from pipeline.ocr.lexicon import Lexicon, LexiconKind
from pipeline.ocr.names import look_alike_rival
from pipeline.ocr.parse import FULL_NAME_KINDS, parse_value
from pipeline.qa.decide import (
    BLANK_REQUIRED,
    LOW_CONFIDENCE,
    NOT_IN_LEXICON,
    OCR_FAILED,
    PARSE_FAILED,
    decide_field,
    page_reasons,
    record_status,
)
from pipeline.qa.thresholds import ScoreWeights, Thresholds
from pipeline.types import FieldCrop, FieldReading, OcrResult, PageQuality, ParsedValue, RecordReading

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OcrSetting:
    lang: str
    psm: int  # 7: one line of text; 6: a block of lines


# Chosen by measuring exact reads of 636 rendered fields (5 fonts, clean to heavily degraded, this module's
# preparation):
# - tgk+rus reads Tajik text well (91 % of Tajik fields; rus 24 %, rus+tgk 37 %); tgk alone is as good on
#   Tajik text but lacks ы and щ (74 % of Russian fields);
# - rus reads Russian-only text best (names 100 %, full names 96 %, against 91 % and 75 % with tgk+rus,
#   which turns ы into ЬІ and Щ into Ш) and digits (100 %, the fastest);
# - a digit whitelist makes Tesseract drop the digits it is unsure of instead of reading them;
# - +eng lets Roman month numerals come out as I, V, X (60-63 % of Roman dates read right against
#   25-32 %), with no loss on dates written in digits or words.
OCR_SETTINGS: Mapping[str, Mapping[str, OcrSetting]] = {
    "tajik": {
        "number": OcrSetting("rus", 7),
        "date": OcrSetting("tgk+rus+eng", 7),
        "default": OcrSetting("tgk+rus", 7),
    },
    "russian": {
        "number": OcrSetting("rus", 7),
        "date": OcrSetting("rus+eng", 7),
        "default": OcrSetting("rus", 7),
    },
}
MULTI_LINE_PSM = 6
# Tajik language data alone, without Russian's: reads a Tajik letter's mark where tgk+rus may drop it
TAJIK_DATA = "tgk"
NAME_TYPES = frozenset({"name", "full_name"})
_RUSSIAN_FOLDED = frozenset("е")  # of the letters Tajik letters fold to, the one Russian spelling can lose (ё)
SOVIET_ERA_END = 1992
# A box taller than this holds several lines of writing (the 'marks' boxes are 16-17 mm, others 6.6-8 mm).
MULTI_LINE_BOX_MM = 12.0


def reads_tajik(template: FormTemplate) -> bool:
    """Whether a form's fields are read with Tajik language data (its Tajik letters can come out)."""
    return "tg" in template.languages


def ocr_setting(spec: FieldSpec, template: FormTemplate) -> OcrSetting:
    """Language and page segmentation mode for one field of a form (no character whitelist: with Tesseract's
    LSTM recogniser a whitelist drops the characters it would have misread instead of correcting them)."""
    script = "tajik" if reads_tajik(template) else "russian"
    setting = OCR_SETTINGS[script].get(spec.type, OCR_SETTINGS[script]["default"])
    if spec.box[3] > MULTI_LINE_BOX_MM:
        return OcrSetting(setting.lang, MULTI_LINE_PSM)
    return setting


def writes_roman_months(template: FormTemplate) -> bool:
    """Forms of the Soviet era (first used before 1992) often wrote the month of a date in Roman numerals."""
    first_year = template.years[0]
    return first_year is not None and first_year < SOVIET_ERA_END


def lexicon_kind(spec: FieldSpec) -> LexiconKind | None:
    """Which lexicon checks a field, from its key: child_surname -> surname, mother_nationality -> nationality."""
    key = spec.key
    if spec.type == "name":
        if "surname" in key:
            return "surname"
        if key.endswith("patronymic"):
            return "patronymic"
        return "given_name"
    if spec.type == "text":
        if key.endswith("nationality"):
            return "nationality"
        if key.endswith("citizenship"):
            return "citizenship"
    if spec.type == "place":
        return "place"
    return None


def field_kind(spec: FieldSpec, lexicon: Lexicon) -> LexiconKind | None:
    """:func:`lexicon_kind`, and for free text the registry office it names, or the listed phrases where the
    lexicon has them for the field."""
    kind = lexicon_kind(spec)
    if kind is None and spec.type == "text":
        if spec.key.endswith("office"):
            return "office"
        if lexicon.has_phrases(spec.key):
            return "phrase"
    return kind


def _parse_field(
    text: str, spec: FieldSpec, template: FormTemplate, lexicon: Lexicon, reference_year: int | None
) -> ParsedValue:
    """A field's text parsed as its type, with the lexicon and month writing of its form."""
    return parse_value(
        text,
        spec.type,
        lexicon,
        reference_year=reference_year,
        kind=field_kind(spec, lexicon),
        roman_months=writes_roman_months(template),
    )


def _context_factor(weights: ScoreWeights, page_quality: PageQuality, alignment_score: float) -> float:
    """The page's share of a field's score: the squared shortfall barely touches a good page (quality 0.9
    costs 0.1 % at weight 0.1) and weighs on a poor one."""
    quality = min(max(page_quality.score, 0.0), 1.0)
    alignment = min(max(alignment_score, 0.0), 1.0)
    page = 1 - weights.page_quality_weight * (1 - quality) ** 2
    return page * (1 - weights.alignment_weight * (1 - alignment) ** 2)


def engine_confidence_of(result: OcrResult, weights: ScoreWeights) -> float:
    """The engine's confidence in a reading: the mean of its words, moved toward the least sure word.
    Tesseract's mean hides one doubtful word among sure ones (a misread village in a long place), so the
    minimum tells right from wrong multi-word fields better; for one word the two are the same."""
    w = weights.word_minimum_weight
    return (1 - w) * result.confidence + w * result.min_word_confidence


def _lexicon_checked(parsed: ParsedValue, spec: FieldSpec, lexicon: Lexicon) -> list[tuple[str, LexiconKind | None]]:
    """The parts of a value the lexicon vouches for, with the list each was checked against."""
    if parsed.value is None or not parsed.ok:
        return []
    if spec.type == "text" and spec.key.endswith("office"):
        # an office word and the listed place it serves, as listed
        return [(parsed.value, "place")] if lexicon.is_listed_office(parsed.value) else []
    if not parsed.lexicon_match:
        return []
    if spec.type == "full_name":
        return list(zip(parsed.value.split(), FULL_NAME_KINDS, strict=False))
    if spec.type == "sex":
        # a closed list of words far apart (мужской, жен., мард): a misread lands on none of them
        return [(parsed.value, "sex")]
    kind = field_kind(spec, lexicon)
    if kind == "place":
        # a known district says little about the village or street written beside it; a value that is only
        # listed places (a district, a city) is vouched for as a whole
        return [(parsed.value, kind)] if lexicon.is_listed_place(parsed.value) else []
    return [(parsed.value, kind)]


def plain_local_place(value: str, lexicon: Lexicon) -> bool:
    """A place of listed places and a village or street name that cannot hide a slip the engine makes with
    full confidence: no digit (a house number 102 read 1602), and no letter a Tajik letter or ё folds to
    (Ҳаёти read Ҳаети, Қалъача read Калъача), since Tesseract drops those marks as surely as it reads plain
    letters; in a value written in Russian, which has no Tajik letters, only е (a lost ё) counts."""
    words = lexicon.unlisted_place_words(value)
    if words is None or any(ch.isdigit() for word in words for ch in word):
        return False
    return not _may_hide_lost_mark(words, value, lexicon)


def _may_hide_lost_mark(words: Sequence[str], value: str, lexicon: Lexicon) -> bool:
    """Whether the words hold a letter a Tajik letter or ё folds to (х ч к г у и е); in a value written in
    Russian, which has no Tajik letters, only е (a lost ё)."""
    risky = _RUSSIAN_FOLDED if lexicon.record_language([value]) == "russian" else lexicon.folded_letters
    return any(ch in risky for word in words for ch in word.lower())


def _has_rival(parsed: ParsedValue, spec: FieldSpec, lexicon: Lexicon, *, russian_record: bool = False) -> bool:
    """Whether a part of the value the lexicon vouches for has a look-alike rival among the listed spellings."""
    return any(
        look_alike_rival(part, kind, lexicon, russian_record=russian_record)
        for part, kind in _lexicon_checked(parsed, spec, lexicon)
    )


def _name_with_tajik_letter(parsed: ParsedValue, spec: FieldSpec, lexicon: Lexicon) -> bool:
    """A name read with a Tajik letter: in a record written in Russian, a Russian spelling misread (Рахимович
    read as Раҳимович), since a Russian clerk wrote the name the Russian way."""
    return (
        spec.type in NAME_TYPES
        and parsed.value is not None
        and any(ch in lexicon.tajik_only_letters for ch in parsed.value.lower())
    )


def _evidence(
    confidence: float,
    parsed: ParsedValue,
    spec: FieldSpec,
    lexicon: Lexicon,
    weights: ScoreWeights,
    *,
    rival: bool = False,
) -> float:
    """The engine's confidence moved by what the parse and the lexicon know; the engine alone cannot tell a
    look-alike slip (Ҳ read as Х) from a clean read, the lexicon can for the names it lists. ``rival``: a part
    the lexicon vouches for has a look-alike rival (:func:`_has_rival`)."""
    if not parsed.ok:
        return confidence * weights.parse_failed
    evidence = confidence
    if LOW_CONFIDENCE in parsed.reasons:
        evidence *= weights.doubtful_parse
    if NOT_IN_LEXICON in parsed.reasons:
        return evidence * weights.not_in_lexicon
    if parsed.blank and parsed.lexicon_match:
        return evidence + (1.0 - evidence) * weights.lexicon_match
    checked = _lexicon_checked(parsed, spec, lexicon)
    if not checked:
        if spec.type == "place" and parsed.value is not None and plain_local_place(parsed.value, lexicon):
            return evidence + (1.0 - evidence) * weights.local_place_match
        return evidence
    if rival:
        return evidence * weights.look_alike_rival
    return evidence + (1.0 - evidence) * weights.lexicon_match


def _slips_alike_in_every_look(value: str, spec: FieldSpec, lexicon: Lexicon) -> bool:
    """Whether a value holds what Tesseract loses the same way from every picture of it, which a second reading
    cannot catch: the last digits of a document's number (`№ 344` read `№ 34` from all three looks on the
    tuning pages) and a Tajik letter's mark in a village or street name (`Ҳаёти` read `Хаёти`)."""
    if spec.type == "text":
        return any(ch.isdigit() for ch in value)
    if spec.type == "place":
        words = lexicon.unlisted_place_words(value)
        return _may_hide_lost_mark(words if words is not None else (value,), value, lexicon)
    return False


def _worth_confirming(
    parsed: ParsedValue, spec: FieldSpec, setting: OcrSetting, score: float, weights: ScoreWeights, lexicon: Lexicon
) -> bool:
    """A one-line value of a confirmed type that parsed without doubt, its score in the confirm band: a second
    reading can lift it to its threshold (below the band it could not, above it it needs no lift)."""
    low, high = weights.confirm_band
    return (
        spec.type in weights.confirm_types
        and setting.psm != MULTI_LINE_PSM
        and parsed.ok
        and parsed.value is not None
        and not {LOW_CONFIDENCE, NOT_IN_LEXICON} & set(parsed.reasons)
        and low <= score < high
        and not _slips_alike_in_every_look(parsed.value, spec, lexicon)
    )


def _reads_the_same(
    looks: Sequence[tuple[Callable[[], np.ndarray], str]],
    value: str | None,
    spec: FieldSpec,
    template: FormTemplate,
    engine: OcrEngine,
    lexicon: Lexicon,
    *,
    reference_year: int | None,
) -> bool:
    """Whether every (image, language) look parses to ``value``; the first that differs ends the check, and a
    reading that fails counts as differing."""
    psm = ocr_setting(spec, template).psm
    for look, lang in looks:
        try:
            text = engine.recognize(look(), lang=lang, psm=psm).text
        except OcrError:
            return False
        again = _parse_field(text, spec, template, lexicon, reference_year)
        if not again.ok or again.value != value:
            return False
    return True


def confirmed(
    crop: FieldCrop,
    ink: np.ndarray,
    value: str | None,
    spec: FieldSpec,
    template: FormTemplate,
    engine: OcrEngine,
    lexicon: Lexicon,
    *,
    reference_year: int | None,
) -> bool:
    """Whether the field read again, from the ink enlarged and then from the grey crop, parses to ``value`` both
    times. The engine's slips depend on the pixels it is shown: on the tuning pages a clean reading came out the
    same from both other images nine times in ten, a misread almost never."""
    lang = ocr_setting(spec, template).lang
    looks = ((lambda: enlarged(ink), lang), (lambda: grey_line(crop.image), lang))
    return _reads_the_same(looks, value, spec, template, engine, lexicon, reference_year=reference_year)


def _in_capitals(text: str) -> bool:
    """A word written in capitals (РАХИМОВА): there Ҳ and Х differ by a descender small beside the letter, and
    on the tuning pages the looks agreed on a lost one in 2 of 30 such names, against 4 of 360 in small letters."""
    return any(len(word) > 1 and word.isalpha() and word.isupper() for word in text.split())


def rival_settled(
    crop: FieldCrop,
    ink: np.ndarray,
    value: str | None,
    spec: FieldSpec,
    template: FormTemplate,
    engine: OcrEngine,
    lexicon: Lexicon,
) -> bool:
    """Whether a value with a look-alike rival (the name Хасанов beside Ҳасанов, a nationality) reads the same
    from the grey crop and the enlarged ink, with the form's language data and with Tajik data alone. A lost
    descender or mark comes back in one of the four looks: on the tuning pages no misread name agreed in all
    four, and nine right ones in ten did. The most telling look goes first (Tajik data on the grey crop)."""
    lang = ocr_setting(spec, template).lang
    grey = cache(lambda: grey_line(crop.image))  # two looks share it; made only if the first is read
    looks = (
        (grey, TAJIK_DATA),
        (grey, lang),
        (lambda: ink, TAJIK_DATA),
        (lambda: enlarged(ink), lang),
    )
    return _reads_the_same(looks, value, spec, template, engine, lexicon, reference_year=None)


def _failed_reading(spec: FieldSpec, crop: FieldCrop | None, threshold: float, reasons: Sequence[str]) -> FieldReading:
    state, ordered = decide_field(0.0, threshold, (OCR_FAILED, *reasons))
    return FieldReading(
        key=spec.key,
        value_type=spec.type,
        raw_text="",
        value=None,
        confidence=0.0,
        state=state,
        reasons=ordered,
        box_px=crop.box_px if crop is not None else (0, 0, 0, 0),
    )


def read_field(
    crop: FieldCrop,
    spec: FieldSpec,
    template: FormTemplate,
    engine: OcrEngine,
    lexicon: Lexicon,
    thresholds: Thresholds,
    *,
    context: float,
    page_flags: Sequence[str],
    reference_year: int | None = None,
    language: str | None | Callable[[], str | None] = None,
) -> FieldReading:
    """One field: blank from its ink alone, else OCR, parse, score and decide. ``language`` is the record's
    ('russian', 'tajik' or None: unknown), which decides whether a name's or nationality's Tajik-lettered twin
    is a rival; a callable is asked only when that matters.

    Raises OcrError naming the field when the engine fails; :func:`read_record` turns that into a flagged
    field so the record keeps it.
    """
    weights = thresholds.score
    threshold = thresholds.threshold(template.form_id, spec.key, spec.type)
    ink = prepare_field(crop.image)
    if ink.image is None:
        # blank from its ink alone, without asking the engine (engine confidence stays 0): sure when the
        # paper is clean, less so the closer the stray ink comes to a written stroke
        raw_text, engine_confidence = "", 0.0
        parsed = ParsedValue(value=None, ok=True, blank=True)
        stray_ink = ink.ink_pixels / (MIN_INK_HEIGHTS * crop.image.shape[0])
        evidence = 1.0 - weights.blank_ink_penalty * stray_ink
    else:
        setting = ocr_setting(spec, template)
        try:
            result = engine.recognize(ink.image, lang=setting.lang, psm=setting.psm)
        except OcrError as exc:
            raise OcrError(f"OCR of field {spec.key!r} (slot {crop.slot}) failed: {exc}") from exc
        raw_text, engine_confidence = result.text, result.confidence
        read_confidence = engine_confidence_of(result, weights)
        parsed = _parse_field(raw_text, spec, template, lexicon, reference_year)
        if ink.cut_off and LOW_CONFIDENCE not in parsed.reasons:
            # the writing runs past the box: what was read may be only part of it
            parsed = replace(parsed, reasons=(*parsed.reasons, LOW_CONFIDENCE))
        rival = _has_rival(parsed, spec, lexicon)
        tajik_lettered = _name_with_tajik_letter(parsed, spec, lexicon)
        # the record's language matters only to a value with a look-alike rival or a name with a Tajik letter;
        # asked for then alone, since telling it may cost more reading (a Soviet record's hand). A Russian
        # clerk spelt names the Russian way: only the ё/е twin stays a rival, and a Tajik letter is a misread.
        if (rival or tajik_lettered) and (language() if callable(language) else language) == "russian":
            rival = rival and _has_rival(parsed, spec, lexicon, russian_record=True)
        else:
            tajik_lettered = False
        if (
            (rival or tajik_lettered)
            and weights.settle_rivals
            and LOW_CONFIDENCE not in parsed.reasons
            and not _in_capitals(raw_text)
            and rival_settled(crop, ink.image, parsed.value, spec, template, engine, lexicon)
        ):
            # the same from every look: the letters are what they seem, and the rival is no longer one
            rival = tajik_lettered = False
        if LOW_CONFIDENCE not in parsed.reasons and (rival or tajik_lettered):
            # another listed spelling may have been misread as this one (Ҳ read as Х, ё as е): on the tuning
            # pages one such name in twenty accepted was wrong, whatever the engine's confidence
            parsed = replace(parsed, reasons=(*parsed.reasons, LOW_CONFIDENCE))
        evidence = _evidence(read_confidence, parsed, spec, lexicon, weights, rival=rival)
        if _worth_confirming(parsed, spec, setting, evidence * context, weights, lexicon) and confirmed(
            crop, ink.image, parsed.value, spec, template, engine, lexicon, reference_year=reference_year
        ):
            evidence += (1.0 - evidence) * weights.confirm_weight
    score = round(max(0.0, min(1.0, evidence * context)), 4)
    reasons = [*page_flags, *parsed.reasons]
    if parsed.blank and spec.required:
        reasons.append(BLANK_REQUIRED)
    if not parsed.ok and PARSE_FAILED not in reasons:
        reasons.append(PARSE_FAILED)
    state, ordered = decide_field(score, threshold, reasons)
    return FieldReading(
        key=spec.key,
        value_type=spec.type,
        raw_text=raw_text,
        value=parsed.value if parsed.ok else None,
        confidence=score,
        state=state,
        reasons=ordered,
        engine_confidence=engine_confidence,
        box_px=crop.box_px,
    )


def shows_tajik_hand(crops: Sequence[FieldCrop], template: FormTemplate, engine: OcrEngine, lexicon: Lexicon) -> bool:
    """Whether a record on a form read with Russian data was written in Tajik spelling: its names and
    nationalities read again with Tajik data alone, until one shows a Tajik letter (Ҳасанов, тоҷик). A field
    that cannot be read again counts as Tajik, which keeps the rivals. Tajik data alone, not tgk+rus: on 126
    Soviet records of the tuning pages it found all 8 Tajik hands (tgk+rus missed one, whose Раҷабовна came
    out Рачабовна) and took 3 of 118 Russian hands for Tajik ones, which only keeps their rivals."""
    by_key = {crop.key: crop for crop in crops}
    for spec in template.fields:
        crop = by_key.get(spec.key)
        if crop is None or not (spec.type in NAME_TYPES or lexicon_kind(spec) == "nationality"):
            continue
        ink = prepare_field(crop.image)
        if ink.image is None:
            continue
        try:
            text = engine.recognize(ink.image, lang=TAJIK_DATA, psm=ocr_setting(spec, template).psm).text
        except OcrError:
            return True
        if any(ch in lexicon.tajik_only_letters for ch in text.lower()):
            return True
    return False


def read_record(
    crops: Sequence[FieldCrop],
    template: FormTemplate,
    engine: OcrEngine,
    lexicon: Lexicon,
    thresholds: Thresholds,
    *,
    page_quality: PageQuality,
    alignment_score: float,
    reference_year: int | None = None,
) -> RecordReading:
    """Every field of ``template`` for one record slot, in the form's order, each auto or flagged.

    A field whose OCR fails, or whose crop is missing, stays in the record: flagged ``ocr_failed`` with no
    value, so a reviewer types it in rather than the record losing it.
    """
    by_key = {crop.key: crop for crop in crops}
    slot = crops[0].slot if crops else 0
    page_flags = page_reasons(thresholds, page_quality, alignment_score)
    context = _context_factor(thresholds.score, page_quality, alignment_score)
    read: dict[str, FieldReading] = {}

    def read_one(spec: FieldSpec, language: str | None | Callable[[], str | None]) -> FieldReading:
        crop = by_key.get(spec.key)
        threshold = thresholds.threshold(template.form_id, spec.key, spec.type)
        if crop is None:
            logger.warning("no crop for a field", extra={"form": template.form_id, "field": spec.key, "slot": slot})
            return _failed_reading(spec, None, threshold, page_flags)
        try:
            return read_field(
                crop,
                spec,
                template,
                engine,
                lexicon,
                thresholds,
                context=context,
                page_flags=page_flags,
                reference_year=reference_year,
                language=language,
            )
        except OcrError as exc:
            logger.warning("field flagged: OCR failed", extra={"form": template.form_id, "error": str(exc)})
            return _failed_reading(spec, crop, threshold, page_flags)

    # names last: the other fields' words tell the language the record was written in, and with it how its
    # names are spelt. On a Russian form read with Russian data a Tajik clerk's hand (Ҳасанов, ӯзбек) comes
    # out in Russian letters whatever its places say: there the names read again with Tajik data tell, first,
    # and the language then holds for the nationalities too.
    russian_form = not reads_tajik(template)

    @cache
    def hand() -> str | None:
        return None if shows_tajik_hand(crops, template, engine, lexicon) else "russian"

    language: str | None | Callable[[], str | None] = hand if russian_form else None
    for spec in template.fields:
        if spec.type not in NAME_TYPES:
            read[spec.key] = read_one(spec, language)
    if not russian_form:
        texts = [f.value for f in read.values() if f.value and f.value_type in ("text", "place")]
        language = lexicon.record_language(texts)
    for spec in template.fields:
        if spec.type in NAME_TYPES:
            read[spec.key] = read_one(spec, language)
    fields = [read[spec.key] for spec in template.fields]
    return RecordReading(slot=slot, fields=tuple(fields), status=record_status(fields))
