"""Opens a scan file by its real type and reads one page at a time as a grayscale array."""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from PIL.Image import DecompressionBombError

from pipeline.errors import UnreadableScan
from pipeline.ingest.pdf import pdf_page_count, render_pdf_page


@dataclass(frozen=True)
class ReadLimits:
    dpi: int = 300
    timeout_s: float = 60.0
    max_pixels: int = 250_000_000


def _guarded_open(path: Path, name: str, max_pixels: int) -> Image.Image:
    # Pillow's decompression-bomb guard stays on, at our limit; its warning becomes an error too.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableScan(f"{name}: image too large to decode safely ({exc})", code="too_large") from exc
    except (UnidentifiedImageError, *_DECODER_ERRORS) as exc:
        detail = str(exc).replace(str(path), name)
        raise UnreadableScan(f"{name}: not a readable image ({detail})", code="corrupt_image") from exc


# What Pillow's decoders raise on hostile bytes besides OSError: a truncated TIFF's frame count raises TypeError,
# broken tags KeyError or struct.error, odd headers ZeroDivisionError. Each is the file's fault, never the code's.
_DECODER_ERRORS = (OSError, ValueError, SyntaxError, TypeError, KeyError, IndexError, ZeroDivisionError, struct.error)


def _frame_count(image: Image.Image) -> int:
    """Pages of a (multi-page) image. A chain of TIFF pages broken after some good ones counts the good ones and
    the broken one, so the good pages are read and the broken one fails with its number; a broken first page
    makes the file unreadable."""
    count = 1
    while True:
        try:
            image.seek(count)
        except EOFError:
            break
        except DecompressionBombError:
            raise
        except _DECODER_ERRORS:
            count += 1
            break
        count += 1
    try:
        image.seek(0)
    except (EOFError, *_DECODER_ERRORS):
        pass  # the first page was opened already; a decoder that cannot go back fails at decode with its page
    return count


def count_pages(path: Path, name: str, media_type: str, limits: ReadLimits) -> int:
    """Number of pages; raises UnreadableScan (naming the file) when the file cannot be read at all."""
    if path.stat().st_size == 0:
        raise UnreadableScan(f"{name}: the file is empty (0 bytes); scan it again", code="empty")
    if media_type == "application/pdf":
        pages = pdf_page_count(path, name, timeout_s=limits.timeout_s, dpi=limits.dpi, max_pixels=limits.max_pixels)
    else:
        with _guarded_open(path, name, limits.max_pixels) as image:
            try:
                pages = _frame_count(image)
            except DecompressionBombError as exc:
                raise UnreadableScan(f"{name}: a page is too large to decode safely ({exc})", code="too_large") from exc
            if pages == 1:
                _decode(image, name, 1, limits.max_pixels)
    if pages < 1:
        raise UnreadableScan(f"{name}: the file holds no pages", code="no_pages")
    return pages


def _decode(image: Image.Image, name: str, page_number: int, max_pixels: int) -> np.ndarray:
    width, height = image.size
    if width * height > max_pixels:
        raise UnreadableScan(f"{name}, page {page_number}: {width}x{height} pixels is too large", code="too_large")
    try:
        image.load()
        upright = ImageOps.exif_transpose(image) if image.format == "JPEG" else image
        gray = upright.convert("L")
    except DecompressionBombError as exc:
        raise UnreadableScan(
            f"{name}, page {page_number}: too large to decode safely ({exc})", code="too_large"
        ) from exc
    except _DECODER_ERRORS as exc:
        raise UnreadableScan(f"{name}, page {page_number}: cannot decode ({exc})", code="corrupt_page") from exc
    return np.asarray(gray, dtype=np.uint8)


def read_page(path: Path, name: str, media_type: str, page_number: int, limits: ReadLimits) -> np.ndarray:
    """One page (1-based) as grayscale uint8; other pages are not decoded (a 500-page PDF streams)."""
    if media_type == "application/pdf":
        return render_pdf_page(
            path, name, page_number, dpi=limits.dpi, timeout_s=limits.timeout_s, max_pixels=limits.max_pixels
        )
    with _guarded_open(path, name, limits.max_pixels) as image:
        try:
            image.seek(page_number - 1)
        except EOFError as exc:
            raise UnreadableScan(f"{name}, page {page_number}: the file has no such page", code="no_such_page") from exc
        except DecompressionBombError as exc:
            raise UnreadableScan(
                f"{name}, page {page_number}: too large to decode safely ({exc})", code="too_large"
            ) from exc
        except _DECODER_ERRORS as exc:
            raise UnreadableScan(
                f"{name}, page {page_number}: cannot reach the page ({exc})", code="corrupt_page"
            ) from exc
        return _decode(image, name, page_number, limits.max_pixels)
