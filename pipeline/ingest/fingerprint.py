"""SHA-256 of a file and its real type from its first bytes (never from its name)."""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20

MEDIA_TYPES = {
    b"%PDF": "application/pdf",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sniff_media_type(path: Path) -> str | None:
    """The media type from the magic bytes, or None when it is not a supported scan format."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    for magic, media_type in MEDIA_TYPES.items():
        if head.startswith(magic):
            return media_type
    # PDFs may carry a little garbage before the header; readers accept it within the first KiB.
    if b"%PDF-" in head:
        return "application/pdf"
    return None


SUFFIX_FOR = {
    "application/pdf": ".pdf",
    "image/tiff": ".tif",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
