"""Accounts from the command line and the session rules: users add/list/disable, first admin, expiry, port in use."""

from __future__ import annotations

import socket
import stat
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from database.accounts import AuditEvent, User, WebSession
from database.session import session_scope, workflow_sessions
from database.workflow import utcnow
from pipeline.config import Settings
from services.users import (
    SESSION_IDLE,
    authenticate,
    ensure_first_admin,
    resolve_session,
    secret_key,
    start_session,
)

runner = CliRunner()


def test_users_are_added_listed_and_disabled_from_the_command_line(sqlite_settings: Settings) -> None:
    added = runner.invoke(
        app,
        ["users", "add", "Anna", "--role", "reviewer", "--office", "khj", "--office", "SNO", "--password-stdin"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    assert "anna (reviewer; KHJ, SNO) added" in added.output and "password:" not in added.output
    generated = runner.invoke(app, ["users", "add", "mira", "--role", "manager", "--office", "KHJ"])
    assert generated.exit_code == 0 and "password: " in generated.output
    password = generated.output.split("password: ", 1)[1].split()[0]
    assert runner.invoke(app, ["users", "add", "anna", "--role", "reviewer", "--office", "KHJ"]).exit_code == 2
    assert runner.invoke(app, ["users", "add", "nooffice", "--role", "reviewer"]).exit_code == 2
    listed = runner.invoke(app, ["users", "list"])
    assert "anna" in listed.output and "KHJ, SNO" in listed.output and "manager" in listed.output
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        assert authenticate(session, "mira", password, "127.0.0.1") is not None
        assert authenticate(session, "anna", "a long enough password", "127.0.0.1") is not None
    assert runner.invoke(app, ["users", "disable", "anna"]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code != 0
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        assert authenticate(session, "anna", "a long enough password", "127.0.0.1") is None
        assert session.scalar(select(User.active).where(User.username == "anna")) is False
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("user_created") == 2 and "user_disabled" in actions


def test_the_first_start_creates_an_admin_once_and_the_secret_key_is_private(sqlite_settings: Settings) -> None:
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        password = ensure_first_admin(session)
        assert password and ensure_first_admin(session) is None
        admin = authenticate(session, "admin", password, "127.0.0.1")
        assert admin is not None and admin.office_codes == ()
    key = secret_key(sqlite_settings)
    path = sqlite_settings.resolved_data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(sqlite_settings) == key


def test_a_session_ends_after_eight_idle_hours(sqlite_settings: Settings) -> None:
    key = b"k" * 32
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        ensure_first_admin(session)
        admin = session.scalar(select(User))
        assert admin is not None
        start = utcnow()
        token = start_session(session, admin, key, now=start)
        assert resolve_session(session, key, token, now=start + timedelta(hours=7)) is not None
        assert resolve_session(session, key, token, now=start + timedelta(hours=7) + SESSION_IDLE) is None
        assert resolve_session(session, key, "forged", now=start) is None
        assert session.scalar(select(WebSession)) is None  # the expired session is gone


def test_serve_says_clearly_when_the_port_is_taken(sqlite_settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.output
