"""Broken and hostile scans: every one is quarantined, or only its broken pages fail, with a reason naming the
file (and page); the good pages of the same file are read; nothing crashes, hangs or eats the memory."""

from __future__ import annotations

import contextlib
import io
import re
import resource
import struct
import zlib
from datetime import timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter

from database.session import session_scope, workflow_sessions
from database.workflow import Page, ScanFile, ScanFileState
from pipeline.config import Settings
from pipeline.errors import PageProcessingError, UnreadableScan
from pipeline.ingest.fingerprint import sniff_media_type
from pipeline.ingest.pages import ReadLimits, count_pages, read_page
from pipeline.prepare import prepare_page
from tests.ingest.test_ingest import _ingest_all

LIMITS = ReadLimits(dpi=100, timeout_s=20)
MiB = 1 << 20


def _page(seed: int) -> Image.Image:
    pixels = np.full((300, 200), 250, np.uint8)
    pixels[20 + 10 * seed : 30 + 10 * seed, 20:180] = 0
    return Image.fromarray(pixels, "L")


def _encoded(image: Image.Image, kind: str, more: list[Image.Image] | None = None) -> bytes:
    out = io.BytesIO()
    if more:
        image.save(
            out, format=kind, save_all=True, append_images=more, **({"resolution": 100} if kind == "PDF" else {})
        )
    else:
        image.save(out, format=kind, **({"resolution": 100} if kind == "PDF" else {}))
    return out.getvalue()


@cache
def good_files() -> dict[str, bytes]:
    """One good file of every format the archive reads, keyed by its suffix."""
    return {
        ".png": _encoded(_page(1), "PNG"),
        ".jpg": _encoded(_page(1), "JPEG"),
        ".tif": _encoded(_page(1), "TIFF"),
        "-multi.tif": _encoded(_page(1), "TIFF", [_page(2), _page(3)]),
        ".pdf": _encoded(_page(1), "PDF", [_page(2), _page(3)]),
    }


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 60000) -> bytes:
    """A valid PNG header claiming side x side pixels, in a few dozen bytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def tiff_bomb(side: int = 100000) -> bytes:
    """A little-endian TIFF whose one page claims side x side 8-bit grey pixels, with 16 bytes of data."""
    entries = [
        (256, 4, 1, side),  # ImageWidth
        (257, 4, 1, side),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 1),  # black is zero
        (273, 4, 1, 8 + 2 + 12 * 9 + 4),  # StripOffsets: right after the directory
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, side),  # RowsPerStrip
        (279, 4, 1, 16),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x80" * 16


def tiff_with_bomb_page() -> bytes:
    """Three pages whose second claims 100000 x 100000 pixels: only that page may fail."""
    frames = [_page(1), Image.new("L", (8, 8), 255), _page(3)]
    data = bytearray(_encoded(frames[0], "TIFF", frames[1:]))
    # Pillow writes ImageWidth and ImageLength of every page as LONG values; patch the second page's pair.
    offsets = [m.start() for m in re.finditer(rb"\x00\x01\x04\x00\x01\x00\x00\x00", data)]
    second = offsets[1]
    data[second + 8 : second + 12] = struct.pack("<I", 100000)
    data[second + 20 : second + 24] = struct.pack("<I", 100000)
    return bytes(data)


def tiff_with_broken_page() -> bytes:
    """Three pages; the second page's pixel data is cut short by a wrong strip byte count and offset."""
    frames = [_page(1), _page(2), _page(3)]
    data = bytearray(_encoded(frames[0], "TIFF", frames[1:]))
    offsets = [m.start() for m in re.finditer(rb"\x11\x01\x04\x00\x01\x00\x00\x00", data)]  # StripOffsets
    data[offsets[1] + 8 : offsets[1] + 12] = struct.pack("<I", len(data) + 10_000)  # past the end of the file
    return bytes(data)


