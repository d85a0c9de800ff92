"""No personal data in logs or error pages: names and dates are replaced by a marker, wherever they come from."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from cli.common import quiet_logging
from cli.web import server_config
from pipeline.config import Settings
from services.redaction import MARKER, redact_text
from tests.webapp.support import ReviewData, login
from webapp.app import create_app

SQLITE_ONLY = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
NAME, SURNAME, BORN = "Мадина", "Раҳимова", "12.03.2015"


@pytest.fixture
def access_log(settings: Settings, caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    """The app under uvicorn set up as `archive serve` sets it up; caplog listens to its access log."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(server_config(create_app(settings), lifespan="off"))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(caplog.handler)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()
    access.removeHandler(caplog.handler)


@SQLITE_ONLY
def test_the_access_log_of_a_name_search_shows_neither_the_name_nor_the_date(
    access_log: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        answer = httpx.get(f"{access_log}/search?name={quote(NAME)}&date_from=2015-03-12&office=KHJ")
        assert answer.status_code == 303  # signed out: sent to sign in, and the request is logged all the same
        time.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("GET /search?" in line for line in lines), lines
    logged = "\n".join(lines)
    assert NAME not in logged and quote(NAME) not in logged and "2015-03-12" not in logged
    assert f"name={MARKER}" in logged and f"date_from={MARKER}" in logged


@SQLITE_ONLY
def test_personal_values_in_messages_extras_and_tracebacks_are_redacted(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_logging()  # what every `archive` command does first
    logger = logging.getLogger("services.review")
    with caplog.at_level(logging.INFO):
        logger.info(
            "saved %s %s born %s, act %d",
            SURNAME,
            NAME,
            BORN,
            214,
            extra={"child_birth_date": "2015-03-12", "mother_name": "Zarina", "value": "Zarina Karimova", "page": 7},
        )
        try:
            raise ValueError(f"cannot read {NAME!r} as a date: {BORN}")
        except ValueError:
            logger.exception("page failed")
        logger.debug("debug output is left alone: %s", NAME)
    saved, failed = (r for r in caplog.records if r.levelno >= logging.INFO)
    assert saved.getMessage() == f"saved {MARKER} {MARKER} born {MARKER}, act 214"
    assert (saved.child_birth_date, saved.mother_name, saved.value, saved.page) == (MARKER, MARKER, MARKER, 7)
    text = caplog.text
    assert NAME not in text.split("debug output")[0] and SURNAME not in text and BORN not in text
    assert "Zarina" not in text and "2015-03-12" not in text
    assert "ValueError: cannot read '[redacted]' as a date: [redacted]" in failed.exc_text


@SQLITE_ONLY
def test_error_pages_and_api_errors_never_echo_values(app_client: TestClient, review_data: ReviewData) -> None:
    csrf = login(app_client, "anna")
    page = app_client.get(f"/records?status={quote(NAME)}")
    assert page.status_code == 422 and NAME not in page.text and MARKER in page.text
    refused = app_client.post("/api/parse", json={"raw": NAME, "key": "child_name"}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422
    assert NAME not in refused.text and refused.json()["detail"][0]["loc"] == ["body", "value_type"]


def test_the_patterns_keep_what_is_not_personal() -> None:
    assert redact_text("pages finished 3 of 3 (failed 1) from 127.0.0.1:8000 page 12.5") == (
        "pages finished 3 of 3 (failed 1) from 127.0.0.1:8000 page 12.5"
    )
    assert redact_text("ш. Хуҷанд, 12.III.1987 / 1987-03-12") == f"{MARKER}, {MARKER} / {MARKER}"


# every way the forms write a date (pipeline/synth/paper.py), and the numeric ones logs and people type
PAPER_DATES = [
    "12.03.1987",
    "1.3.1987",
    "12 марта 1987 г.",
    "05 марта 1987 года",
    "«5» мая 1990 г.",
    "12/III-1987",
    "12.III.1987",
    "5 XII 1987",
    "12.03.87",
    "31.12.99",
    "12.03.2015 с.",
    "3 марти 1987 с.",
    "3 марти соли 1987",
    "3-уми марти соли 1987",
    "3 март 2001",
    "1987-03-12",
    "12/3/1987",
    "12/3/87",
    "12-03-87",
    "5 March 1987",
    "12.03.1889",  # a parent's birth in the oldest books
]


@pytest.mark.parametrize("written", PAPER_DATES)
def test_a_date_in_every_paper_format_is_redacted_whole(written: str) -> None:
    for text in (written, f"born {written}, act 214", f"({written})", f"born {written}."):
        redacted = redact_text(text)
        assert not any(character.isdigit() for character in redacted.replace("214", "")), (text, redacted)
        assert MARKER in redacted, text
    assert redact_text(f"{SURNAME} {NAME}, {written}").startswith(f"{MARKER}, ")


@pytest.mark.parametrize(
    "text",
    [
        "python 3.11.7",
        "version 2.0.1",
        "3.11.7.1",
        "prefect 3.4.25",
        "v2.10.25",
        "numpy 1.26.4",
        "3.11.17.2",
        "from 10.0.0.12 and 192.168.1.1",
        "1.2.3.4",
        "took 12.5 s",
        "0:00:12.5",
        "resized to 20 x 30",
        "45.13.2020",
        "12.13.1987",
        "32.03.1987",
        "2026-13-45",
        "12.03.2150",
        "calendar version 2024.03.12",
        "started 2026-11-29T09:47:40",
        "12.03.1987.5",
    ],
)
def test_numbers_that_are_no_plausible_date_are_kept(text: str) -> None:
    assert redact_text(text) == text
