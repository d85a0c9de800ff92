"""The one wrapper around poppler (through pdf2image): page count and one page rendered at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pdf2image import convert_from_path, pdfinfo_from_path
from pdf2image.exceptions import (
    PDFInfoNotInstalledError,
    PDFPageCountError,
    PDFPopplerTimeoutError,
    PDFSyntaxError,
)

from pipeline.errors import MissingDependency, UnreadableScan

_MM_PER_PT = 25.4 / 72


def _missing_poppler(exc: Exception) -> MissingDependency:
    return MissingDependency(f"poppler is not installed ({exc}); install it with: apt-get install poppler-utils")


def pdf_page_count(path: Path, name: str, *, timeout_s: float) -> int:
    try:
        info = pdfinfo_from_path(str(path), timeout=int(timeout_s))
    except PDFInfoNotInstalledError as exc:
        raise _missing_poppler(exc) from exc
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, ValueError) as exc:
        raise UnreadableScan(f"{name}: not a readable PDF ({_first_line(exc)})", code="corrupt_pdf") from exc
    pages = int(info.get("Pages", 0) or 0)
    if info.get("Encrypted", "no").startswith("yes"):
        raise UnreadableScan(f"{name}: the PDF is password-protected; export it without a password", code="encrypted")
    return pages


def render_pdf_page(
    path: Path, name: str, page_number: int, *, dpi: int, timeout_s: float, max_pixels: int
) -> np.ndarray:
    """Renders one page (1-based) as grayscale; refuses pages whose pixel count would exceed ``max_pixels``."""
    try:
        info = pdfinfo_from_path(str(path), first_page=page_number, last_page=page_number, timeout=int(timeout_s))
        size = str(info.get("Page size", ""))
        width_pt, height_pt = (float(v) for v in size.split()[0:3:2]) if " x " in size else (0.0, 0.0)
        if width_pt * height_pt * (dpi / 72) ** 2 > max_pixels:
            raise UnreadableScan(
                f"{name}, page {page_number}: page of {width_pt * _MM_PER_PT:.0f}x{height_pt * _MM_PER_PT:.0f} mm "
                f"is too large to render at {dpi} dpi",
                code="too_large",
            )
        images = convert_from_path(
            str(path), dpi=dpi, first_page=page_number, last_page=page_number, grayscale=True, timeout=int(timeout_s)
        )
    except PDFInfoNotInstalledError as exc:
        raise _missing_poppler(exc) from exc
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, ValueError, OSError) as exc:
        raise UnreadableScan(
            f"{name}, page {page_number}: cannot render ({_first_line(exc)})", code="corrupt_page"
        ) from exc
    if not images:
        raise UnreadableScan(f"{name}, page {page_number}: poppler rendered nothing", code="corrupt_page")
    return np.asarray(images[0].convert("L"), dtype=np.uint8)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
