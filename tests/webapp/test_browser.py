"""The review screen in headless Chromium: a record reviewed with the keyboard alone, concurrent claims, office 404."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from database.accounts import AuditEvent, Role
from database.session import session_scope, workflow_sessions
from database.workflow import Field, Record
from database.workflow import Page as PageRow
from pipeline.config import Settings
from pipeline.prepare.spread import SPREAD_SLOT_OFFSET
from pipeline.types import FieldState, RecordStatus
from services.users import create_user
from tests.webapp.support import PASSWORD, ReviewData
from webapp.app import create_app

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Set to a folder to keep a screenshot of the review screen (the README's picture is made this way).
SCREENSHOTS_ENV = "ARCHIVE_TEST_SCREENSHOTS"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = os.environ.get("ARCHIVE_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("no Chromium: set ARCHIVE_TEST_CHROMIUM or install Debian's chromium", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def live_server(settings: Settings, review_data: ReviewData) -> Iterator[str]:
    """The app under uvicorn in a thread, on a free port of 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the web app did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


def _sign_in(page: Page, base: str, username: str) -> None:
    """Signs in with the keyboard: user name, Tab to the password, Enter."""
    page.goto(f"{base}/login")
    page.focus("input[name=username]")  # autofocus may land after the load event
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    try:
        page.wait_for_url(f"{base}/queue", timeout=10_000)
    except Exception as exc:
        raise AssertionError(f"sign-in failed at {page.url}: {page.inner_text('main')}") from exc


def _focused_field(page: Page, expected: str | None = None) -> str:
    """The name of the focused input, after waiting (briefly) for ``expected`` to get the focus."""
    if expected is not None:
        page.wait_for_function(
            "name => (document.activeElement.name || document.activeElement.id) === name", arg=expected, timeout=5000
        )
    return str(page.evaluate("document.activeElement.name || document.activeElement.id"))


def test_a_record_is_reviewed_with_the_keyboard_alone(
    browser: Browser, live_server: str, review_data: ReviewData, settings: Settings
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _sign_in(page, live_server, "anna")
    page.focus("#next-record")  # it has autofocus, which may land after the load event
    page.keyboard.press("Enter")
    first, second = review_data.khj
    page.wait_for_url(f"{live_server}/review/{first}")
    assert _focused_field(page, "value:child_name") == "value:child_name"  # the first flagged field, its text selected
    assert page.locator("rect.box.active").get_attribute("data-key") == "child_name"

    page.keyboard.type("мадина")
    page.locator("fieldset[data-key=child_name] output").filter(has_text="Мадина").wait_for()
    page.keyboard.press("Enter")
    assert _focused_field(page, "value:child_birth_date") == "value:child_birth_date"
    page.keyboard.type("31.02.2015")
    page.locator("fieldset[data-key=child_birth_date] p.error").filter(has_text="not a date").wait_for()
    page.keyboard.press("Enter")  # refused: the field keeps the focus
    assert _focused_field(page, "value:child_birth_date") == "value:child_birth_date"
    page.keyboard.type("12.03.2015")
    page.locator("fieldset[data-key=child_birth_date] output").filter(has_text="2015-03-12").wait_for()
    if os.environ.get(SCREENSHOTS_ENV):
        page.screenshot(path=str(Path(os.environ[SCREENSHOTS_ENV]) / "review.png"))
    page.keyboard.press("Enter")
    assert _focused_field(page, "value:mother_surname") == "value:mother_surname"
    page.keyboard.press("Shift+Tab")
    assert _focused_field(page, "value:child_birth_date") == "value:child_birth_date"
    assert page.input_value("input[name='value:child_birth_date']") == "2015-03-12"  # shown in canonical form
    page.keyboard.press("Tab")
    assert _focused_field(page, "value:mother_surname") == "value:mother_surname"
    page.keyboard.press("Enter")  # right as read: confirmed
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{live_server}/review/{second}")
    context.close()
    assert errors == []

    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, first)
        assert (record.status, record.verified_by) == (RecordStatus.VERIFIED, "anna")
        fields = {f.key: (f.value, f.state) for f in session.scalars(select(Field).where(Field.record_id == first))}
        assert fields["child_name"] == ("Мадина", FieldState.CORRECTED)
        assert fields["child_birth_date"] == ("2015-03-12", FieldState.CORRECTED)
        assert fields["mother_surname"] == ("Каримова", FieldState.CONFIRMED)
        assert fields["child_surname"] == ("Раҳимова", FieldState.AUTO)
        events = session.scalars(select(AuditEvent).where(AuditEvent.record_id == first).order_by(AuditEvent.id)).all()
        assert [(e.action, e.field_key) for e in events] == [
            ("claimed", None),
            ("field_corrected", "child_name"),
            ("field_corrected", "child_birth_date"),
            ("field_confirmed", "mother_surname"),
            ("verified", None),
            ("loaded", None),
        ]
        assert events[1].before == {"value": "Мадииа", "state": "flagged"} and events[1].actor == "anna"


