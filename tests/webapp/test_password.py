"""First sign-in and own passwords: the printed admin password must be changed before any page opens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from database.accounts import AuditEvent, User, WebSession
from database.session import session_scope, workflow_sessions
from pipeline.config import Settings
from services.users import authenticate, ensure_first_admin
from tests.webapp.support import CSRF_INPUT, PASSWORD, ReviewData, login

SQLITE_ONLY = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
NEW = "a brand new passphrase"


def _sign_in(client: TestClient, username: str, password: str) -> str:
    """Signs in through the form and returns where it leads."""
    client.cookies.clear()
    token = CSRF_INPUT.search(client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/records"}
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def _password_form_csrf(client: TestClient) -> str:
    form = client.get("/password")
    assert form.status_code == 200
    token = CSRF_INPUT.search(form.text)
    assert token is not None
    return token.group(1)


def test_the_first_admin_must_change_the_printed_password_before_any_page(
    app_client: TestClient, settings: Settings
) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        printed = ensure_first_admin(session)
    assert printed
    # a second browser signed in with the printed password is signed out by the change
    other = TestClient(app_client.app, follow_redirects=False)
    _sign_in(other, "admin", printed)
    assert _sign_in(app_client, "admin", printed) == "/records"
    for path in ("/", "/records", "/queue", "/search", "/dashboard", "/batches", "/audit-log"):
        answer = app_client.get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/password"), path
    assert app_client.get("/records", headers={"Accept": "application/json"}).status_code == 403
    csrf = _password_form_csrf(app_client)
    assert "chosen by someone else" in app_client.get("/password").text
    assert app_client.post("/queue/next", data={"csrf_token": csrf}).headers["location"] == "/password"
    form = {"csrf_token": csrf, "current": printed, "new": NEW, "repeated": NEW}
    for wrong, message in (
        ({"current": "not the password"}, "current password is wrong"),
        ({"repeated": NEW + "x"}, "differ"),
        ({"new": "short", "repeated": "short"}, "too short"),
        ({"new": printed, "repeated": printed}, "is the current one"),
    ):
        refused = app_client.post("/password", data=form | wrong)
        assert refused.status_code == 422 and message in refused.text, wrong
        assert NEW not in refused.text and printed not in refused.text
    assert app_client.get("/records").headers["location"] == "/password"
    changed = app_client.post("/password", data=form)
    assert changed.status_code == 303
    assert app_client.get("/records").status_code == 200
    assert app_client.get("/").headers["location"] == "/queue"
    assert other.get("/records").headers["location"].startswith("/login")
    with session_scope(workflow_sessions(settings)) as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        assert admin.must_change_password is False
        assert admin.password_hash.startswith("$argon2")
        assert session.scalar(select(WebSession.id).where(WebSession.user_id == admin.id).limit(2)) is not None
        assert authenticate(session, "admin", printed, "127.0.0.1") is None
        assert authenticate(session, "admin", NEW, "127.0.0.1") is not None
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "password_changed")).one()
        assert event.actor == "admin"
        assert NEW not in str(event.before) + str(event.after)


@SQLITE_ONLY
def test_any_user_changes_their_own_password(app_client: TestClient, review_data: ReviewData) -> None:
    login(app_client, "mira")
    assert app_client.get("/records").status_code == 200  # no change required of a password they chose
    csrf = _password_form_csrf(app_client)
    assert 'href="/password"' in app_client.get("/records").text
    answer = app_client.post("/password", data={"csrf_token": csrf, "current": PASSWORD, "new": NEW, "repeated": NEW})
    assert answer.status_code == 303
    assert "Your password is changed" in app_client.get(answer.headers["location"], follow_redirects=True).text
    login(app_client, "mira", NEW)
    app_client.cookies.clear()
    token = CSRF_INPUT.search(app_client.get("/login").text)
    assert token is not None
    old = app_client.post("/login", data={"username": "mira", "password": PASSWORD, "csrf_token": token.group(1)})
    assert old.status_code == 401


@SQLITE_ONLY
def test_the_password_form_needs_a_session_and_its_csrf_token(app_client: TestClient, review_data: ReviewData) -> None:
    assert app_client.get("/password").headers["location"].startswith("/login?next=")
    login(app_client, "anna")
    form = {"current": PASSWORD, "new": NEW, "repeated": NEW}
    assert app_client.post("/password", data=form).status_code == 403
    assert app_client.post("/password", data=form | {"csrf_token": "0" * 64}).status_code == 403