def pdf_with(edit: str, algorithm: str = "RC4-128") -> bytes:
    """The good three-page PDF with one change: 'encrypt' (a password to open it), 'owner-password' (none to open
    it, one to change it; printing and copying forbidden), 'huge-page-2' or 'huge-pages'."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(good_files()[".pdf"])))
    if edit == "encrypt":
        writer.encrypt(user_password="secret", owner_password="owner", algorithm=algorithm)
    elif edit == "owner-password":
        writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm, permissions_flag=0)
    elif edit == "huge-page-2":
        writer.pages[1].mediabox.upper_right = (14400, 14400)  # 5 m square: 400 megapixels at 100 dpi
    elif edit == "huge-pages":
        for page in writer.pages:
            page.mediabox.upper_right = (14400, 14400)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_broken_page(data: bytes | None = None, broken: tuple[int, ...] = (2,)) -> bytes:
    """A PDF (by default the good three-page one) with the objects of the ``broken`` pages (1-based) overwritten
    by strings of the same length."""
    data = data or good_files()[".pdf"]
    refs = [PdfReader(io.BytesIO(data)).pages[number - 1].indirect_reference for number in broken]
    for ref in refs:
        assert ref is not None
        match = re.search(rb"\n%d 0 obj\s*(<<.*?>>)\s*endobj" % ref.idnum, data, re.S)
        assert match is not None
        start, end = match.span(1)
        data = data[:start] + b"(" + b"x" * (end - start - 2) + b")" + data[end:]
    return data


def _read_every_page(path: Path, name: str) -> tuple[str | None, dict[int, str | None]]:
    """What ingest and the page stage make of a file: the file's refusal, else each page's refusal (None = read).

    Every refusal must name the file (and the page); every page read must go through preparation."""
    media_type = sniff_media_type(path)
    if media_type is None:
        return "not_a_scan", {}
    try:
        pages = count_pages(path, name, media_type, LIMITS)
    except UnreadableScan as exc:
        assert re.match(rf"{re.escape(name)}(, page \d+)?: ", exc.message), exc.message
        return exc.code, {}
    assert 1 <= pages <= 5
    outcome: dict[int, str | None] = {}
    for number in range(1, pages + 1):
        try:
            image = read_page(path, name, media_type, number, LIMITS)
        except UnreadableScan as exc:
            assert exc.message.startswith(f"{name}, page {number}: "), exc.message
            outcome[number] = exc.code
            continue
        assert image.ndim == 2 and image.dtype == np.uint8 and min(image.shape) >= 1
        # a page the stage refuses on purpose is a failed page, as the flow stores it
        with contextlib.suppress(PageProcessingError):
            prepare_page(image, osd=lambda _image: (0, 0.0))
        outcome[number] = None
    return None, outcome


SUFFIXES = sorted(good_files())
MAGICS = [b"%PDF-1.4\n", b"II*\x00", b"MM\x00*", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b""]


@st.composite
def broken_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file name and bytes: a good file truncated, with bytes overwritten, or random bytes behind a magic."""
    kind = draw(st.sampled_from(["truncated", "overwritten", "random"]))
    suffix = draw(st.sampled_from(SUFFIXES))
    if kind == "random":
        return f"random{suffix}", draw(st.sampled_from(MAGICS)) + draw(st.binary(max_size=2048))
    data = good_files()[suffix]
    if kind == "truncated":
        return f"truncated{suffix}", data[: draw(st.integers(0, len(data) - 1))]
    damaged = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        damaged[at : at + 4] = draw(st.binary(min_size=4, max_size=4))
    return f"overwritten{suffix}", bytes(damaged)