def _make_spread_second_page(settings: Settings, record_id: str) -> None:
    """Puts the record on the second page of a two-page spread: its page image shown twice side by side, its
    boxes moved into the right half, its slot numbered from the spread offset."""
    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, record_id)
        page = session.get_one(PageRow, record.page_id)
        path = settings.resolved_data_dir / str(page.image_path)
        with Image.open(path) as single:
            spread = Image.new("L", (single.width * 2, single.height), 255)
            spread.paste(single, (0, 0))
            spread.paste(single, (single.width, 0))
        spread.save(path, quality=85)
        record.slot += SPREAD_SLOT_OFFSET
        # as the flow stores a spread: where its second page begins in the saved image
        page.provenance = {**(page.provenance or {}), "spread": {"halves": 2, "offset_px": single.width}}
        for field in record.fields:
            if field.box:
                field.box = [field.box[0] + single.width, *field.box[1:]]


_VIEW = """() => {
    const edges = (r) => [r.left, r.top, r.right, r.bottom];
    return {
        stage: edges(document.getElementById("stage").getBoundingClientRect()),
        image: edges(document.querySelector("#canvas img").getBoundingClientRect()),
        box: edges(document.querySelector("rect.box.active").getBoundingClientRect()),
    };
}"""


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_field_of_a_spreads_second_page_is_shown_without_the_first_page(
    browser: Browser, live_server: str, review_data: ReviewData, settings: Settings
) -> None:
    first = review_data.khj[0]
    _make_spread_second_page(settings, first)
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    _sign_in(page, live_server, "anna")
    page.focus("#next-record")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/review/{first}")
    for key in ("child_name", "child_birth_date"):  # the first flagged field, then the next one by Tab
        assert _focused_field(page, f"value:{key}") == f"value:{key}"
        assert page.locator("rect.box.active").get_attribute("data-key") == key
        view = page.evaluate(_VIEW)
        (s_left, s_top, s_right, s_bottom), (i_left, _t, i_right, _b), (b_left, b_top, b_right, b_bottom) = (
            view["stage"],
            view["image"],
            view["box"],
        )
        assert s_left <= b_left and b_right <= s_right and s_top <= b_top and b_bottom <= s_bottom, view
        # of the first page at most its margin's sliver shows, and the box is as wide as on a single page
        assert (i_left + i_right) / 2 <= s_left + 0.03 * (s_right - s_left), view
        assert b_right - b_left >= 0.45 * (s_right - s_left), view
        page.keyboard.press("Tab")
    page.context.close()


def test_two_browsers_claiming_at_once_get_different_records(
    browser: Browser, live_server: str, review_data: ReviewData, settings: Settings
) -> None:
    pages = []
    for username in ("anna", "bobur"):
        page = browser.new_context().new_page()
        _sign_in(page, live_server, username)
        pages.append(page)
    for page in pages:
        page.click("#next-record", no_wait_after=True)
    for page in pages:
        page.wait_for_url(f"{live_server}/review/*")
    claimed = {page.url.rsplit("/", 1)[1] for page in pages}
    assert claimed == set(review_data.khj)
    with session_scope(workflow_sessions(settings)) as session:
        owners = {session.get_one(Record, record_id).lease_owner for record_id in claimed}
    assert owners == {"anna", "bobur"}
    for page in pages:
        page.context.close()


def test_a_reviewer_of_another_office_gets_404_for_a_record_by_its_url(
    browser: Browser, live_server: str, review_data: ReviewData
) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "sino")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/queue")
    for path in (
        f"/review/{review_data.khj[0]}",
        f"/records/{review_data.khj[0]}",
        f"/records/{review_data.khj[0]}/page.jpg",
    ):
        response = page.goto(live_server + path)
        assert response is not None and response.status == 404, path
    response = page.goto(f"{live_server}/review/{review_data.sno}")
    assert response is not None and response.status == 200
    page.context.close()


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_generated_password_is_replaced_at_first_sign_in_with_the_keyboard(
    browser: Browser, live_server: str, settings: Settings
) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        _user, printed = create_user(session, "nadia", Role.REVIEWER, ["KHJ"])
    assert printed
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server}/queue")
    page.focus("input[name=username]")
    page.keyboard.type("nadia")
    page.keyboard.press("Tab")
    page.keyboard.type(printed)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/password")  # the queue asked for is refused until the password is changed
    assert "chosen by someone else" in page.inner_text("main")
    page.focus("input[name=current]")
    page.keyboard.type(printed)
    for _ in range(2):
        page.keyboard.press("Tab")
        page.keyboard.type("nadia's own passphrase")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/queue?notice=password_changed")
    assert "Your password is changed" in page.inner_text("body")
    page.goto(f"{live_server}/records")
    assert page.url == f"{live_server}/records"
    context.close()
    assert errors == []
