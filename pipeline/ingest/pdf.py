"""The one wrapper around poppler: page count and sizes from pdfinfo, one page rendered at a time (pdftoppm through
pdf2image)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
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
        sizes = _page_table(path, name, 1, pages, timeout_s).sizes
        if sizes and all(_pixels(size, dpi) > max_pixels for size in sizes.values()):
            width_pt, height_pt = sizes[min(sizes)]
            raise UnreadableScan(
                f"{name}: every page is too large to render at {dpi} dpi (page 1 is {_mm(width_pt, height_pt)}); "
                "the PDF's page size is wrong: export it again at the paper's size",
                code="too_large",
            )
    return pages


_ENCRYPTED = "{name}: the PDF is password-protected; export it again without a password"
_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+) x ([\d.]+)", re.M)
# poppler skips a page-tree entry that is not a page (a damaged page object) and numbers the pages after it one
# less; its message names the entry by the number poppler gives the next page, in the order it meets them
_SKIPPED_ENTRY = re.compile(r"Kid object \(page (\d+)\) is wrong type")
_PAGE_TREE_ERROR = re.compile(r"^.*Error.*(?:Kids? object|Pages tree|page tree).*$", re.M | re.I)


@dataclass(frozen=True)
class _PageTable:
    """What pdfinfo tells of a PDF's pages: their sizes in points keyed by poppler's page number, the book page
    numbers of the damaged entries poppler skipped, and any page-tree error that does not say where it is."""

    sizes: dict[int, tuple[float, float]]
    skipped: frozenset[int]
    unplaced: str | None

    def poppler_number(self, page_number: int) -> int:
        """The number poppler gives a book page: one less for each skipped entry before it."""
        return page_number - sum(1 for skipped in self.skipped if skipped < page_number)


def _page_table(path: Path, name: str, first: int, last: int, timeout_s: float) -> _PageTable:
    """Runs pdfinfo on pages ``first``..``last`` itself: the page-tree errors are on its stderr, which pdf2image
    drops when pdfinfo succeeds."""
    command = ["pdfinfo", "-f", str(first), "-l", str(last), str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except FileNotFoundError as exc:
        raise _missing_poppler(exc) from exc
    except subprocess.TimeoutExpired as exc:
        raise UnreadableScan(f"{_where(name, first, last)}: pdfinfo timed out", code="corrupt_pdf") from exc
    out, err = (stream.decode("utf-8", "replace") for stream in (done.stdout, done.stderr))
    if done.returncode != 0:
        detail = err.strip().splitlines()[0][:200] if err.strip() else f"pdfinfo exit code {done.returncode}"
        raise UnreadableScan(f"{_where(name, first, last)}: not a readable PDF ({detail})", code="corrupt_pdf")
    sizes = {int(number): (float(width), float(height)) for number, width, height in _PAGE_SIZE.findall(out)}
    tree_errors = _PAGE_TREE_ERROR.findall(err)
    named = [int(m.group(1)) for line in tree_errors if (m := _SKIPPED_ENTRY.search(line))]
    # each entry skipped before moves the number poppler names one below the entry's place in the book
    skipped = frozenset(number + earlier for earlier, number in enumerate(named))
    unplaced = next((line.strip()[:200] for line in tree_errors if not _SKIPPED_ENTRY.search(line)), None)
    return _PageTable(sizes, skipped, unplaced)


def _where(name: str, first: int, last: int) -> str:
    return f"{name}, page {first}" if first == last else name


def _pixels(size_pt: tuple[float, float], dpi: int) -> float:
    return size_pt[0] * size_pt[1] * (dpi / 72) ** 2


def _mm(width_pt: float, height_pt: float) -> str:
    return f"{width_pt * _MM_PER_PT:.0f}x{height_pt * _MM_PER_PT:.0f} mm"


def render_pdf_page(
    path: Path, name: str, page_number: int, *, dpi: int, timeout_s: float, max_pixels: int
) -> np.ndarray:
    """Renders one page (1-based) as grayscale; refuses pages whose pixel count would exceed ``max_pixels``."""
    try:
        # Pages 1..N: poppler reads the page tree up to page N and reports every damaged entry on the way, so a
        # damaged page fails with its own number and the pages after it render as the pages they are.
        table = _page_table(path, name, 1, page_number, timeout_s)
        if page_number in table.skipped:
            raise UnreadableScan(
                f"{name}, page {page_number}: the page's entry in the PDF is damaged (it is not a page object); "
                "export or scan the book again",
                code="corrupt_page",
            )
        if table.unplaced is not None:
            raise UnreadableScan(
                f"{name}, page {page_number}: the PDF's list of pages is damaged at or before this page "
                f"({table.unplaced}), so which page would be rendered here cannot be told; "
                "export or scan the book again",
                code="corrupt_page",
            )
        poppler_number = table.poppler_number(page_number)
        # The size is checked before poppler allocates the page: a huge media box would otherwise render
        # gigabytes. A page whose size pdfinfo cannot tell is not rendered at all.
        size = table.sizes.get(poppler_number)
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
            str(path),
            dpi=dpi,
            first_page=poppler_number,
            last_page=poppler_number,
            grayscale=True,
            timeout=int(timeout_s),
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
