"""No personal data in logs: names and dates of birth are replaced by a marker in every record at INFO and above.

Logs leave the archive's control (terminals, journald, Prefect's server, support tickets); the registry's
people must not go with them. Two layers, because neither alone sees everything:

* a log-record factory redacts the message, its arguments and the traceback of every record the process
  makes, whatever handlers later frameworks (uvicorn, Prefect) install;
* a filter on the handlers and on the project's loggers redacts the extras (``extra={...}``), which are
  attached after the factory has run: values of form fields of a personal type, and keys known to carry values.

Text is redacted by shape: any run of Cyrillic words (names, places, offices are written in Cyrillic; the
logs themselves are English), the values of a URL's query string, and dates in the forms' paper formats. A date
must be plausible (day 1-31, month 1-12, a Roman numeral or a month word, year 1800-2100, as parents in the
oldest books were born in the 1880s, or two digits) and stand alone: a number run with more parts (3.11.7.1,
10.0.0.12), a version (v2.10.25) or a duration (12.5 s) stays.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.errors import ArchiveError
from pipeline.forms.catalogue import Catalogue, load_catalogue

MARKER = "[redacted]"
# Form value types that carry a person's name, a date (of birth, of an act) or a place of birth.
PERSONAL_TYPES = frozenset({"name", "full_name", "date", "place"})
# Extras the project's code uses for field values, whatever the field.
VALUE_KEYS = frozenset({"value", "values", "raw", "raw_text", "typed", "before", "after", "text", "person"})
# Field keys of a personal type, recognised by their ending when the forms are not at hand.
PERSONAL_ENDINGS = ("_name", "_surname", "_patronymic", "_date", "_place", "_birth_date", "_birth_place")
OWN_PACKAGES = ("pipeline", "services", "flows", "webapp", "cli", "database", "benchmarks")

_CYRILLIC = "\u0400-\u04ff"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:18\d\d|19\d\d|20\d\d|2100)"
# in capitals, as the forms write them: a lower-case x between numbers is a size (20 x 30)
_ROMAN_MONTH = r"(?:XII|XI|IX|X|VIII|VII|VI|IV|V|III|II|I)"
# month words of the forms (Russian genitive and nominative, Tajik with and without the izofat) and English ones
_MONTH_WORD = (
    rf"(?:(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)[{_CYRILLIC}]*"
    r"|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"
)
# a date stands alone: no digit, Latin letter or dot next to it (v2.10.25, 3.11.17.2), nor a dotted digit after it
_START, _END = r"(?<![\dA-Za-z.])", r"(?!\.?\d)(?![A-Za-z])"
_PATTERNS = [
    # values of a query string (?name=...&date_from=...), encoded or not
    (re.compile(r"([?&][\w.\-\[\]]+=)[^&\s\"'#]+"), r"\1" + MARKER),
    # dates with a month word, before the words go as Cyrillic: 12 марта 1987, «5» мая 1990, 3-уми марти соли 1987
    (re.compile(rf"{_START}«?{_DAY}»?(?:-ум[{_CYRILLIC}]*)?\s+{_MONTH_WORD}\s+(?:соли\s+)?{_YEAR}{_END}"), MARKER),
    # runs of Cyrillic words, with the abbreviations and hyphens between them (ш. Хуҷанд, Раҳимова-Каримова)
    (re.compile(rf"[{_CYRILLIC}]+(?:[\s.\-'ʼ]+[{_CYRILLIC}]+)*\.?"), MARKER),
    # 1987-03-12; a timestamp (1987-03-12T10:00) is the time of an event, not a person's date
    (re.compile(rf"{_START}{_YEAR}-{_MONTH}-{_DAY}(?!\.?\d)(?!\w)"), MARKER),
    # 12.03.1987, 1.3.1987, 12/3/1987, 12-3-87, 12/3/87
    (re.compile(rf"{_START}{_DAY}[./\-]{_MONTH}[./\-]{_YEAR}{_END}"), MARKER),
    (re.compile(rf"{_START}{_DAY}[/\-]{_MONTH}[/\-]\d\d{_END}"), MARKER),
    # 12.03.87: with dots and a two-digit year only as the forms write it, day and month of two digits, since
    # versions look the same (3.4.25)
    (re.compile(rf"{_START}(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])\.\d\d{_END}"), MARKER),
    # Roman months: 12.III.1987, 12 III 1987, 12/III-1987
    (re.compile(rf"{_START}{_DAY}[./\s]+{_ROMAN_MONTH}[.\-/\s]+(?:{_YEAR}|\d\d){_END}"), MARKER),
]
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "_redacted"}


def redact_text(text: str) -> str:
    """The text with Cyrillic words, dates and query-string values replaced by the marker."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(value if isinstance(value, str) else str(value))


def _redact_record_text(record: logging.LogRecord) -> None:
    """Message, arguments and traceback, keeping the arguments' shape (uvicorn's access log reads them)."""
    if record.levelno < logging.INFO or getattr(record, "_redacted", False):
        return
    record.msg = redact_text(record.msg if isinstance(record.msg, str) else str(record.msg))
    if isinstance(record.args, dict):
        record.args = {k: _redact_value(v) for k, v in record.args.items()}
    elif record.args:
        record.args = tuple(_redact_value(a) for a in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    record._redacted = True


class RedactPersonalData(logging.Filter):
    """Replaces personal values in a log record (INFO and above) by ``[redacted]``; never drops a record."""

    def __init__(self, personal_keys: Iterable[str] = ()) -> None:
        super().__init__()
        self.personal_keys = frozenset(personal_keys) | VALUE_KEYS

    def _personal(self, key: str) -> bool:
        return key in self.personal_keys or key.endswith(PERSONAL_ENDINGS)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return True
        _redact_record_text(record)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD:  # an extra; redacting twice changes nothing
                record.__dict__[key] = MARKER if self._personal(key) and value is not None else _redact_value(value)
        return True


def personal_field_keys(catalogue: Catalogue) -> frozenset[str]:
    """Keys of the form fields whose type carries personal data (names, dates, places)."""
    return frozenset(
        spec.key for form in catalogue.forms.values() for spec in form.fields if spec.type in PERSONAL_TYPES
    )


def forms_personal_keys(forms_dir: Path) -> frozenset[str]:
    """As :func:`personal_field_keys`, read from the form files; none when they cannot be read (the endings
    rule still applies, and the command that needs the forms reports the problem itself)."""
    try:
        return personal_field_keys(load_catalogue(forms_dir))
    except (ArchiveError, OSError, ValueError):
        return frozenset()


def install_redaction(personal_keys: Iterable[str] = ()) -> RedactPersonalData:
    """Redacts every record of this process from now on; call again after a framework installs new handlers."""
    previous = logging.getLogRecordFactory()
    if not getattr(previous, "redacts", False):

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redact_record_text(record)
            return record

        factory.redacts = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(factory)
    keys = frozenset(personal_keys)
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    shared = RedactPersonalData(keys)
    for logger in loggers:
        own = logger.name.split(".", 1)[0] in OWN_PACKAGES
        targets: list[logging.Filterer] = [*logger.handlers, logger] if own else list(logger.handlers)
        for target in targets:
            if not any(isinstance(f, RedactPersonalData) for f in target.filters):
                target.addFilter(shared)
    return shared
