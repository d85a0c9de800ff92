"""Typed errors with exit codes and messages that tell the user what to do next."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error the product raises on purpose.

    ``code`` is a short machine-readable reason stored with quarantined files and failed pages;
    ``exit_code`` is what the CLI returns when the error reaches it.
    """

    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(ArchiveError):
    """Settings, templates, lexicons or thresholds are missing or invalid."""

    code = "config"
    exit_code = 3


class MissingDependency(ArchiveError):
    """A program or language pack the pipeline needs is not installed."""

    code = "missing_dependency"
    exit_code = 4


class DatabaseUnavailable(ArchiveError):
    """The workflow store or registry cannot be reached."""

    code = "database_unavailable"
    exit_code = 5


class IngestError(ArchiveError):
    """A scan file cannot be taken into the archive."""

    code = "ingest"
    exit_code = 6


class UnreadableScan(IngestError):
    """A file (or one page of it) is corrupt, empty, of an unknown type, or too large to decode safely."""

    code = "unreadable"


class PageProcessingError(ArchiveError):
    """A page could not go through a stage; the page is failed, the batch goes on."""

    code = "page_failed"
    exit_code = 7


class TemplateMismatch(PageProcessingError):
    """The page does not match the form it was said or believed to be."""

    code = "template_mismatch"


class PageTimeout(PageProcessingError):
    """The page took longer than ARCHIVE_PAGE_TIMEOUT_S; it is failed and its worker goes on to the next."""

    code = "timeout"


class OcrError(PageProcessingError):
    """The OCR engine crashed, timed out or refused a field image."""

    code = "ocr_failed"


class NotFound(ArchiveError):
    """A record, page or user asked for does not exist (or is not visible to the caller)."""

    code = "not_found"
    exit_code = 8
