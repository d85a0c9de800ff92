"""Writes generated pages as scan files (PNG, JPEG, multi-page TIFF, multi-page PDF) with the ground truth
``NAME.truth.json`` beside each file."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image

ScanFormat = Literal["png", "jpeg", "tiff", "pdf"]
SUFFIXES: Mapping[ScanFormat, str] = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "pdf": ".pdf"}
MULTI_PAGE: frozenset[ScanFormat] = frozenset({"tiff", "pdf"})
TRUTH_SUFFIX = ".truth.json"
# PDF files carry dates; a fixed one makes the same pages give the same bytes (the sample set is committed)
_PDF_DATE = time.gmtime(1_700_000_000)


def truth_path(scan: Path) -> Path:
    """``book/p7.tif`` -> ``book/p7.truth.json``."""
    return scan.with_name(scan.stem + TRUTH_SUFFIX)


def _image(page: np.ndarray) -> Image.Image:
    return Image.fromarray(page, mode="RGB" if page.ndim == 3 else "L")


def write_scan(
    path: Path, pages: Sequence[np.ndarray], fmt: ScanFormat, dpi: int, *, jpeg_quality: int = 85, lossless: bool = True
) -> Path:
    """One scan file of the given pages; PNG and JPEG hold exactly one page.

    TIFF pages are deflate-compressed when ``lossless``, else JPEG-compressed (noisy pages would be huge);
    PDF pages are embedded as JPEG at ``jpeg_quality``, each sized so that rendering it at ``dpi`` gives back
    the same pixels.
    """
    if not pages:
        raise ValueError("a scan file needs at least one page")
    if fmt not in MULTI_PAGE and len(pages) != 1:
        raise ValueError(f"a {fmt} file holds one page, not {len(pages)}")
    images = [_image(page) for page in pages]
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "png":
        images[0].save(path, format="PNG", dpi=(dpi, dpi), compress_level=6)
    elif fmt == "jpeg":
        images[0].save(path, format="JPEG", dpi=(dpi, dpi), quality=jpeg_quality)
    elif fmt == "tiff":
        compression: dict[str, Any] = {"compression": "tiff_deflate"}
        if not lossless:
            compression = {"compression": "jpeg", "quality": jpeg_quality}
        images[0].save(path, format="TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi), **compression)
    else:
        images[0].save(
            path,
            format="PDF",
            save_all=True,
            append_images=images[1:],
            resolution=float(dpi),
            quality=jpeg_quality,
            creationDate=_PDF_DATE,
            modDate=_PDF_DATE,
        )
    return path


def write_truth(scan: Path, truth: Mapping[str, Any]) -> Path:
    """The ground truth beside the scan, UTF-8 JSON with the Cyrillic kept readable."""
    path = truth_path(scan)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
