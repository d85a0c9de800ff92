"""Every route as each role and as nobody: sign-in, office scoping (404), CSRF (403), login limits (429), headers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from database.accounts import AuditEvent, LoginAttempt
from database.registry import ActRecord
from database.session import session_scope, workflow_sessions
from database.workflow import Field, Record
from pipeline.config import Settings
from pipeline.types import FieldState, RecordStatus
from services.users import disable_user, ensure_first_admin
from tests.webapp.support import CSRF_INPUT, PASSWORD, ReviewData, login, review_record

# Routing, roles and headers do not depend on the database: these run on SQLite only (the claims, saves and
# conflicts below run on both).
SQLITE_ONLY = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
ANONYMOUS_PAGES = [
    "/",
    "/queue",
    "/records",
    "/records/{own}",
    "/review/{own}",
    "/records/{own}/page.jpg",
    "/audit-log",
    "/password",
]
POSTS = ["/queue/next", "/review/{own}/claim", "/review/{own}/save", "/review/{own}/reject", "/review/{own}/release"]


def _paths(paths: list[str], data: ReviewData) -> list[str]:
    return [p.format(own=data.khj[0], other=data.sno) for p in paths]


@SQLITE_ONLY
def test_signed_out_pages_redirect_to_sign_in_and_the_api_answers_401(
    app_client: TestClient, review_data: ReviewData
) -> None:
    for path in _paths(ANONYMOUS_PAGES, review_data):
        response = app_client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next="), path
    assert app_client.get("/records", headers={"Accept": "application/json"}).status_code == 401
    for path in _paths(POSTS, review_data):
        assert app_client.post(path, data={}).status_code == 403, path  # no session, so no valid CSRF token
    assert app_client.get("/login").status_code == 200
    assert app_client.get("/healthz").json() == {"status": "ok"}
    assert app_client.get("/static/review.js").status_code == 200


# What each role gets on each route: reviewers work, managers and operators read, the admin does everything.
EXPECTED = {
    # path                                  reviewer  manager  operator  admin
    "GET /queue": (200, 403, 403, 200),
    "GET /records": (200, 200, 200, 200),
    "GET /records/{own}": (200, 200, 200, 200),
    "GET /records/{other}": (404, 404, 404, 200),
    "GET /records/{own}/page.jpg": (200, 200, 200, 200),
    "GET /records/{other}/page.jpg": (404, 404, 404, 200),
    "GET /records/{own}/fields/child_name.jpg": (200, 200, 200, 200),
    "GET /records/{other}/fields/child_name.jpg": (404, 404, 404, 200),
    "GET /records/{own}/fields/no_such_field.jpg": (404, 404, 404, 404),
    "GET /review/{own}": (200, 403, 403, 200),
    "GET /review/{other}": (404, 403, 403, 200),
    "POST /api/parse": (200, 403, 403, 200),
    "POST /review/{other}/claim": (404, 403, 403, 303),
    "POST /queue/next": (303, 403, 403, 303),
    "POST /api/records/{own}/lease": (200, 403, 403, 200),
    "POST /api/records/{other}/lease": (404, 403, 403, 200),
    "GET /audit-log": (403, 403, 403, 200),
    "GET /audit-log?office=SNO&user=sino": (403, 403, 403, 200),
}


@SQLITE_ONLY
@pytest.mark.parametrize(("column", "username"), [(0, "anna"), (1, "mira"), (2, "oleg"), (3, "root")])
def test_every_route_checks_role_and_office(
    app_client: TestClient, review_data: ReviewData, column: int, username: str
) -> None:
    csrf = login(app_client, username)
    for route, statuses in EXPECTED.items():
        method, template = route.split(" ")
        path = template.format(own=review_data.khj[0], other=review_data.sno)
        if method == "GET":
            response = app_client.get(path)
        elif path == "/api/parse":
            response = app_client.post(
                path, json={"value_type": "date", "raw": "12.03.1987"}, headers={"X-CSRF-Token": csrf}
            )
        else:
            response = app_client.post(path, data={"csrf_token": csrf})
        assert response.status_code == statuses[column], f"{username}: {route}"
    assert app_client.get("/").headers["location"] == ("/queue" if column in (0, 3) else "/records")


@SQLITE_ONLY
def test_a_post_without_the_sessions_csrf_token_is_refused(app_client: TestClient, review_data: ReviewData) -> None:
    csrf = login(app_client, "anna")
    for path in _paths(POSTS, review_data):
        assert app_client.post(path, data={}).status_code == 403, path
        assert app_client.post(path, data={"csrf_token": "0" * 64}).status_code == 403, path
    assert app_client.post("/api/parse", json={"value_type": "date", "raw": "1.1.1990"}).status_code == 403
    # a token of another session is no good either
    other = TestClient(app_client.app, follow_redirects=False)
    other_csrf = login(other, "bobur")
    assert other_csrf != csrf
    assert app_client.post("/queue/next", data={"csrf_token": other_csrf}).status_code == 403
    assert app_client.post("/queue/next", data={"csrf_token": csrf}).status_code == 303
    # sign-in itself needs the token of its form
    assert app_client.post("/login", data={"username": "anna", "password": PASSWORD}).status_code == 403


def test_failed_sign_ins_are_limited_per_user(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    app_client.cookies.clear()
    token = CSRF_INPUT.search(app_client.get("/login").text)
    assert token is not None
    form = {"username": "anna", "csrf_token": token.group(1), "next": "/"}
    for _ in range(5):
        assert app_client.post("/login", data=form | {"password": "wrong password"}).status_code == 401
    refused = app_client.post("/login", data=form | {"password": PASSWORD})
    assert refused.status_code == 429
    assert "too many" in refused.text
    # another user from the same address is not locked out by anna's failures
    assert app_client.post("/login", data=form | {"username": "bobur", "password": PASSWORD}).status_code == 303
    with session_scope(workflow_sessions(settings)) as session:
        attempts = session.scalars(select(LoginAttempt.succeeded).where(LoginAttempt.username == "anna")).all()
    assert attempts.count(False) == 5


@SQLITE_ONLY
def test_security_headers_cookie_flags_and_sign_out(app_client: TestClient, review_data: ReviewData) -> None:
    response = app_client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "<script>" not in response.text and " on" + "click=" not in response.text
    token = CSRF_INPUT.search(response.text)
    assert token is not None
    signed_in = app_client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "csrf_token": token.group(1), "next": "/queue"}
    )
    assert signed_in.headers["location"] == "/queue"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "archive_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = app_client.get("/queue")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    csrf = CSRF_INPUT.search(page.text)
    assert csrf is not None
    assert app_client.post("/logout", data={"csrf_token": csrf.group(1)}).status_code == 303
    assert app_client.get("/queue").status_code == 303


@SQLITE_ONLY
def test_an_open_redirect_after_sign_in_is_not_possible(app_client: TestClient, review_data: ReviewData) -> None:
    token = CSRF_INPUT.search(app_client.get("/login").text)
    assert token is not None
    response = app_client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token.group(1), "next": "//evil.example/x"},
    )
    assert response.headers["location"] == "/"


def test_a_disabled_user_is_signed_out_at_once(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    login(app_client, "anna")
    assert app_client.get("/queue").status_code == 200
    with session_scope(workflow_sessions(settings)) as session:
        disable_user(session, "anna")
    assert app_client.get("/queue").status_code == 303
    assert ensure_first_admin_is_noop(settings)


def ensure_first_admin_is_noop(settings: Settings) -> bool:
    with session_scope(workflow_sessions(settings)) as session:
        return ensure_first_admin(session) is None


@SQLITE_ONLY
def test_parse_api_gives_the_canonical_value_or_the_reason(app_client: TestClient, review_data: ReviewData) -> None:
    csrf = login(app_client, "anna")
    headers = {"X-CSRF-Token": csrf}
    ok = app_client.post("/api/parse", json={"value_type": "date", "raw": "12.03.1987"}, headers=headers).json()
    assert ok == {"ok": True, "value": "1987-03-12", "message": None, "warning": None}
    bad = app_client.post("/api/parse", json={"value_type": "date", "raw": "31.02.87x"}, headers=headers).json()
    assert bad["ok"] is False and "not a date" in bad["message"]
    unknown = app_client.post("/api/parse", json={"value_type": "colour", "raw": "red"}, headers=headers)
    assert unknown.status_code == 422


def test_a_review_through_the_forms_is_checked_saved_audited_and_loaded(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    csrf = login(app_client, "anna")
    claimed = app_client.post("/queue/next", data={"csrf_token": csrf})
    record_id = review_data.khj[0]
    assert claimed.headers["location"] == f"/review/{record_id}"
    screen = app_client.get(claimed.headers["location"])
    assert screen.status_code == 200
    assert screen.text.count('class="field flagged') == 3
    assert f"/records/{record_id}/fields/child_name.jpg" in screen.text
    with session_scope(workflow_sessions(settings)) as session:
        version = session.get_one(Record, record_id).version
    form = {
        "csrf_token": csrf,
        "version": str(version),
        "next": "1",
        "value:child_name": "Мадина",
        "decision:child_name": "edit",
        "value:child_birth_date": "12.13.2015",
        "decision:child_birth_date": "edit",
        "value:mother_surname": "Каримова",
        "decision:mother_surname": "",
        "value:act_number": "214",
    }
    refused = app_client.post(f"/review/{record_id}/save", data=form)
    assert refused.status_code == 422
    assert "child_birth_date" in refused.text and "mother_surname" in refused.text and "not a date" in refused.text
    form |= {"value:child_birth_date": "12.03.2015", "decision:mother_surname": "confirm"}
    saved = app_client.post(f"/review/{record_id}/save", data=form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/review/{review_data.khj[1]}"  # straight on to the next one
    again = app_client.post(f"/review/{record_id}/save", data=form)
    assert again.status_code == 409  # a second submit changes nothing
    with session_scope(workflow_sessions(settings)) as session:
        record = session.get_one(Record, record_id)
        assert (record.status, record.verified_by) == (RecordStatus.VERIFIED, "anna")
        states = {f.key: (f.value, f.state) for f in session.scalars(select(Field).where(Field.record_id == record_id))}
        assert states["child_name"] == ("Мадина", FieldState.CORRECTED)
        assert states["child_birth_date"] == ("2015-03-12", FieldState.CORRECTED)
        assert states["mother_surname"] == ("Каримова", FieldState.CONFIRMED)
        routes = set(session.scalars(select(AuditEvent.route).where(AuditEvent.record_id == record_id)))
        assert "POST /review/save" in routes and "POST /queue/next" in routes
        assert session.scalar(select(ActRecord).where(ActRecord.act_number == "214")) is not None
    history = app_client.get(f"/records/{record_id}")
    assert "field_corrected" in history.text and "2015-08-12" in history.text and "verified" in history.text


def test_reject_needs_a_known_reason_and_goes_on_to_the_next(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    csrf = login(app_client, "anna")
    record_id = app_client.post("/queue/next", data={"csrf_token": csrf}).headers["location"].rsplit("/", 1)[1]
    with session_scope(workflow_sessions(settings)) as session:
        version = session.get_one(Record, record_id).version
    form = {"csrf_token": csrf, "version": str(version), "next": "1", "note": "same act as page 1"}
    assert app_client.post(f"/review/{record_id}/reject", data=form | {"reason": "dull"}).status_code == 422
    rejected = app_client.post(f"/review/{record_id}/reject", data=form | {"reason": "duplicate"})
    assert rejected.status_code == 303 and rejected.headers["location"] == f"/review/{review_data.khj[1]}"
    with session_scope(workflow_sessions(settings)) as session:
        assert session.get_one(Record, record_id).status == RecordStatus.REJECTED


def test_a_record_held_by_another_reviewer_cannot_be_taken_or_saved(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    bobur = TestClient(app_client.app, follow_redirects=False)
    bobur_csrf = login(bobur, "bobur")
    record_id = bobur.post("/queue/next", data={"csrf_token": bobur_csrf}).headers["location"].rsplit("/", 1)[1]
    csrf = login(app_client, "anna")
    assert (
        app_client.post(f"/review/{record_id}/claim", data={"csrf_token": csrf})
        .headers["location"]
        .endswith("notice=taken")
    )
    with session_scope(workflow_sessions(settings)) as session:
        version = session.get_one(Record, record_id).version
    form = {"csrf_token": csrf, "version": str(version)} | {
        f"{part}:{key}": value
        for key in ("child_name", "child_birth_date", "mother_surname")
        for part, value in (("value", ""), ("decision", "unreadable"))
    }
    assert app_client.post(f"/review/{record_id}/save", data=form).status_code == 409
    assert "held by bobur" in app_client.get(f"/review/{record_id}").text


def test_a_record_drawn_for_audit_shows_every_field_and_counts_only_changes_as_corrections(
    app_client: TestClient, review_data: ReviewData, settings: Settings
) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        book = session.get_one(Record, review_data.khj[0]).book
        audited = review_record(session, settings, book, 7, flagged=())
        audited.audit_reason = "audit_sample"
        audited_id = audited.id
    csrf = login(app_client, "anna")
    assert app_client.post(f"/review/{audited_id}/claim", data={"csrf_token": csrf}).status_code == 303
    screen = app_client.get(f"/review/{audited_id}")
    assert "Drawn for audit" in screen.text and '<details class="others" open>' in screen.text
    with session_scope(workflow_sessions(settings)) as session:
        version = session.get_one(Record, audited_id).version
    form = {
        "csrf_token": csrf,
        "version": str(version),
        "value:child_name": "Мадина",
        "decision:child_name": "confirm",
        "value:mother_name": "Зарнна",
        "decision:mother_name": "edit",
        "value:act_number": "214",
    }
    assert app_client.post(f"/review/{audited_id}/save", data=form).status_code == 303
    with session_scope(workflow_sessions(settings)) as session:
        states = {f.key: f.state for f in session.scalars(select(Field).where(Field.record_id == audited_id))}
    assert states["mother_name"] == FieldState.CORRECTED
    assert states["child_name"] == FieldState.CONFIRMED
    assert states["act_number"] == FieldState.AUTO
