"""The one way to reach the databases: cached engines and session factories per URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config import Settings
from pipeline.errors import ConfigError, DatabaseUnavailable


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web app read while a batch writes; busy_timeout makes writers wait instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}


def engine_for(url: str) -> Engine:
    """One engine per database URL for the life of the process."""
    engine = _engines.get(url)
    if engine is None:
        try:
            if url.startswith("sqlite"):
                engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise ConfigError(
                f"the database URL {shown_url(url)} cannot be used ({exc}); set ARCHIVE_DATABASE_URL (and "
                "ARCHIVE_REGISTRY_URL) to sqlite:///path/to/archive.sqlite or "
                "postgresql+psycopg://user:password@host:5432/name, or leave them unset for SQLite in ARCHIVE_DATA_DIR"
            ) from exc
        _engines[url] = engine
    return engine


def shown_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url.split("@")[-1])


def dispose_engines() -> None:
    """Closes pooled connections (before a fork, or at the end of a test)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _factories.clear()


def _factory(url: str) -> sessionmaker[Session]:
    factory = _factories.get(url)
    if factory is None:
        factory = _factories[url] = sessionmaker(bind=engine_for(url), expire_on_commit=False)
    return factory


def workflow_sessions(settings: Settings) -> sessionmaker[Session]:
    return _factory(settings.workflow_url)


def registry_sessions(settings: Settings) -> sessionmaker[Session]:
    return _factory(settings.registry_database_url)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on error; connection errors explained."""
    session = factory()
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise DatabaseUnavailable(
            f"database error: {exc.orig}. Check that the database server is running and ARCHIVE_DATABASE_URL is right."
        ) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def workflow_and_registry(settings: Settings) -> Iterator[tuple[Session, Session]]:
    """Sessions of both databases in one unit of work.

    When the registry lives in the workflow store (the default) both are one session: two connections to one
    SQLite file would wait on each other's write lock.
    """
    if settings.registry_database_url == settings.workflow_url:
        with session_scope(workflow_sessions(settings)) as session:
            yield session, session
        return
    with session_scope(workflow_sessions(settings)) as workflow, session_scope(registry_sessions(settings)) as registry:
        yield workflow, registry
