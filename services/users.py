"""Accounts: users with roles and offices, argon2 passwords, limited login attempts, server-side web sessions."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from database.accounts import LoginAttempt, Role, User, UserOffice, WebSession
from database.workflow import utcnow
from pipeline.config import Settings
from pipeline.errors import ArchiveError, ConfigError, NotFound
from services.audit import record_event

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
OFFICE_CODE = re.compile(r"[A-Z0-9]{2,16}")
SESSION_IDLE = timedelta(hours=8)
SESSION_MAX = timedelta(hours=24)
# Touching a session on every request would turn each page view into a write; once a minute is enough.
SESSION_TOUCH_EVERY = timedelta(minutes=1)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
# An office shares one address behind its router: the address limit is looser than the per-user one.
MAX_FAILURES_PER_IP = 20
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})
SECRET_FILE = "secret_key"
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ArchiveError):
    """A user cannot be created or changed as asked."""

    code = "account"
    exit_code = 2


class LoginThrottled(ArchiveError):
    """Too many failed logins for this user name or address in the last minutes."""

    code = "login_throttled"


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as the services need it: name, role and the offices whose records they may see."""

    username: str
    role: Role
    offices: frozenset[str] | None  # None: every office (admin)
    must_change_password: bool = False

    @property
    def can_review(self) -> bool:
        return self.role in REVIEW_ROLES

    @classmethod
    def of(cls, user: User) -> Viewer:
        offices = None if user.role == Role.ADMIN else frozenset(user.office_codes)
        return cls(
            username=user.username,
            role=user.role,
            offices=offices,
            must_change_password=user.must_change_password,
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _check_offices(role: Role, offices: Iterable[str]) -> list[str]:
    codes = sorted({o.strip().upper() for o in offices if o.strip()})
    bad = [c for c in codes if not OFFICE_CODE.fullmatch(c)]
    if bad:
        raise AccountError(f"invalid office code(s): {', '.join(bad)} (2-16 capital letters or digits, e.g. KHJ)")
    if not codes and role != Role.ADMIN:
        raise AccountError(f"a {role.value} needs at least one office: add --office CODE")
    return codes


def create_user(
    session: Session,
    username: str,
    role: Role,
    offices: Iterable[str],
    password: str | None = None,
    *,
    actor: str = "cli",
) -> tuple[User, str | None]:
    """Creates a user; returns it and the generated password when none was given (shown once, never stored)."""
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError(f"invalid user name {username!r}: 2-64 of a-z, 0-9, '.', '_', '-', not starting with a sign")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(f"user {name!r} already exists")
    codes = _check_offices(role, offices)
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_length(password)
    # A generated password was seen by whoever ran the command: the user replaces it at first sign-in.
    user = User(
        username=name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        must_change_password=generated is not None,
    )
    user.offices = [UserOffice(office=c) for c in codes]
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="user_created",
        route="users",
        after={"user": name, "role": role.value, "offices": codes},
    )
    return user, generated


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: at least {MIN_PASSWORD} characters")


def change_password(
    session: Session, username: str, current: str, new: str, repeated: str, *, keep_session: str | None = None
) -> User:
    """Replaces a user's password after checking the current one; ends their other sessions.

    ``keep_session`` is the id of the session making the change, which stays signed in.
    """
    user = get_user(session, username)
    ok: bool
    try:
        ok = _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise AccountError("the current password is wrong")
    if new != repeated:
        raise AccountError("the two new passwords differ: type the same one twice")
    _check_length(new)
    if new == current:
        raise AccountError("the new password is the current one: choose another")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    others = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session is not None:
        others = others.where(WebSession.id != keep_session)
    session.execute(others)
    record_event(
        session, actor=user.username, action="password_changed", route="password", after={"user": user.username}
    )
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user named {username!r}; `archive users list` shows them")
    return user


def disable_user(session: Session, username: str, *, actor: str = "cli") -> User:
    """Disables a user and ends their sessions at once; their name stays in the audit trail."""
    user = get_user(session, username)
    if user.active:
        user.active = False
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        record_event(session, actor=actor, action="user_disabled", route="users", before={"user": user.username})
    return user


def ensure_first_admin(session: Session) -> str | None:
    """With no user at all, creates 'admin' and returns its one-time password; otherwise None."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    _user, password = create_user(session, "admin", Role.ADMIN, [], actor="serve")
    return password


# --- login ------------------------------------------------------------------------------------------------


def _failures_since(session: Session, column: InstrumentedAttribute[str], value: str, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            column == value,
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    )
    return session.scalar(query) or 0


def authenticate(session: Session, username: str, password: str, ip: str, now: datetime | None = None) -> User | None:
    """The active user with this name and password, or None; every try is counted.

    Raises LoginThrottled (before checking the password) after too many recent failures for the name or address.
    """
    now = now or utcnow()
    name = username.strip().lower()[:64]
    since = now - LOGIN_WINDOW
    if (
        _failures_since(session, LoginAttempt.username, name, since) >= MAX_FAILURES_PER_USER
        or _failures_since(session, LoginAttempt.ip, ip, since) >= MAX_FAILURES_PER_IP
    ):
        raise LoginThrottled("too many failed sign-ins: wait 15 minutes and try again")
    user = session.scalar(select(User).where(User.username == name))
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(username=name, ip=ip[:64], at=now, succeeded=ok))
    if not ok or user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    # Old attempts are only needed for the window: trimmed here rather than by a separate job.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * LOGIN_WINDOW))
    return user


# --- sessions ---------------------------------------------------------------------------------------------


def secret_key(settings: Settings) -> bytes:
    """settings.secret_key, or one generated once and kept in the data directory (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.resolved_data_dir / SECRET_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot create the web secret key in {path.parent}: {exc}") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _session_id(key: bytes, token: str) -> str:
    return hmac.new(key, b"session:" + token.encode(), hashlib.sha256).hexdigest()


def csrf_token(key: bytes, token: str) -> str:
    """The CSRF token of a session: derived from its cookie, so it cannot be guessed from another session."""
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


def start_session(session: Session, user: User, key: bytes, now: datetime | None = None) -> str:
    """A new session for ``user``; returns the token for the cookie (only its keyed hash is stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=_session_id(key, token), user_id=user.id, created_at=now, last_seen_at=now, expires_at=now + SESSION_MAX
        )
    )
    # Expired sessions of anyone are dropped here, at sign-in, instead of by a separate job.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return token


def resolve_session(session: Session, key: bytes, token: str, now: datetime | None = None) -> WebSession | None:
    """The live session of this cookie token (user active, not idle past 8 h nor older than 24 h), or None."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    web = session.get(WebSession, _session_id(key, token))
    if web is None:
        return None
    last_seen = aware(web.last_seen_at)
    if not web.user.active or aware(web.expires_at) <= now or last_seen + SESSION_IDLE <= now:
        session.delete(web)
        return None
    if now - last_seen >= SESSION_TOUCH_EVERY:
        web.last_seen_at = now
    return web


def end_session(session: Session, key: bytes, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == _session_id(key, token)))


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC): make them comparable with aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
