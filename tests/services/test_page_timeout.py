"""The time limit of one page: a page past ARCHIVE_PAGE_TIMEOUT_S is failed with a reason naming file and page,
its worker is freed at the limit even while an OCR call hangs, and the next page runs on a fresh helper."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from database.session import session_scope, workflow_sessions
from database.workflow import Batch, CopyKind, Page, PageState, ScanFile
from flows.runtime import page_context
from pipeline.config import Settings
from pipeline.deadline import GRACE_S, is_abandoned
from pipeline.ingest.discover import discover
from pipeline.ocr.fakes import SlowEngine
from pipeline.process import PageContext
from services.batches import BatchRequest, start_batch
from services.ingest import ingest_file
from services.pages import process_page

LIMIT_S = 1.0


def _page_image(seed: int) -> Image.Image:
    """A page without ruled lines: its orientation is asked of the OCR engine."""
    pixels = np.full((560, 400), 250, np.uint8)
    pixels[60 + 20 * seed : 70 + 20 * seed, 40:360] = 0
    return Image.fromarray(pixels, "L")


@pytest.fixture
def pages(sqlite_settings: Settings, tmp_path: Path) -> tuple[str, list[int]]:
    """A batch of two stored one-page files; returns its id and the page ids."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for seed in (1, 2):
        _page_image(seed).save(folder / f"p{seed}.png")
    request = BatchRequest(paths=(folder,), office="KHJ", act_type="birth", year=1987, copy=CopyKind.FIRST)
    sessions = workflow_sessions(sqlite_settings)
    with session_scope(sessions) as session:
        batch_id = start_batch(session, request).id
    for source in discover([folder]):
        with session_scope(sessions) as session:
            ingest_file(session, sqlite_settings, session.get_one(Batch, batch_id), source)
    with session_scope(sessions) as session:
        ids = list(session.scalars(select(Page.id).join(ScanFile).order_by(ScanFile.source_path)))
    return batch_id, ids


@pytest.fixture
def limited(sqlite_settings: Settings) -> Settings:
    return sqlite_settings.model_copy(update={"page_timeout_s": LIMIT_S})


@pytest.fixture
def context(limited: Settings) -> PageContext:
    return page_context(limited, form_hint=None, year=1987)


@pytest.fixture
def slow_engines() -> Iterator[list[SlowEngine]]:
    engines: list[SlowEngine] = []
    yield engines
    for engine in engines:
        engine.release.set()  # ends the hung calls: no thread outlives the test


def _page(settings: Settings, page_id: int) -> Page:
    with session_scope(workflow_sessions(settings)) as session:
        page = session.get_one(Page, page_id)
        session.expunge(page)
        return page


def _helpers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("page-")]


def test_a_hung_ocr_call_fails_the_page_at_the_limit_and_the_worker_goes_on(
    limited: Settings, pages: tuple[str, list[int]], context: PageContext, slow_engines: list[SlowEngine]
) -> None:
    batch_id, (first, second) = pages
    hung = SlowEngine(seconds=60)
    slow_engines.append(hung)
    sessions = workflow_sessions(limited)
    started = time.monotonic()
    state = process_page(limited, sessions, first, batch_id, replace(context, engine=hung))
    waited = time.monotonic() - started
    assert state == PageState.FAILED.value
    assert LIMIT_S <= waited < LIMIT_S + GRACE_S + 5, waited  # not the 60 s of the call
    failed = _page(limited, first)
    assert failed.reason_code == "timeout" and failed.failure_stage == "prepare"
    assert failed.reason is not None and failed.reason.startswith("p1.png, page 1: timeout"), failed.reason
    assert "ARCHIVE_PAGE_TIMEOUT_S" in failed.reason
    assert hung.calls == 1 and is_abandoned(hung)  # the engine stuck in its call is never used again
    stuck = _helpers()

    # The same worker thread takes the next page at once, on a new helper, with a working engine.
    state = process_page(limited, sessions, second, batch_id, context)
    assert state in (PageState.UNMATCHED.value, PageState.CHECKED.value)
    assert not is_abandoned(context.engine)
    assert len(_helpers()) == len(stuck) + 1

    hung.release.set()  # the hung call returns: its helper thread ends instead of waiting for more pages
    deadline = time.monotonic() + 10
    while len(_helpers()) > len(stuck) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_helpers()) == len(stuck)


def test_a_call_returning_past_the_limit_fails_the_page_without_abandoning_the_engine(
    limited: Settings, pages: tuple[str, list[int]], context: PageContext
) -> None:
    batch_id, (first, _second) = pages
    slow = SlowEngine(seconds=LIMIT_S + GRACE_S / 2)  # ends past the limit, but within the grace
    state = process_page(limited, workflow_sessions(limited), first, batch_id, replace(context, engine=slow))
    assert state == PageState.FAILED.value
    failed = _page(limited, first)
    assert failed.reason_code == "timeout" and failed.reason and failed.reason.startswith("p1.png, page 1: ")
    assert slow.calls == 1 and not is_abandoned(slow)  # it stopped at its own check: the engine can go on


def test_a_page_within_the_limit_is_processed(
    limited: Settings, pages: tuple[str, list[int]], context: PageContext
) -> None:
    batch_id, (first, _second) = pages
    slow = SlowEngine(seconds=0.2)
    state = process_page(limited, workflow_sessions(limited), first, batch_id, replace(context, engine=slow))
    assert state == PageState.UNMATCHED.value
    assert _page(limited, first).reason_code is None
