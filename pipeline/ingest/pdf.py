"""The one wrapper around poppler (through pdf2image): page count and one page rendered at a time."""

from __future__ import annotations

import re
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


def pdf_page_count(path: Path, name: str, *, timeout_s: float, dpi: int = 300, max_pixels: int | None = None) -> int:
    """Pages of the PDF. With ``max_pixels``, a PDF none of whose pages could be rendered within it at ``dpi``
    is refused whole (a huge media box is a memory bomb); when only some are, those fail one by one later."""
    try:
        info = pdfinfo_from_path(str(path), timeout=int(timeout_s))
    except PDFInfoNotInstalledError as exc:
        raise _missing_poppler(exc) from exc
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, ValueError) as exc:
        # Only a user password (needed to open the file) makes pdfinfo fail with "Incorrect password". A PDF
        # with an owner password alone ("Encrypted: yes" with permissions) opens and renders without one.
        if "password" in str(exc).lower():
            raise UnreadableScan(_ENCRYPTED.format(name=name), code="encrypted") from exc
        raise UnreadableScan(f"{name}: not a readable PDF ({_first_line(exc)})", code="corrupt_pdf") from exc
    pages = int(info.get("Pages", 0) or 0)
    if max_pixels is not None and pages > 0:
        sizes = _page_sizes(path, name, 1, pages, timeout_s)
        if sizes and all(_pixels(size, dpi) > max_pixels for size in sizes.values()):
            width_pt, height_pt = sizes[min(sizes)]
            raise UnreadableScan(
                f"{name}: every page is too large to render at {dpi} dpi (page 1 is {_mm(width_pt, height_pt)}); "
                "the PDF's page size is wrong: export it again at the paper's size",
                code="too_large",
            )
    return pages


_ENCRYPTED = "{name}: the PDF is password-protected; export it again without a password"
_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size$")


def _page_sizes(path: Path, name: str, first: int, last: int, timeout_s: float) -> dict[int, tuple[float, float]]:
    """Width and height in points of pages ``first``..``last``, from pdfinfo (its keys are 'Page    N size')."""
    try:
        info = pdfinfo_from_path(str(path), first_page=first, last_page=last, timeout=int(timeout_s))
    except PDFInfoNotInstalledError as exc:
        raise _missing_poppler(exc) from exc
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, ValueError) as exc:
        where = f"{name}, page {first}" if first == last else name
        raise UnreadableScan(f"{where}: not a readable PDF ({_first_line(exc)})", code="corrupt_pdf") from exc
    sizes = {}
    for key, value in info.items():
        match = _PAGE_SIZE.match(str(key))
        parts = str(value).split()
        if match and len(parts) >= 3 and parts[1] == "x":
            try:
                sizes[int(match.group(1))] = (float(parts[0]), float(parts[2]))
            except ValueError:
                continue
    return sizes


def _pixels(size_pt: tuple[float, float], dpi: int) -> float:
    return size_pt[0] * size_pt[1] * (dpi / 72) ** 2


def _mm(width_pt: float, height_pt: float) -> str:
    return f"{width_pt * _MM_PER_PT:.0f}x{height_pt * _MM_PER_PT:.0f} mm"


def render_pdf_page(
    path: Path, name: str, page_number: int, *, dpi: int, timeout_s: float, max_pixels: int
) -> np.ndarray:
    """Renders one page (1-based) as grayscale; refuses pages whose pixel count would exceed ``max_pixels``."""
    try:
        # The size is checked before poppler allocates the page: a huge media box would otherwise render
        # gigabytes. A page whose size pdfinfo cannot tell is not rendered at all.
        size = _page_sizes(path, name, page_number, page_number, timeout_s).get(page_number)
        if size is None or min(size) < 1:
            raise UnreadableScan(
                f"{name}, page {page_number}: the page has no size (its entry in the PDF is damaged); "
                "export or scan the book again",
                code="corrupt_page",
            )
        if _pixels(size, dpi) > max_pixels:
            raise UnreadableScan(
                f"{name}, page {page_number}: page of {_mm(*size)} is too large to render at {dpi} dpi",
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