@settings(
    max_examples=50,
    deadline=timedelta(seconds=20),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(broken_files())
def test_fuzzed_files_are_refused_with_their_name_or_read(tmp_path: Path, named: tuple[str, bytes]) -> None:
    name, data = named
    path = tmp_path / name
    path.write_bytes(data)
    refusal, pages = _read_every_page(path, name)
    assert refusal is not None or pages  # either the file is refused or it has pages, each read or refused


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_truncation_of_every_format_is_refused_or_read(tmp_path: Path, suffix: str) -> None:
    """Not left to chance: each format cut at ten points, zero bytes included."""
    data = good_files()[suffix]
    for cut in [0, 1, 8, 100, *(len(data) * k // 10 for k in range(2, 10)), len(data) - 1]:
        name = f"cut{cut}{suffix}"
        (tmp_path / name).write_bytes(data[:cut])
        refusal, pages = _read_every_page(tmp_path / name, name)
        assert refusal is not None or pages


def test_one_broken_page_fails_alone_and_the_others_are_read(tmp_path: Path) -> None:
    (tmp_path / "broken-page.tif").write_bytes(tiff_with_broken_page())
    assert _read_every_page(tmp_path / "broken-page.tif", "broken-page.tif") == (
        None,
        {1: None, 2: "corrupt_page", 3: None},
    )
    (tmp_path / "broken-page.pdf").write_bytes(pdf_with_broken_page())
    assert _read_every_page(tmp_path / "broken-page.pdf", "broken-page.pdf") == (
        None,
        {1: None, 2: "corrupt_page", 3: None},
    )


@pytest.mark.parametrize("broken", [(3,), (2, 4), (3, 4), (1, 5)])
def test_a_damaged_page_object_fails_with_its_own_number_and_the_pages_after_it_keep_theirs(
    tmp_path: Path, broken: tuple[int, ...]
) -> None:
    """poppler skips a page object it cannot parse and numbers the pages after it one less; each page must still
    be read as itself, and the damaged one named."""
    good = _encoded(_page(1), "PDF", [_page(seed) for seed in range(2, 6)])
    (tmp_path / "good.pdf").write_bytes(good)
    (tmp_path / "damaged.pdf").write_bytes(pdf_with_broken_page(good, broken))
    assert count_pages(tmp_path / "damaged.pdf", "damaged.pdf", "application/pdf", LIMITS) == 5
    for number in range(1, 6):
        if number in broken:
            with pytest.raises(UnreadableScan) as refused:
                read_page(tmp_path / "damaged.pdf", "damaged.pdf", "application/pdf", number, LIMITS)
            assert refused.value.code == "corrupt_page"
            assert refused.value.message.startswith(
                f"damaged.pdf, page {number}: the page's entry in the PDF is damaged"
            ), refused.value.message
            continue
        image = read_page(tmp_path / "damaged.pdf", "damaged.pdf", "application/pdf", number, LIMITS)
        expected = read_page(tmp_path / "good.pdf", "good.pdf", "application/pdf", number, LIMITS)
        assert np.array_equal(image, expected), number


ENCRYPTIONS = ["RC4-40", "RC4-128", "AES-128", "AES-256"]


@pytest.mark.parametrize("algorithm", ENCRYPTIONS)
def test_a_pdf_with_only_an_owner_password_is_read_like_any_other(tmp_path: Path, algorithm: str) -> None:
    (tmp_path / "good.pdf").write_bytes(good_files()[".pdf"])
    (tmp_path / "owner.pdf").write_bytes(pdf_with("owner-password", algorithm))
    assert _read_every_page(tmp_path / "owner.pdf", "owner.pdf") == (None, {1: None, 2: None, 3: None})
    for number in (1, 2, 3):
        image = read_page(tmp_path / "owner.pdf", "owner.pdf", "application/pdf", number, LIMITS)
        expected = read_page(tmp_path / "good.pdf", "good.pdf", "application/pdf", number, LIMITS)
        assert np.array_equal(image, expected), number


@pytest.mark.parametrize("algorithm", ENCRYPTIONS)
def test_a_pdf_that_needs_a_password_to_open_is_refused_saying_so(tmp_path: Path, algorithm: str) -> None:
    (tmp_path / "locked.pdf").write_bytes(pdf_with("encrypt", algorithm))
    with pytest.raises(UnreadableScan) as refused:
        count_pages(tmp_path / "locked.pdf", "locked.pdf", "application/pdf", LIMITS)
    assert refused.value.code == "encrypted"
    assert refused.value.message == ("locked.pdf: the PDF is password-protected; export it again without a password")


def test_a_page_list_damaged_where_poppler_cannot_say_fails_the_pages_from_there_on(tmp_path: Path) -> None:
    """A third entry of the page list that is no reference at all: poppler stops reading the list there, so the
    pages from 3 on cannot be told apart; they fail saying so instead of being rendered as other pages."""
    good = _encoded(_page(1), "PDF", [_page(seed) for seed in range(2, 6)])
    kids = re.search(rb"/Kids \[ ((?:\d+ 0 R )+)\]", good)
    assert kids is not None
    third = re.findall(rb"\d+ 0 R", kids.group(1))[2]
    (tmp_path / "damaged.pdf").write_bytes(good.replace(third, b"true".ljust(len(third)), 1))
    refusal, pages = _read_every_page(tmp_path / "damaged.pdf", "damaged.pdf")
    assert (refusal, pages) == (None, {1: None, 2: None, 3: "corrupt_page", 4: "corrupt_page", 5: "corrupt_page"})
    for number in (3, 4, 5):
        with pytest.raises(UnreadableScan, match=r"list of pages is damaged at or before this page \(.*Kid object"):
            read_page(tmp_path / "damaged.pdf", "damaged.pdf", "application/pdf", number, LIMITS)


def _peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child (poppler), in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def test_decompression_bombs_are_refused_without_using_the_memory(tmp_path: Path) -> None:
    before = _peak_mib()
    cases = {
        "bomb.png": png_bomb(),
        "bomb.tif": tiff_bomb(),
        "huge-pages.pdf": pdf_with("huge-pages"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        refusal, pages = _read_every_page(tmp_path / name, name)
        assert (refusal, pages) == ("too_large", {}), name
    (tmp_path / "huge-page-2.pdf").write_bytes(pdf_with("huge-page-2"))
    assert _read_every_page(tmp_path / "huge-page-2.pdf", "huge-page-2.pdf") == (
        None,
        {1: None, 2: "too_large", 3: None},
    )
    (tmp_path / "bomb-page-2.tif").write_bytes(tiff_with_bomb_page())
    assert _read_every_page(tmp_path / "bomb-page-2.tif", "bomb-page-2.tif") == (
        None,
        {1: None, 2: "too_large", 3: None},
    )
    after = _peak_mib()
    # Decoding any of them would take 400 MiB to 10 GiB; refusing them takes next to nothing.
    assert after[0] - before[0] < 150, (before, after)
    assert after[1] < max(before[1], 0) + 150, (before, after)


def test_hostile_files_in_a_folder_are_quarantined_and_good_pages_kept(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    files = {
        "good.png": good_files()[".png"],
        "good.pdf": good_files()[".pdf"],
        "empty.tif": b"",
        "jpeg-named.pdf": good_files()[".jpg"],  # read by its content: stored
        "pdf-named.tif": good_files()[".pdf"] + b"% another file\n",  # read by its content: stored
        "password.pdf": pdf_with("encrypt"),
        "owner-password.pdf": pdf_with("owner-password"),
        "bomb.png": png_bomb(),
        "bomb.tif": tiff_bomb(),
        "huge-pages.pdf": pdf_with("huge-pages"),
        "random.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8,
        "half.tif": good_files()["-multi.tif"][: len(good_files()["-multi.tif"]) // 2],
        "broken-page.tif": tiff_with_broken_page(),
        "broken-page.pdf": pdf_with_broken_page(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    outcomes = _ingest_all(settings, folder)
    states = {name: outcome.state for name, outcome in outcomes.items()}
    assert states == {
        "good.png": "stored",
        "good.pdf": "stored",
        "empty.tif": "quarantined",
        "jpeg-named.pdf": "stored",
        "pdf-named.tif": "stored",
        "password.pdf": "quarantined",
        "owner-password.pdf": "stored",
        "bomb.png": "quarantined",
        "bomb.tif": "quarantined",
        "huge-pages.pdf": "quarantined",
        "random.jpg": "quarantined",
        "half.tif": "stored",  # its first page is whole
        "broken-page.tif": "stored",
        "broken-page.pdf": "stored",
    }
    for name, outcome in outcomes.items():
        if outcome.state == "quarantined":
            assert outcome.reason and outcome.reason.startswith(f"{name}: "), outcome.reason
    assert "password-protected" in (outcomes["password.pdf"].reason or "")
    with session_scope(workflow_sessions(settings)) as session:
        codes = dict(
            session.query(ScanFile.source_path, ScanFile.reason_code).filter(
                ScanFile.state == ScanFileState.QUARANTINED
            )
        )
        pages = set(session.query(ScanFile.source_path, Page.page_number).join(Page).all())
    assert codes["password.pdf"] == "encrypted"
    assert codes["bomb.png"] == codes["bomb.tif"] == codes["huge-pages.pdf"] == "too_large"
    assert codes["empty.tif"] == "empty"
    assert ("broken-page.tif", 3) in pages and ("broken-page.pdf", 3) in pages and ("half.tif", 1) in pages
    assert {number for name, number in pages if name == "owner-password.pdf"} == {1, 2, 3}
