"""Writes scan images into one PDF, a page at a time, the JPEG bytes embedded as they are (no re-encoding).

Used by the throughput benchmark to give OCRmyPDF the same pages as the flow, and to build a long book (a
500-page PDF of repeated pages) without ever holding more than one page in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from PIL import Image


def _jpeg_of(path: Path) -> tuple[bytes, int, int, str]:
    """JPEG bytes, size and PDF colour space of a scan; other formats are encoded once as JPEG (quality 92)."""
    with Image.open(path) as image:
        width, height = image.size
        if image.format == "JPEG" and image.mode in ("L", "RGB"):
            return path.read_bytes(), width, height, "/DeviceGray" if image.mode == "L" else "/DeviceRGB"
        converted = image.convert("L")
    buffer = io.BytesIO()
    converted.save(buffer, "JPEG", quality=92)
    return buffer.getvalue(), width, height, "/DeviceGray"


class _PdfWriter:
    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._offsets: list[int] = []
        handle.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def add(self, body: bytes, stream: bytes | None = None) -> int:
        self._offsets.append(self._handle.tell())
        number = len(self._offsets)
        self._handle.write(f"{number} 0 obj\n".encode() + body)
        if stream is not None:
            self._handle.write(b"\nstream\n" + stream + b"\nendstream")
        self._handle.write(b"\nendobj\n")
        return number

    def reserve(self) -> int:
        """An object number whose body is written later (the page tree, once every page is known)."""
        self._offsets.append(-1)
        return len(self._offsets)

    def fill(self, number: int, body: bytes) -> None:
        self._offsets[number - 1] = self._handle.tell()
        self._handle.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    def finish(self, root: int) -> None:
        xref = self._handle.tell()
        lines = [f"xref\n0 {len(self._offsets) + 1}\n", "0000000000 65535 f \n"]
        lines += [f"{offset:010d} 00000 n \n" for offset in self._offsets]
        self._handle.write("".join(lines).encode())
        trailer = f"trailer\n<< /Size {len(self._offsets) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        self._handle.write(trailer.encode())


def write_pdf(images: Iterable[Path], out: Path, *, dpi: int = 300) -> int:
    """Writes the images as the pages of ``out`` (page size from ``dpi``); returns the number of pages."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        pdf = _PdfWriter(handle)
        pages_id = pdf.reserve()
        page_ids: list[int] = []
        for path in images:
            data, width, height, colour = _jpeg_of(path)
            image_id = pdf.add(
                f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace {colour} "
                f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(data)} >>".encode(),
                data,
            )
            w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
            content = f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()
            content_id = pdf.add(f"<< /Length {len(content)} >>".encode(), content)
            page_ids.append(
                pdf.add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {w_pt:.2f} {h_pt:.2f}] "
                    f"/Resources << /XObject << /Im0 {image_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
                )
            )
        kids = " ".join(f"{number} 0 R" for number in page_ids)
        pdf.fill(pages_id, f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
        root = pdf.add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
        pdf.finish(root)
    return len(page_ids)
