"""No personal data in logs: names and dates of birth are replaced by a marker in every record at INFO and above.

Logs leave the archive's control (terminals, journald, Prefect's server, support tickets); the registry's
people must not go with them. Two layers, because neither alone sees everything:

* a log-record factory redacts the message, its arguments and the traceback of every record the process
  makes, whatever handlers later frameworks (uvicorn, Prefect) install;
* a filter on the handlers and on the project's loggers redacts the extras (``extra={...}``), which are
  attached after the factory has run: values of form fields of a personal type, and keys known to carry values.

Text is redacted by shape: any run of Cyrillic words (names, places, offices are written in Cyrillic; the
logs themselves are English), anything shaped like a date, and the values of a URL's query string.
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
_PATTERNS = [
    # values of a query string (?name=...&date_from=...), encoded or not
    (re.compile(r"([?&][\w.\-\[\]]+=)[^&\s\"'#]+"), r"\1" + MARKER),
    # runs of Cyrillic words, with the abbreviations and hyphens between them (ш. Хуҷанд, Раҳимова-Каримова)
    (re.compile(rf"[{_CYRILLIC}]+(?:[\s.\-'ʼ]+[{_CYRILLIC}]+)*\.?"), MARKER),
    # dates: 12.03.1987, 12/3/87, 1987-03-12, 12.III.1987
    (re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"), MARKER),
    (re.compile(r"(?<![\d.])\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}(?![.\d])"), MARKER),
    (re.compile(r"\b\d{1,2}[.\s]+[IVXivx]{1,4}[.\s]+\d{2,4}\b"), MARKER),
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
